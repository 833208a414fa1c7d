/**
 * The markdown summary of a sweep report: which cells ran, which are missing, then one row per
 * cell group (params without the seed axis) × variant with mean ± sample std over the seeds of
 * each metric (accuracies in %, times in seconds, epochs as counts); transfer figures in a
 * second table. Printed by `npm run merge` and `npm run report -- <sweep.json>`.
 */
import { isAccuracyMetric } from '../engine/experiment/sweep-summary';
import type { SweepReport, SweepSummaryRow } from '../engine/experiment/sweep-types';

const cellText = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

/** `mean ± std` of a row: percentages for accuracies, one decimal for seconds and epochs. */
export function formatMeanStd(metric: string, mean: number, std: number): string {
  if (!Number.isFinite(mean)) return '—';
  const pct = isAccuracyMetric(metric);
  const f = (v: number) =>
    pct ? `${(100 * v).toFixed(1)}` : v.toFixed(metric.endsWith('-ms') ? 2 : 1);
  return `${f(mean)}${pct ? '%' : ''} ± ${f(std)}`;
}

/** Lists `xs`, the first `max` of them, then how many more. */
const list = (xs: number[], max = 30) =>
  xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')}, … (${xs.length} in all)`;

function pivot(r: SweepReport, rows: SweepSummaryRow[], seedAxis: string): string[] {
  const axes = r.axes.map((a) => a.name).filter((n) => n !== seedAxis);
  const metrics = [...new Set(rows.map((x) => x.metric))];
  const lines = new Map<
    string,
    { head: string[]; n: number; cells: Map<string, SweepSummaryRow> }
  >();
  for (const x of rows) {
    const k = JSON.stringify([x.params, x.variant]);
    if (!lines.has(k))
      lines.set(k, {
        head: [...axes.map((a) => String(x.params[a] ?? '')), x.variant],
        n: 0,
        cells: new Map(),
      });
    const l = lines.get(k);
    if (!l) continue;
    l.n = Math.max(l.n, x.n);
    l.cells.set(x.metric, x);
  }
  const out = [
    `| ${[...axes, 'variant', 'seeds', ...metrics].map(cellText).join(' | ')} |`,
    `|${[...axes, 'variant', 'seeds', ...metrics].map(() => '---').join('|')}|`,
  ];
  for (const l of lines.values()) {
    const vals = metrics.map((m) => {
      const c = l.cells.get(m);
      if (!c) return '—';
      return formatMeanStd(m, c.mean, c.std) + (c.n < l.n ? ` (n=${c.n})` : '');
    });
    out.push(`| ${[...l.head, String(l.n), ...vals].map(cellText).join(' | ')} |`);
  }
  return out;
}

/** Markdown summary of a sweep report (see the file header). */
export function sweepSummaryMarkdown(r: SweepReport, seedAxis = 'seed'): string {
  const out = [`### ${cellText(r.name)} (sweep)`, ''];
  out.push(
    `${r.runs.length} of ${r.cells} cells (${r.axes.map((a) => `${cellText(a.name)} × ${a.values.length}`).join(', ')}); shards ${r.shards.map((s) => `${s.index}/${s.count}`).join(', ') || '—'}.` +
      (r.missing.length ? ` Missing cells: ${list(r.missing)}.` : ''),
  );
  out.push('');
  out.push(
    `Mean ± sample standard deviation over the '${seedAxis}' axis; accuracies in %, times in seconds` +
      (r.target !== undefined
        ? `; epochs/seconds-to-target: first epoch whose validation adversarial accuracy ≥ ${(100 * r.target).toFixed(1)}% (seeds that never reached it left out, n shown)`
        : '') +
      (r.settle !== undefined
        ? `; epochs/seconds-to-settle: first epoch from which the validation adversarial accuracy stays within ${(100 * r.settle.margin).toFixed(1)} points of the best any '${cellText(r.settle.axis)}' reached (per seed; '-fixed': on the offline protocol's fixed adversarial validation set; seconds include making the offline sets)` +
          (r.settle.baseline !== undefined
            ? `; speedup: ${cellText(String(r.settle.baseline))}'s figure / this one's, per seed`
            : '')
        : '') +
      '.',
  );
  out.push('');
  const main = r.summary.filter((x) => !x.metric.startsWith('transfer-'));
  const transfer = r.summary.filter((x) => x.metric.startsWith('transfer-'));
  if (main.length === 0) out.push('No finished cells.');
  else out.push(...pivot(r, main, seedAxis));
  if (transfer.length) out.push('', ...pivot(r, transfer, seedAxis));
  out.push('');
  return out.join('\n');
}
