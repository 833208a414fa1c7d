/**
 * Shaping a sweep report for its charts and tables: which axis holds the seeds, which numeric
 * axes can be an x axis, mean ± std of one summary metric against that axis (one line per value
 * of the other axes and variant), and the mean validation adversarial accuracy per epoch of each
 * group of runs that differ only in their seed. Pure: tested in Node.
 */
import type { OverlayRow } from './series';
import type { AxisLabelView, SweepView } from './sweep-schema';

type Params = Record<string, AxisLabelView>;

/** The x axis taken from the variants' `<method>@<sparsity>` labels rather than from an axis. */
export const VARIANT_SPARSITY = '@sparsity';

const VARIANT_AT = /^(.*)@(\d+(?:\.\d+)?(?:e-?\d+)?)$/;

/** `name=value, …` of a cell's params in axis order (keys not among the axes last). */
export function formatParams(params: Params, order: readonly string[] = []): string {
  const keys = [
    ...order.filter((k) => k in params),
    ...Object.keys(params).filter((k) => !order.includes(k)),
  ];
  return keys.length === 0 ? '—' : keys.map((k) => `${k}=${String(params[k])}`).join(', ');
}

/** The name of the seed axis (named 'seed' or overriding a `seed` field), or null. */
export function seedAxis(sweep: SweepView): string | null {
  const a = sweep.axes.find(
    (x) => x.name === 'seed' || x.path === 'seed' || x.path.endsWith('.seed'),
  );
  return a?.name ?? null;
}

/** Metric names of the summary, in order of first appearance. */
export function summaryMetrics(sweep: SweepView): string[] {
  return [...new Set(sweep.summary.map((r) => r.metric))];
}

/**
 * Axes usable as a numeric x: not the seed axis, every label a number, more than one value;
 * plus VARIANT_SPARSITY when variants are labelled `<method>@<sparsity>` at several sparsities.
 */
export function numericAxes(sweep: SweepView): string[] {
  const seed = seedAxis(sweep);
  const out = sweep.axes
    .filter((a) => a.name !== seed && a.labels.length > 1)
    .filter((a) => a.labels.every((l) => typeof l === 'number'))
    .map((a) => a.name);
  const at = new Set(
    sweep.summary.map((r) => VARIANT_AT.exec(r.variant)?.[2]).filter((s) => s !== undefined),
  );
  if (at.size > 1) out.push(VARIANT_SPARSITY);
  return out;
}

/** One line of a chart: its data key and a readable label. */
export interface SeriesInfo {
  key: string;
  label: string;
}

/**
 * Mean ± std of `metric` against the axis `x` (an axis name or VARIANT_SPARSITY): one series per
 * (other params, variant), rows sorted by x, with `<key>` the mean and `<key>:std` the sample
 * standard deviation over seeds.
 */
export function metricSeries(
  sweep: SweepView,
  metric: string,
  x: string,
): { series: SeriesInfo[]; rows: OverlayRow[] } {
  const order = sweep.axes.map((a) => a.name);
  const series = new Map<string, SeriesInfo>();
  const rows = new Map<number, OverlayRow>();
  for (const r of sweep.summary) {
    if (r.metric !== metric) continue;
    let xv: number;
    let variant = r.variant;
    const rest: Params = { ...r.params };
    if (x === VARIANT_SPARSITY) {
      const m = VARIANT_AT.exec(r.variant);
      if (!m) continue;
      variant = m[1];
      xv = Number(m[2]);
    } else {
      const v = r.params[x];
      if (typeof v !== 'number') continue;
      xv = v;
      delete rest[x];
    }
    const label = [formatParams(rest, order), variant].filter((s) => s !== '—').join(' · ');
    const key = `s${series.size}`;
    const info = series.get(label) ?? { key, label };
    series.set(label, info);
    const row = rows.get(xv) ?? ({ x: xv } as OverlayRow);
    row[info.key] = r.mean;
    row[`${info.key}:std`] = r.std;
    rows.set(xv, row);
  }
  return { series: [...series.values()], rows: [...rows.values()].sort((a, b) => a.x - b.x) };
}

/**
 * Mean and sample std over seeds of the validation adversarial accuracy per epoch (from 1), one
 * series per group of runs with equal non-seed params (labelled 'all runs' when the seed is the
 * only axis); runs without training are left out.
 * `<key>` holds the mean, `<key>:std` the std, `<key>:n` how many runs had that epoch.
 */
export function meanTrainingCurves(sweep: SweepView): { series: SeriesInfo[]; rows: OverlayRow[] } {
  const seed = seedAxis(sweep);
  const order = sweep.axes.map((a) => a.name);
  const groups = new Map<string, { info: SeriesInfo; byEpoch: Map<number, number[]> }>();
  for (const cell of sweep.runs) {
    const epochs = cell.report.training?.epochs ?? [];
    if (epochs.length === 0) continue;
    const rest: Params = { ...cell.params };
    if (seed !== null) delete rest[seed];
    const label = Object.keys(rest).length === 0 ? 'all runs' : formatParams(rest, order);
    const g = groups.get(label) ?? {
      info: { key: `g${groups.size}`, label },
      byEpoch: new Map<number, number[]>(),
    };
    groups.set(label, g);
    for (const e of epochs) {
      if (e.valAdvAcc === null) continue;
      const list = g.byEpoch.get(e.epoch + 1) ?? [];
      list.push(e.valAdvAcc);
      g.byEpoch.set(e.epoch + 1, list);
    }
  }
  const rows = new Map<number, OverlayRow>();
  for (const { info, byEpoch } of groups.values()) {
    for (const [x, values] of byEpoch) {
      const row = rows.get(x) ?? ({ x } as OverlayRow);
      const { mean, std } = meanStd(values);
      row[info.key] = mean;
      row[`${info.key}:std`] = std;
      row[`${info.key}:n`] = values.length;
      rows.set(x, row);
    }
  }
  return {
    series: [...groups.values()].map((g) => g.info),
    rows: [...rows.values()].sort((a, b) => a.x - b.x),
  };
}

/** Mean and sample standard deviation (n − 1; 0 for one value) of a non-empty list. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, std: 0 };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

/**
 * The params of grid cell `index` (row-major over the axes, the first axis slowest), or null
 * when the index lies outside the grid; used to name the missing cells.
 */
export function cellParams(sweep: SweepView, index: number): Params | null {
  const size = sweep.axes.reduce((n, a) => n * a.labels.length, 1);
  if (!Number.isInteger(index) || index < 0 || index >= size) return null;
  const out: Params = {};
  let rest = index;
  for (let i = sweep.axes.length - 1; i >= 0; i--) {
    const a = sweep.axes[i];
    out[a.name] = a.labels[rest % a.labels.length];
    rest = Math.floor(rest / a.labels.length);
  }
  return Object.fromEntries(sweep.axes.map((a) => [a.name, out[a.name]]));
}
