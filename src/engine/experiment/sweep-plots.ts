/**
 * The plots of a sweep report, chosen from its axes (docs/sweeps.md, "Plots"):
 * - `accuracy.svg`: bars of the base model's clean, per-attack and worst-case accuracy per cell
 *   group (mean ± std over seeds);
 * - `training-curves.svg`: validation adversarial (solid, ± std band) and clean (dashed) accuracy
 *   per epoch, one colour per cell group, mean over seeds (when the cells trained);
 * - `<metric>-vs-<axis>.svg` for every numeric axis other than the seed (worst-case and clean
 *   accuracy, one line per variant × other axes; and the base's epochs to the target when set);
 * - `pruned-<metric>-vs-sparsity.svg` when pruned variants cover two or more sparsities (worst-case,
 *   clean, and each `transfer-robust:<attack>` of a transfer benchmark; one line
 *   per criterion × cell group);
 * - `bars-<metric>-by-<axis>.svg` for every non-numeric axis other than the seed (worst-case
 *   accuracy, train seconds, and epochs to the target when the sweep sets one).
 * A cell group is the cell's params without the seed axis. Pure: returns SVG strings.
 */
import { barChartSvg, lineChartSvg, type LineSeries } from './plots';
import { isAccuracyMetric, meanStd, withoutSeed } from './sweep-summary';
import type { AxisLabel, SweepCell, SweepReport, SweepSummaryRow } from './sweep-types';

export interface SweepPlot {
  /** file name, e.g. 'worst-case-vs-eps.svg' */
  file: string;
  title: string;
  svg: string;
}

/** 'schedule=accelat, eps=0.1', or 'all' without params. */
export const groupLabel = (p: Record<string, AxisLabel>): string =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ') || 'all';

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
const key = (...parts: unknown[]) => JSON.stringify(parts);

/** Validation accuracy per epoch (mean over seeds) of each cell group; null when none trained. */
export function trainingCurvesSvg(
  runs: readonly SweepCell[],
  seedAxis = 'seed',
  title = 'validation accuracy per epoch',
): string | null {
  const groups = new Map<string, { label: string; cells: SweepCell[] }>();
  for (const c of [...runs].sort((a, b) => a.index - b.index)) {
    if (!c.report.training?.epochs.length) continue;
    const p = withoutSeed(c.params, seedAxis);
    const k = JSON.stringify(p);
    if (!groups.has(k)) groups.set(k, { label: groupLabel(p), cells: [] });
    groups.get(k)?.cells.push(c);
  }
  if (groups.size === 0) return null;
  const series: LineSeries[] = [];
  [...groups.values()].forEach((g, i) => {
    const epochs = Math.max(...g.cells.map((c) => c.report.training?.epochs.length ?? 0));
    const curve = (field: 'valAdvAcc' | 'valCleanAcc') =>
      Array.from({ length: epochs }, (_, e) => {
        const vals = g.cells
          .map((c) => c.report.training?.epochs[e]?.[field])
          .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
        return { x: e + 1, ...meanStd(vals) };
      });
    series.push({ name: g.label, points: curve('valAdvAcc'), color: i });
    series.push({
      name: `${g.label} clean`,
      points: curve('valCleanAcc').map((p) => ({ x: p.x, mean: p.mean })),
      color: i,
      dashed: true,
      legend: false,
    });
  });
  return lineChartSvg({
    title,
    xLabel: 'epoch',
    yLabel: 'validation accuracy (adv solid, clean dashed)',
    series,
    percent: true,
    integerX: true,
  });
}

