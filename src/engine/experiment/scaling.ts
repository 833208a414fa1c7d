/**
 * Cost as the work grows (issue 13, item 3): the pure side of the benchmark's scaling rows
 * (bench/tasks/scaling.ts, `npm run bench -- --tasks scaling`): least-squares fits of the time
 * against the work, predictions from them, and the SVG plots of docs/benchmarks.md. No tfjs.
 *
 * A scaling row is a benchmark row with an `axis`:
 * - 'batch': one training step (`scaling-train-standard`, `scaling-train-pgd7-at`) at batch `x`;
 * - 'images': one slider move (`scaling-slider-clean+transfer`, `scaling-slider-white-box`) or
 *   the evaluator's setup (`scaling-slider-setup`, the transfer set crafted once) over `x` images;
 * - 'model': one training step at the row's `batch` of an architecture with `macs` MACs per image
 *   (x = macs) and `params` parameters.
 * Fits: time ≈ a + b·n with n the batch (training steps: every row of a task, model and backend,
 * from the 'batch' and the 'model' axes) or the images (slider rows); a is the fixed cost per
 * call (dispatch, weights, the read), b the cost per image.
 */
import { markdownTable } from '../markdown-table';
import { lineChartSvg, type LineSeries } from './plots';

export type ScalingAxis = 'batch' | 'images' | 'model';

/** The fields of a benchmark row (bench/lib/results.ts, ResultRow) that the scaling side reads. */
export interface ScalingRow {
  task: string;
  model: string;
  backend: string;
  batch: number;
  median_ms: number;
  p95_ms: number;
  axis?: ScalingAxis;
  /** the work on the axis: batch size, image count, or MACs per image */
  x?: number;
  params?: number;
  macs?: number;
}

export interface LinearFit {
  /** intercept: the fixed cost per call, ms */
  a: number;
  /** slope: ms per unit of x (per image) */
  b: number;
  /** coefficient of determination on the fitted points (1 with two points) */
  r2: number;
  /** points fitted */
  n: number;
}

/**
 * Ordinary least squares y ≈ a + b·x. Null with fewer than two distinct finite x (no slope to
 * fit). r2 is 1 when y is constant and fitted exactly.
 */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit | null {
  const pts: [number, number][] = [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++)
    if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) pts.push([xs[i], ys[i]]);
  const n = pts.length;
  if (new Set(pts.map((p) => p[0])).size < 2) return null;
  const mx = pts.reduce((s, p) => s + p[0], 0) / n;
  const my = pts.reduce((s, p) => s + p[1], 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of pts) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  const b = sxy / sxx;
  const a = my - b * mx;
  let ssr = 0;
  for (const [x, y] of pts) ssr += (y - (a + b * x)) ** 2;
  return { a, b, r2: syy > 0 ? 1 - ssr / syy : ssr === 0 ? 1 : 0, n };
}

/** The fit's time at x, ms. */
export const predictMs = (f: Pick<LinearFit, 'a' | 'b'>, x: number): number => f.a + f.b * x;

/** The scaling tasks' own names without the `scaling-` prefix ('train-pgd7-at'). */
export const shortTask = (task: string): string => task.replace(/^scaling-/, '');

export interface ScalingFit {
  task: string;
  model: string;
  backend: string;
  /** what n counts: the batch (training steps) or the evaluation images (slider rows) */
  per: 'batch' | 'images';
  /** median ms ≈ a + b·n */
  fit: LinearFit;
  /** the fitted range of n */
  range: [number, number];
}

const isStep = (r: ScalingRow) => r.axis === 'batch' || r.axis === 'model';

/**
 * One fit of the median per (task, model, backend): training steps against the batch (the rows
 * of the 'batch' and 'model' axes together), slider rows against the images. Groups with fewer
 * than two distinct n are left out. In the order the groups first appear.
 */
