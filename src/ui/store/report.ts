/**
 * The Reports view's state: the report files open at once (single runs and sweeps, in the order
 * opened), each with the name it was opened under. Opening checks the size before reading, then
 * parses and validates (src/ui/report/parse.ts); a bad file sets the app's error alert naming the
 * file and what is wrong, and the reports already open stay. The project's own reports (bundled
 * with the app, report/project-reports.ts) are fetched from the app's origin and then opened by
 * the same path as a picked file. Nothing here touches the engine.
 */
import { create } from 'zustand';
import { checkReportSize, parseReportText, type ParsedReport } from '../report/parse';
import type { ProjectReport } from '../report/project-list';
import { fetchProjectReport } from '../report/project-reports';
import { useCore } from './core';

/** An open report: a single run or a sweep, with a unique id and the name it came under. */
export type OpenReport = ParsedReport & {
  id: number;
  /** the file name, or `<sweep file> › cell <index>` for a sweep cell opened on its own */
  source: string;
};

/** Most reports open at once (the oldest closes first beyond it). */
export const MAX_OPEN_REPORTS = 24;

export interface ReportState {
  open: OpenReport[];
  /** read, validate and open each file; errors go to the app's alert, one line per bad file */
  openFiles(files: readonly File[]): Promise<void>;
  /** fetch bundled project reports and open them as `openFiles` does (the same validation) */
  openProject(reports: readonly ProjectReport[]): Promise<void>;
  /** open a sweep's cell (by its grid index) as a single report */
  openCell(sweepId: number, cellIndex: number): void;
  close(id: number): void;
  closeAll(): void;
}

let nextId = 1;

function add(open: OpenReport[], item: ParsedReport, source: string): OpenReport[] {
  return [...open, { ...item, id: nextId++, source }].slice(-MAX_OPEN_REPORTS);
}

export const useReports = create<ReportState>()((set, get) => ({
  open: [],

  async openFiles(files) {
    const errors: string[] = [];
    for (const file of files) {
      try {
        checkReportSize(file.name, file.size);
        const parsed = parseReportText(file.name, await file.text());
        set({ open: add(get().open, parsed, file.name) });
      } catch (e) {
        errors.push(e instanceof Error ? e.message : `${file.name}: ${String(e)}`);
      }
    }
    if (errors.length > 0) useCore.getState().setError(`Could not open ${errors.join(' · ')}`);
  },

  async openProject(reports) {
    const files: File[] = [];
    const errors: string[] = [];
    for (const r of reports) {
      try {
        files.push(await fetchProjectReport(r));
      } catch (e) {
        errors.push(e instanceof Error ? e.message : `${r.file}: ${String(e)}`);
      }
    }
    if (errors.length > 0) useCore.getState().setError(`Could not open ${errors.join(' · ')}`);
    if (files.length > 0) await get().openFiles(files);
  },

  openCell(sweepId, cellIndex) {
    const sweep = get().open.find((r) => r.id === sweepId);
    if (sweep?.kind !== 'sweep') return;
    const cell = sweep.report.runs.find((c) => c.index === cellIndex);
    if (!cell) return;
    const source = `${sweep.source} › cell ${cell.index}`;
    set({ open: add(get().open, { kind: 'single', report: cell.report }, source) });
  },

  close(id) {
    set({ open: get().open.filter((r) => r.id !== id) });
  },

  closeAll() {
    set({ open: [] });
  },
}));
