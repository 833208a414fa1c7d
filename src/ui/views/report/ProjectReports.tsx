/**
 * The project's own reports, one click from the Reports tab: the merged study reports of
 * docs/experiments (docs/experiments.md discusses each), per-run reports kept in a study's folder,
 * and the example runs of docs/results, all bundled with the app (report/project-reports.ts).
 * Each row says what the report is (its name, description, grid, model, training, pruning: read
 * from the file in the background) and opens it with "Open", through the same validation as a
 * picked file.
 */
import { useEffect, useState } from 'react';
import type { ProjectGroup, ProjectReport, ReportGist } from '../../report/project-list';
import { PROJECT_REPORTS, projectReportGist } from '../../report/project-reports';
import { useReports } from '../../store/report';

const GROUP_TITLE: Record<ProjectGroup, string> = {
  study: 'Studies (docs/experiments, merged over seeds)',
  cell: 'Per-run reports in the studies’ folders',
  example: 'Example runs (docs/results)',
};

/** Groups whose gists are read on mount (per-run reports may be many: listed by path only). */
const READ_GIST: readonly ProjectGroup[] = ['study', 'example'];

type Gist = ReportGist | { error: string };

function Row({ r, gist }: { r: ProjectReport; gist: Gist | undefined }) {
  const openProject = useReports((s) => s.openProject);
  const [busy, setBusy] = useState(false);
  const open = () => {
    setBusy(true);
    void openProject([r]).finally(() => setBusy(false));
  };
  const g = gist && 'name' in gist ? gist : null;
  return (
    <li data-testid="project-report" data-path={r.path}>
      <span className="project-report-text">
        <strong>{g?.name ?? r.file}</strong> <span className="label">{r.file}</span>
        {g?.description ? <span className="project-report-desc">{g.description}</span> : null}
        <span className="label project-report-what">
          {g
            ? g.what
            : gist && 'error' in gist
              ? `could not read it: ${gist.error}`
              : READ_GIST.includes(r.group)
                ? 'reading…'
                : r.path}
        </span>
      </span>
      <button type="button" onClick={open} disabled={busy} aria-label={`Open ${r.file}`}>
        {busy ? 'Opening…' : 'Open'}
      </button>
    </li>
  );
}

export function ProjectReports({
  reports = PROJECT_REPORTS,
}: {
  reports?: readonly ProjectReport[];
}) {
  const [gists, setGists] = useState<Record<string, Gist>>({});

  useEffect(() => {
    let live = true;
    void (async () => {
      // one at a time: the files are fetched in full, and the study reports come first
      for (const r of reports) {
        if (!READ_GIST.includes(r.group)) continue;
        let g: Gist;
        try {
          g = await projectReportGist(r);
        } catch (e) {
          g = { error: e instanceof Error ? e.message : String(e) };
        }
        if (!live) return;
        setGists((s) => ({ ...s, [r.path]: g }));
      }
    })();
    return () => {
      live = false;
    };
  }, [reports]);

  if (reports.length === 0) return null;
  const groups = (['study', 'cell', 'example'] as const)
    .map((group) => ({ group, items: reports.filter((r) => r.group === group) }))
    .filter((g) => g.items.length > 0);
  return (
    <section
      className="card project-reports"
      aria-label="Project reports"
      data-testid="project-reports"
    >
      <h2>The project&apos;s reports</h2>
      <p className="label">
        Bundled with the app: open one to see its tables and charts (docs/experiments.md and
        docs/results.md discuss them).
      </p>
      {groups.map(({ group, items }) => {
        const list = (
          <ul className="report-list" aria-label={GROUP_TITLE[group]} data-group={group}>
            {items.map((r) => (
              <Row key={r.path} r={r} gist={gists[r.path]} />
            ))}
          </ul>
        );
        return group === 'study' ? (
          <div key={group}>
            <h3>{GROUP_TITLE[group]}</h3>
            {list}
          </div>
        ) : (
          <details key={group}>
            <summary>
              {GROUP_TITLE[group]} ({items.length})
            </summary>
            {list}
          </details>
        );
      })}
    </section>
  );
}
