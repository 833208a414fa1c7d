/**
 * The project's own reports, as the Reports tab lists them (the files come from
 * project-reports.ts, bundled by Vite; this module is pure, so it is tested in Node): one entry
 * per file with its group (the merged study reports of docs/experiments, per-run reports beside
 * them, the example runs of docs/results), and a one-line gist of what a report is, read loosely
 * from its JSON (its `name` and `description` when it has one, else its grid, model, data,
 * training and pruning). The gist is for the list only: opening a report goes through the same
 * validation as a file the user picks (parse.ts).
 */

export type ProjectGroup = 'study' | 'cell' | 'example';

export interface ProjectReport {
  /** the file's path in the repository, e.g. `docs/experiments/prune.sweep.json` */
  path: string;
  /**
   * the name it opens under: the base name, or for a file in a study's folder its path there
   * (`prune-lenet › cells › 3 › report.json`)
   */
  file: string;
  /** where the app fetches it (same origin) */
  url: string;
  group: ProjectGroup;
}

/** What a report is, for the list: its `name`, `description` if it has one, and a summary. */
export interface ReportGist {
  name: string;
  kind: 'sweep' | 'run';
  description: string | null;
  /** runs, grid, model and data, training, pruning, transfer: what is in it */
  what: string;
}

const STUDIES = 'docs/experiments/';

/** Groups in the order the list shows them. */
export const GROUP_ORDER: readonly ProjectGroup[] = ['study', 'cell', 'example'];

/**
 * Entries from Vite glob maps (repository-root path → URL), sorted by group then path. A path
 * directly under docs/experiments/ ending in .sweep.json is a study; other docs/experiments reports are
 * per-run (cell) reports; everything else is an example run.
 */
export function projectReports(...maps: Record<string, string>[]): ProjectReport[] {
  const out = new Map<string, ProjectReport>();
  for (const m of maps)
    for (const [key, url] of Object.entries(m)) {
      const path = key.replace(/^\/+/, '');
      const inStudies = path.startsWith(STUDIES);
      const rel = inStudies ? path.slice(STUDIES.length) : path;
      const group: ProjectGroup = !inStudies
        ? 'example'
        : rel.endsWith('.sweep.json') && !rel.includes('/')
          ? 'study'
          : 'cell';
      const file =
        group === 'cell' ? rel.split('/').join(' › ') : rel.slice(rel.lastIndexOf('/') + 1);
      out.set(path, { path, file, url, group });
    }
  return [...out.values()].sort(
    (a, b) =>
      GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) || a.path.localeCompare(b.path),
  );
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const pctText = (f: number) => `${Number((f * 100).toFixed(1))}%`;

/** Model, data, training, pruning and transfer of one run report, loosely. */
function runWhat(report: unknown): string[] {
  const r = obj(report);
  const config = obj(r.config);
  const parts: string[] = [];
  const arch = str(obj(r.model).architecture);
  const data = str(obj(config.data).kind) ?? str(obj(r.data).kind);
  const train = num(obj(r.data).train);
  if (arch || data)
    parts.push(
      `${arch ?? 'a model'} on ${data ?? 'its data'}${train !== null ? ` (${train.toLocaleString('en-US')} train)` : ''}`,
    );
  const training = obj(r.training);
  const epochs = arr(training.epochs).length;
  if (epochs > 0) {
    const objective = str(obj(obj(config.train).objective).kind);
    parts.push(`trained ${epochs} epochs${objective ? ` (${objective})` : ''}`);
  }
  const pruning = arr(r.pruning).map(obj);
  if (pruning.length > 0) {
    const methods = [...new Set(pruning.map((p) => str(p.method)).filter((m) => m !== null))];
    const sparsities = [...new Set(pruning.map((p) => num(p.sparsity)).filter((s) => s !== null))]
      .map(Number)
      .sort((a, b) => a - b);
    const prune = obj(config.prune);
    const how = [str(prune.granularity), str(prune.scope)].filter((s) => s !== null).join(', ');
    const at =
      sparsities.length === 0
        ? ''
        : sparsities.length <= 3
          ? ` at ${sparsities.map(pctText).join(', ')}`
          : ` at ${pctText(sparsities[0])}–${pctText(sparsities[sparsities.length - 1])}`;
    parts.push(`pruning${how ? ` (${how})` : ''}: ${methods.join(', ')}${at}`);
  }
  if (r.transfer !== undefined && r.transfer !== null) parts.push('transfer benchmark');
  return parts;
}

/** The gist of a report's parsed JSON (never throws: unknown shapes give a thin gist). */
export function reportGist(value: unknown, fallbackName: string): ReportGist {
  const v = obj(value);
  const name = clip(str(v.name) ?? fallbackName, 120);
  const description = str(v.description);
  if (v.format === 'advprune-sweep-report') {
    const runs = arr(v.runs);
    const cells = num(v.cells);
    const axes = arr(v.axes)
      .map(obj)
      .map((a) => `${str(a.name) ?? '?'} × ${arr(a.labels).length}`);
    const missing = arr(v.missing).length;
    const head = `sweep of ${runs.length}${cells !== null && cells !== runs.length ? ` of ${cells}` : ''} runs${
      axes.length > 0 ? ` (${axes.join(', ')})` : ''
    }${missing > 0 ? `, ${missing} missing` : ''}`;
    const what = [head, ...runWhat(obj(runs[0]).report)].join(' · ');
    return { name, kind: 'sweep', description: description && clip(description, 400), what };
  }
  return {
    name,
    kind: 'run',
    description: description && clip(description, 400),
    what: ['run', ...runWhat(v)].join(' · '),
  };
}