export function scalingFits(rows: readonly ScalingRow[]): ScalingFit[] {
  const groups = new Map<string, { r: ScalingRow; ns: number[]; ms: number[] }>();
  for (const r of rows) {
    if (!r.axis) continue;
    const n = isStep(r) ? r.batch : r.x;
    if (n === undefined) continue;
    const k = JSON.stringify([r.task, r.model, r.backend, isStep(r)]);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { r, ns: [], ms: [] }));
    g.ns.push(n);
    g.ms.push(r.median_ms);
  }
  const out: ScalingFit[] = [];
  for (const { r, ns, ms } of groups.values()) {
    const fit = linearFit(ns, ms);
    if (fit)
      out.push({
        task: r.task,
        model: r.model,
        backend: r.backend,
        per: isStep(r) ? 'batch' : 'images',
        fit,
        range: [Math.min(...ns), Math.max(...ns)],
      });
  }
  return out;
}

/**
 * Seconds for one epoch of `trainImages` images at batch `batch` from a step fit: ⌈N / B⌉ steps
 * of a + b·B ms (the last, smaller batch counted as full: an upper estimate by at most one step).
 */
export function epochSeconds(f: Pick<LinearFit, 'a' | 'b'>, batch: number, trainImages: number) {
  return (Math.ceil(trainImages / batch) * predictMs(f, batch)) / 1000;
}

const compact = (v: number): string =>
  v >= 1e6 ? `${+(v / 1e6).toPrecision(3)}M` : v >= 1e3 ? `${+(v / 1e3).toPrecision(3)}k` : `${v}`;