/** The plots of a sweep report (see the file header for the choice). */
export function sweepPlots(report: SweepReport, seedAxis = 'seed'): SweepPlot[] {
  const plots: SweepPlot[] = [];
  const add = (file: string, title: string, svg: string | null) => {
    if (svg !== null) plots.push({ file: slug(file), title, svg });
  };
  const rows = report.summary;
  const axes = report.axes.filter((a) => a.name !== seedAxis && a.values.length > 1);
  const numeric = axes.filter((a) => a.labels.every((l) => typeof l === 'number'));
  const categorical = axes.filter((a) => !numeric.includes(a));
  const groups = [...new Set(rows.map((r) => JSON.stringify(r.params)))];
  const byKey = new Map(rows.map((r) => [key(JSON.stringify(r.params), r.variant, r.metric), r]));
  const find = (params: string, variant: string, metric: string) =>
    byKey.get(key(params, variant, metric)) ?? null;

  // overview: base accuracies per group
  const accMetrics = [
    ...new Set(
      rows.filter((r) => r.variant === 'base' && isPlainAccuracy(r.metric)).map((r) => r.metric),
    ),
  ];
  if (accMetrics.length > 0)
    add(
      'accuracy.svg',
      `${report.name}: accuracy of the base model`,
      barChartSvg({
        title: `${report.name}: accuracy of the base model`,
        xLabel: 'metric',
        yLabel: 'accuracy (mean ± std over seeds)',
        groups: accMetrics,
        series: groups.map((g) => ({
          name: groupLabel(JSON.parse(g) as Record<string, AxisLabel>),
          values: accMetrics.map((m) => find(g, 'base', m)),
        })),
        percent: true,
      }),
    );
  add('training-curves.svg', 'training curves', trainingCurvesSvg(report.runs, seedAxis));

  const lineMetrics = ['worst-case', 'clean'];
  if (report.target !== undefined) lineMetrics.push('epochs-to-target');
  for (const ax of numeric)
    for (const metric of lineMetrics) {
      const percent = isAccuracyMetric(metric);
      const series = lines(
        rows.filter(
          (r) =>
            r.metric === metric &&
            typeof r.params[ax.name] === 'number' &&
            (percent || r.variant === 'base'),
        ),
        (r) => r.params[ax.name] as number,
        (r) => [r.variant, groupLabel(without(r.params, ax.name))],
      );
      const what = percent ? `${metric} accuracy` : metric;
      const title = `${report.name}: ${what} vs ${ax.name}`;
      if (series.length > 0)
        add(
          `${metric}-vs-${ax.name}.svg`,
          title,
          lineChartSvg({ title, xLabel: ax.name, yLabel: what, series, percent }),
        );
    }

  const pruned = rows.filter((r) => r.variant !== 'base' && sparsityOf(r.variant) !== null);
  if (new Set(pruned.map((r) => sparsityOf(r.variant))).size > 1)
    for (const metric of [
      'worst-case',
      'clean',
      // the transfer benchmark: accuracy on examples crafted on the base model, per attack
      ...new Set(pruned.map((r) => r.metric).filter((m) => m.startsWith('transfer-robust:'))),
    ]) {
      const title = `${report.name}: ${metric} accuracy of the pruned models vs sparsity`;
      const series = lines(
        pruned.filter((r) => r.metric === metric),
        (r) => sparsityOf(r.variant) as number,
        (r) => {
          const variant = r.variant.slice(0, r.variant.lastIndexOf('@'));
          // a sweep over methods names each variant by its method: say it once, not twice
          const params = Object.fromEntries(
            Object.entries(r.params).filter(([, v]) => String(v) !== variant),
          );
          return [variant, groupLabel(params)];
        },
      );
      add(
        `pruned-${metric}-vs-sparsity.svg`,
        title,
        lineChartSvg({
          title,
          xLabel: 'target sparsity (fraction removed)',
          yLabel: `${metric} accuracy after fine-tuning`,
          series,
          percent: true,
        }),
      );
    }

  const barMetrics = ['worst-case', 'train-seconds'];
  if (report.target !== undefined) barMetrics.push('epochs-to-target');
  for (const ax of categorical)
    for (const metric of barMetrics) {
      const others = [...new Set(rows.map((r) => JSON.stringify(without(r.params, ax.name))))].map(
        (o) => JSON.parse(o) as Record<string, AxisLabel>,
      );
      const series = others.map((o) => ({
        name: groupLabel(o),
        values: ax.labels.map((l) =>
          find(JSON.stringify(withParam(report, o, ax.name, l)), 'base', metric),
        ),
      }));
      if (!series.some((s) => s.values.some((v) => v !== null))) continue;
      const title = `${report.name}: ${metric} by ${ax.name}`;
      const percent = isAccuracyMetric(metric);
      add(
        `bars-${metric}-by-${ax.name}.svg`,
        title,
        barChartSvg({
          title,
          xLabel: ax.name,
          yLabel: percent ? `${metric} accuracy` : metric,
          groups: ax.labels.map(String),
          series,
          percent,
        }),
      );
    }
  return plots;
}

/** Accuracies of a model on the test split (not times, counts or transfer figures). */
function isPlainAccuracy(metric: string): boolean {
  return (
    isAccuracyMetric(metric) &&
    !metric.startsWith('transfer-') &&
    metric !== 'final-val-adv' &&
    metric !== 'weights-removed'
  );
}

/** The sparsity of a pruned variant's label `<method>@<sparsity>`, or null. */
export function sparsityOf(variant: string): number | null {
  const at = variant.lastIndexOf('@');
  if (at < 0) return null;
  const s = variant.slice(at + 1);
  const v = Number(s);
  return s !== '' && Number.isFinite(v) ? v : null;
}

function without(p: Record<string, AxisLabel>, name: string): Record<string, AxisLabel> {
  return Object.fromEntries(Object.entries(p).filter(([k]) => k !== name));
}

/** `others` with axis `name` = `label`, keys in the report's axis order (as summary rows are). */
function withParam(
  report: SweepReport,
  others: Record<string, AxisLabel>,
  name: string,
  label: AxisLabel,
): Record<string, AxisLabel> {
  const all: Record<string, AxisLabel> = { ...others, [name]: label };
  return Object.fromEntries(
    report.axes.filter((a) => a.name in all).map((a) => [a.name, all[a.name]]),
  );
}

/** Rows → one line per series key, points sorted by x. */
function lines(
  rows: readonly SweepSummaryRow[],
  x: (r: SweepSummaryRow) => number,
  series: (r: SweepSummaryRow) => [string, string],
): LineSeries[] {
  const out = new Map<string, LineSeries>();
  for (const r of rows) {
    const [a, b] = series(r);
    const name = b === 'all' ? a : `${a}, ${b}`;
    if (!out.has(name)) out.set(name, { name, points: [] });
    out.get(name)?.points.push({ x: x(r), mean: r.mean, std: r.std });
  }
  for (const s of out.values()) s.points.sort((p, q) => p.x - q.x);
  return [...out.values()];
}
