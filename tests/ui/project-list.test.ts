/**
 * The Reports tab's list of the project's own reports (src/ui/report/project-list.ts): grouping
 * of the bundled files, and the one-line gist read from each committed study report, which must
 * also open through the viewer's validation (what "Open" does).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReport } from '@/ui/report/parse';
import { projectReports, reportGist } from '@/ui/report/project-list';

const STUDIES = path.resolve('docs/experiments');
const studyFiles = readdirSync(STUDIES).filter((f) => f.endsWith('.sweep.json'));

describe('project reports', () => {
  it('groups studies, per-run reports in study folders and example runs, studies first', () => {
    const list = projectReports(
      {
        '/docs/experiments/prune.sweep.json': '/assets/prune.sweep-a1.json',
        '/docs/experiments/a.sweep.json': '/assets/a.sweep-b2.json',
      },
      {
        '/docs/experiments/prune-lenet/cells/3/report.json': '/assets/report-c3.json',
        '/docs/experiments/prune-lenet/shard-0-of-2.sweep.json': '/assets/shard-c4.json',
      },
      { '/docs/results/fmnist-pgd-at.report.json': '/assets/fmnist-pgd-at.report-d5.json' },
    );
    expect(list.map((r) => [r.group, r.path, r.file])).toEqual([
      ['study', 'docs/experiments/a.sweep.json', 'a.sweep.json'],
      ['study', 'docs/experiments/prune.sweep.json', 'prune.sweep.json'],
      [
        'cell',
        'docs/experiments/prune-lenet/cells/3/report.json',
        'prune-lenet › cells › 3 › report.json',
      ],
      [
        'cell',
        'docs/experiments/prune-lenet/shard-0-of-2.sweep.json',
        'prune-lenet › shard-0-of-2.sweep.json',
      ],
      ['example', 'docs/results/fmnist-pgd-at.report.json', 'fmnist-pgd-at.report.json'],
    ]);
    expect(list[1].url).toBe('/assets/prune.sweep-a1.json');
  });

  it('says what each committed study report is, and each opens through the validation', () => {
    expect(studyFiles.length).toBeGreaterThanOrEqual(5);
    for (const f of studyFiles) {
      const value: unknown = JSON.parse(readFileSync(path.join(STUDIES, f), 'utf8'));
      const parsed = validateReport(f, value);
      expect(parsed.kind).toBe('sweep');
      if (parsed.kind !== 'sweep') continue;
      const g = reportGist(value, f);
      expect(g.kind).toBe('sweep');
      expect(g.name).toBe(parsed.report.name);
      expect(g.what).toContain(`sweep of ${parsed.report.runs.length}`);
      for (const a of parsed.report.axes)
        expect(g.what).toContain(`${a.name} × ${a.labels.length}`);
      const first = parsed.report.runs[0]?.report;
      if (first?.model.architecture) expect(g.what).toContain(first.model.architecture);
      for (const p of first?.pruning ?? []) expect(g.what).toContain(p.method);
    }
    const prune = reportGist(
      JSON.parse(readFileSync(path.join(STUDIES, 'prune.sweep.json'), 'utf8')),
      'prune.sweep.json',
    );
    expect(prune.what).toContain('fashion-mnist');
    expect(prune.what).toContain('unstructured, global');
    expect(prune.what).toContain('50%–99%');
  });

  it('reads a description when a report has one, and never throws on odd JSON', () => {
    const g = reportGist(
      { format: 'advprune-sweep-report', name: 'x', description: 'What x is.', runs: [], cells: 2 },
      'x.sweep.json',
    );
    expect(g.description).toBe('What x is.');
    expect(g.what).toBe('sweep of 0 of 2 runs');
    for (const odd of [
      null,
      3,
      'text',
      [],
      { runs: 'no' },
      { format: 'advprune-sweep-report', axes: [null] },
    ])
      expect(() => reportGist(odd, 'odd.json')).not.toThrow();
    expect(reportGist(null, 'odd.json').name).toBe('odd.json');
  });
});