/** Series of one axis: one colour per (task, backend), the median solid and the p95 dashed. */
function seriesOf(
  rows: readonly ScalingRow[],
  axis: ScalingAxis,
  keyOf: (r: ScalingRow) => string,
): LineSeries[] {
  const groups = new Map<string, ScalingRow[]>();
  for (const r of rows) {
    if (r.axis !== axis || r.x === undefined) continue;
    const k = keyOf(r);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const series: LineSeries[] = [];
  [...groups.entries()].forEach(([name, g], i) => {
    const sorted = [...g].sort((p, q) => (p.x as number) - (q.x as number));
    series.push({
      name,
      color: i,
      points: sorted.map((r) => ({ x: r.x as number, mean: r.median_ms })),
    });
    series.push({
      name: `${name} p95`,
      color: i,
      dashed: true,
      legend: false,
      points: sorted.map((r) => ({ x: r.x as number, mean: r.p95_ms })),
    });
  });
  return series;
}

export interface ScalingPlot {
  /** file name, e.g. 'scaling-batch.svg' */
  file: string;
  title: string;
  svg: string;
}

/**
 * The scaling plots of a set of rows, each where its axis has rows: `scaling-batch.svg` (ms per
 * training step against the batch), `scaling-images.svg` (ms per slider move and the evaluator's
 * setup against the evaluation images), `scaling-model.svg` (ms per step against MACs per image,
 * the ticks naming the architectures). Log–log axes; the median solid, the p95 dashed.
 * `subtitle` (e.g. the load the figures were measured under) ends each title.
 */
export function scalingPlots(rows: readonly ScalingRow[], subtitle = ''): ScalingPlot[] {
  const out: ScalingPlot[] = [];
  const sub = subtitle ? ` (${subtitle})` : '';
  const xsOf = (axis: ScalingAxis) =>
    [
      ...new Set(
        rows.filter((r) => r.axis === axis && r.x !== undefined).map((r) => r.x as number),
      ),
    ].sort((a, b) => a - b);
  // the model goes in the title when the axis has one (the legend clips past 32 characters)
  const modelsOf = (axis: ScalingAxis) => [
    ...new Set(rows.filter((r) => r.axis === axis).map((r) => r.model)),
  ];
  const label = (axis: ScalingAxis) => {
    const one = modelsOf(axis).length === 1;
    return (r: ScalingRow) =>
      `${shortTask(r.task).replace(/^slider-/, '')}${one ? '' : `, ${r.model}`}, ${r.backend}`;
  };
  const titled = (axis: ScalingAxis, title: string) => {
    const m = modelsOf(axis);
    return m.length === 1 ? `${m[0]} ${title}` : title;
  };
  const add = (
    file: string,
    title: string,
    axis: ScalingAxis,
    xLabel: string,
    yLabel: string,
    key: (r: ScalingRow) => string,
    fmt?: (v: number) => string,
  ) => {
    const series = seriesOf(rows, axis, key);
    if (series.length === 0) return;
    const t = `${title}${sub}`;
    out.push({
      file,
      title: t,
      svg: lineChartSvg({
        title: t,
        xLabel,
        yLabel,
        series,
        logX: true,
        logY: true,
        xTicks: xsOf(axis),
        xTickFormat: fmt,
      }),
    });
  };
  add(
    'scaling-batch.svg',
    titled('batch', 'training step vs batch size'),
    'batch',
    'batch size (log)',
    'ms per step (log; p95 dashed)',
    label('batch'),
  );
  add(
    'scaling-images.svg',
    titled('images', 'slider vs evaluation images'),
    'images',
    'evaluation images (log)',
    'ms (log; p95 dashed)',
    label('images'),
  );
  const names = new Map<number, string>();
  for (const r of rows)
    if (r.axis === 'model' && r.x !== undefined) names.set(r.x, `${r.model} ${compact(r.x)}`);
  add(
    'scaling-model.svg',
    'training step vs model size',
    'model',
    'MACs per image (log)',
    'ms per step (log; p95 dashed)',
    (r) => `${shortTask(r.task)}, b${r.batch}, ${r.backend}`,
    (v) => names.get(v) ?? compact(v),
  );
  return out;
}

/** Fashion-MNIST's training images: the epoch the prediction table speaks of. */
export const EPOCH_IMAGES = 60_000;

const ms = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
const duration = (sec: number) =>
  sec >= 7200
    ? `${(sec / 3600).toFixed(1)} h`
    : sec >= 90
      ? `${(sec / 60).toFixed(1)} min`
      : `${sec.toFixed(sec >= 10 ? 0 : 1)} s`;

/**
 * The "predict your wait" tables of docs/benchmarks.md from the fits: every fit (a, b, r², the
 * range fitted) and, for the training steps, the predicted seconds per epoch of `epochImages`
 * images at each of `batches`. A prediction outside the fitted range is marked "(extrapolated)".
 */
export function scalingMarkdown(
  fits: readonly ScalingFit[],
  batches: readonly number[] = [64, 128],
  epochImages = EPOCH_IMAGES,
): string {
  const fitTable = markdownTable(
    ['task', 'model', 'backend', 'n', 'a (ms)', 'b (ms per image)', 'r²', 'points, range of n'],
    fits.map((f) => [
      shortTask(f.task),
      f.model,
      f.backend,
      f.per,
      ms(f.fit.a),
      f.fit.b.toPrecision(3),
      f.fit.r2.toFixed(3),
      `${f.fit.n}, ${f.range[0]}-${f.range[1]}`,
    ]),
  );
  const steps = fits.filter((f) => f.per === 'batch');
  if (steps.length === 0) return fitTable;
  const epochTable = markdownTable(
    ['task', 'model', 'backend', ...batches.map((b) => `epoch at batch ${b}`)],
    steps.map((f) => [
      shortTask(f.task),
      f.model,
      f.backend,
      ...batches.map(
        (b) =>
          duration(epochSeconds(f.fit, b, epochImages)) +
          (b < f.range[0] || b > f.range[1] ? ' (extrapolated)' : ''),
      ),
    ]),
  );
  return `${fitTable}\n\nPredicted time per epoch of ${epochImages.toLocaleString('en-US')} images (⌈N / B⌉ steps of a + b·B ms; validation and evaluation not included):\n\n${epochTable}`;
}
