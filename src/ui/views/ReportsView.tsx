/**
 * The Reports view: opens reports written by the CLI (a run's report.json or a merged sweep
 * report) from a file picker or a drop anywhere on the view, and shows each as a card with its
 * charts and tables; several can be open at once, and the validation adversarial accuracy curves
 * of the open runs are overlaid to compare them. The project's own study reports, bundled with the
 * app, are listed with an "Open" button each (report/ProjectReports.tsx). Files are validated
 * before anything is shown (src/ui/report/parse.ts); everything is rendered as React text, never
 * as HTML.
 */
import type { DragEvent } from 'react';
import { useReports, type OpenReport } from '../store/report';
import { CompareChart } from './report/CompareChart';
import { ProjectReports } from './report/ProjectReports';
import { ReportDrop } from './report/ReportDrop';
import { SingleReport } from './report/SingleReport';
import { SweepReport } from './report/SweepReport';

function kindText(r: OpenReport): string {
  return r.kind === 'single' ? 'run' : `sweep of ${r.report.runs.length} runs`;
}

function OpenList({ open, onClose }: { open: OpenReport[]; onClose(id: number): void }) {
  if (open.length === 0) return <p className="label">No report open yet.</p>;
  return (
    <ul className="report-list" aria-label="Open reports">
      {open.map((r) => (
        <li key={r.id}>
          <span>
            {r.source}{' '}
            <span className="label">
              · {r.report.name} · {kindText(r)}
            </span>
          </span>
          <button type="button" onClick={() => onClose(r.id)} aria-label={`Close ${r.source}`}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ReportsView() {
  const open = useReports((s) => s.open);
  const openFiles = useReports((s) => s.openFiles);
  const openCell = useReports((s) => s.openCell);
  const close = useReports((s) => s.close);
  const onFiles = (files: File[]) => void openFiles(files);
  const dropAnywhere = (e: DragEvent) => {
    e.preventDefault();
    if (e.dataTransfer.files.length > 0) onFiles([...e.dataTransfer.files]);
  };

  return (
    <div
      className="reports-view"
      data-testid="reports-view"
      onDragOver={(e) => e.preventDefault()}
      onDrop={dropAnywhere}
    >
      <section className="card" aria-label="Open reports">
        <h2>Reports</h2>
        <ReportDrop onFiles={onFiles} />
        <OpenList open={open} onClose={close} />
      </section>
      <ProjectReports />
      <CompareChart reports={open} />
      {open.map((r) => (
        <article
          key={r.id}
          className="card report-card"
          data-testid="report-card"
          data-kind={r.kind}
          aria-label={r.source}
        >
          <header className="report-card-head">
            <h2>
              {r.report.name} <span className="label">{r.source}</span>
            </h2>
            <button type="button" onClick={() => close(r.id)} aria-label={`Remove ${r.source}`}>
              Remove
            </button>
          </header>
          {r.kind === 'single' ? (
            <SingleReport report={r.report} />
          ) : (
            <SweepReport sweep={r.report} onOpen={(index) => openCell(r.id, index)} />
          )}
        </article>
      ))}
    </div>
  );
}
