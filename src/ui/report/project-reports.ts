/**
 * The project's own reports, bundled with the app: every merged study report
 * (docs/experiments/*.sweep.json), any per-run report under a study's folder, and the example
 * runs of docs/results. Vite emits each file as its own asset (`?url&no-inline`: never inlined
 * into the bundle, never a data: URL) and the app fetches it from its own origin only when the
 * Reports tab asks (connect-src 'self' allows it). A new file matching a glob is listed without
 * code changes (on the next build, or at once on the dev server).
 */
import { checkReportSize, ReportFileError } from './parse';
import { projectReports, reportGist, type ProjectReport, type ReportGist } from './project-list';

const studies = import.meta.glob<string>('/docs/experiments/*.sweep.json', {
  query: '?url&no-inline',
  import: 'default',
  eager: true,
});
const cells = import.meta.glob<string>(
  [
    '/docs/experiments/*/**/report.json',
    '/docs/experiments/*/**/*.report.json',
    '/docs/experiments/*/**/*.sweep.json',
  ],
  {
    query: '?url&no-inline',
    import: 'default',
    eager: true,
  },
);
const examples = import.meta.glob<string>('/docs/results/*.report.json', {
  query: '?url&no-inline',
  import: 'default',
  eager: true,
});

/** Every bundled report, studies first (project-list.ts `projectReports`). */
export const PROJECT_REPORTS: readonly ProjectReport[] = projectReports(studies, cells, examples);

/** Fetch a bundled report as a File (size checked first), to open like a file the user picked. */
export async function fetchProjectReport(r: ProjectReport): Promise<File> {
  let res: Response;
  try {
    res = await fetch(r.url);
  } catch (e) {
    throw new ReportFileError(`${r.file}: could not be fetched (${String(e)})`);
  }
  if (!res.ok) throw new ReportFileError(`${r.file}: could not be fetched (HTTP ${res.status})`);
  const length = Number(res.headers.get('content-length'));
  if (length > 0) checkReportSize(r.file, length);
  const blob = await res.blob();
  return new File([blob], r.file, { type: 'application/json' });
}

const gists = new Map<string, Promise<ReportGist>>();

/** What a bundled report is (fetched and read once per page; project-list.ts `reportGist`). */
export function projectReportGist(r: ProjectReport): Promise<ReportGist> {
  let g = gists.get(r.path);
  if (!g) {
    g = fetchProjectReport(r).then(async (file) => {
      checkReportSize(file.name, file.size);
      let value: unknown;
      try {
        value = JSON.parse(await file.text());
      } catch {
        throw new ReportFileError(`${r.file}: not valid JSON`);
      }
      return reportGist(value, r.file);
    });
    g.catch(() => gists.delete(r.path)); // a failed read is tried again next time
    gists.set(r.path, g);
  }
  return g;
}
