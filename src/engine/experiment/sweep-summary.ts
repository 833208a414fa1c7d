/**
 * Metrics of a sweep: `reportMetrics` flattens one experiment report into scalar rows (variant ×
 * metric), `summarizeSweep` groups the rows of many cells by their params without the seed axis
 * and reports mean ± sample standard deviation over the seeds. The same rows feed the markdown
 * summary, the SVG plots and the dashboard's report viewer. Pure; accuracies are fractions in
 * [0, 1], times in seconds, epochs counted from 1.
 */
import type { EpochMetrics } from '../train/types';
import type { EvaluationReport, ExperimentReport } from './report';
import {
  SWEEP_REPORT_FORMAT,
  SWEEP_REPORT_VERSION,
  type AxisLabel,
  type MetricRow,
  type SettleSpec,
  type SweepAxis,
  type SweepCell,
  type SweepReport,
  type SweepSummaryRow,
} from './sweep-types';

export interface MetricOptions {
  /** validation adversarial accuracy in [0, 1] that 'epochs-to-target' waits for */
  target?: number;
  /** the 'epochs-to-settle' rule (a cross-cell metric: summarizeSweep only) */
  settle?: SettleSpec;
}

/** Metrics that are not accuracies (shown as numbers, not percentages). */
export const NON_ACCURACY_METRICS: ReadonlySet<string> = new Set([
  'wall-seconds',
  'train-seconds',
  'fine-tune-seconds',
  'epochs-to-target',
  'seconds-to-target',
  'inference-ms',
  'epochs-to-settle',
  'seconds-to-settle',
  'speedup-epochs',
  'speedup-seconds',
  'epochs-to-settle-fixed',
  'seconds-to-settle-fixed',
  'speedup-epochs-fixed',
  'speedup-seconds-fixed',
  'epochs-to-baseline',
  'speedup-to-baseline',
  'epochs-to-baseline-fixed',
  'speedup-to-baseline-fixed',
]);

/** Metric names of times, counts and losses, in reports of any version (not accuracies). */
const NOT_ACCURACY_NAME = /second|epoch|step|param|mac|count|time|loss|speedup|ms$/i;

/**
 * Whether a sweep metric is an accuracy in [0, 1] ('clean', 'pgd-linf', 'worst-case', …): the one
 * rule for the CLI's tables, the plots and the dashboard's report views and validation.
 */
export function isAccuracyMetric(metric: string): boolean {
  return !NON_ACCURACY_METRICS.has(metric) && !NOT_ACCURACY_NAME.test(metric);
}

/** Tolerance of the settle comparison (accuracies are fractions k/n; best − margin is rounded). */
const SETTLE_EPS = 1e-9;

/**
 * The first epoch (from 1) from which every evaluated accuracy, through the last evaluated
 * epoch, is ≥ `level` (epochs not evaluated, null, are skipped); NaN when the last evaluated
 * epoch is below `level` or none was evaluated.
 */
export function settleEpoch(accs: readonly (number | null | undefined)[], level: number): number {
  let first = NaN;
  for (let i = accs.length - 1; i >= 0; i--) {
    const a = accs[i];
    if (a === null || a === undefined) continue;
    if (a < level - SETTLE_EPS) break;
    first = i + 1;
  }
  return first;
}

type SettleEpoch = Pick<EpochMetrics, 'valAdvAcc' | 'valFixedAdvAcc' | 'wallSec'>;

/** The two curves a settle can be read on: live PGD validation, and the offline fixed set. */
const SETTLE_CURVES = [
  { suffix: '', acc: (e: SettleEpoch) => e.valAdvAcc },
  { suffix: '-fixed', acc: (e: SettleEpoch) => e.valFixedAdvAcc },
] as const;

/**
 * The settle metrics of each cell's base training curve, by cell index (see SettleSpec): per
 * curve (live validation PGD accuracy; '-fixed': the offline protocol's fixed adversarial
 * validation set, where recorded), 'epochs-to-settle' and 'seconds-to-settle' (the offline sets'
 * making plus the epochs' wall time through that epoch) and, with a baseline, 'speedup-epochs'
 * and 'speedup-seconds' = baseline's / this cell's (same group, so the same seed). With a
 * baseline also 'epochs-to-baseline': the first epoch from which the cell stays at or above the
 * baseline's own best − margin (what the baseline reaches, reached sooner?), and
 * 'speedup-to-baseline' = the baseline's epochs to that level / this cell's; both exist for a
 * schedule that never comes near the group's best. The group's best is over the cells given: a
 * partial merge gives provisional figures. NaN: never settled (or no baseline figure).
 */
export function settleRows(
  runs: readonly SweepCell[],
  settle: SettleSpec,
): Map<number, MetricRow[]> {
  const key = (c: SweepCell) =>
    JSON.stringify(Object.entries(c.params).filter(([k]) => k !== settle.axis));
  const groups = new Map<string, SweepCell[]>();
  for (const c of runs) {
    if (!c.report.training) continue;
    const k = key(c);
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  const out = new Map<number, MetricRow[]>();
  for (const cells of groups.values()) {
    for (const curve of SETTLE_CURVES) {
      const curveOf = (c: SweepCell) => (c.report.training?.epochs ?? []).map(curve.acc);
      const all = cells.flatMap((c) =>
        curveOf(c).filter((a): a is number => typeof a === 'number'),
      );
      if (all.length === 0) continue;
      const level = Math.max(...all) - settle.margin;
      const figures = new Map<SweepCell, { epochs: number; seconds: number }>();
      for (const c of cells) {
        const t = c.report.training;
        if (!t) continue;
        const epochs = settleEpoch(curveOf(c), level);
        let seconds = t.offlineSets?.seconds ?? 0;
        for (let i = 0; i < epochs; i++) seconds += t.epochs[i].wallSec;
        figures.set(c, { epochs, seconds: Number.isNaN(epochs) ? NaN : seconds });
      }
      const base =
        settle.baseline === undefined
          ? undefined
          : cells.find((c) => String(c.params[settle.axis]) === String(settle.baseline));
      const b = base ? figures.get(base) : undefined;
      // the baseline's own plateau: its best − margin, and when each cell holds it
      const baseCurve = base ? curveOf(base).filter((a): a is number => typeof a === 'number') : [];
      const baseLevel = baseCurve.length > 0 ? Math.max(...baseCurve) - settle.margin : NaN;
      const toBase = new Map<SweepCell, number>();
      for (const c of cells)
        toBase.set(c, Number.isNaN(baseLevel) ? NaN : settleEpoch(curveOf(c), baseLevel));
      const baseToBase = base ? (toBase.get(base) ?? NaN) : NaN;
      for (const [c, f] of figures) {
        const rows = out.get(c.index) ?? [];
        rows.push({ variant: 'base', metric: `epochs-to-settle${curve.suffix}`, value: f.epochs });
        rows.push({
          variant: 'base',
          metric: `seconds-to-settle${curve.suffix}`,
          value: f.seconds,
        });
        if (settle.baseline !== undefined) {
          rows.push({
            variant: 'base',
            metric: `speedup-epochs${curve.suffix}`,
            value: b ? b.epochs / f.epochs : NaN,
          });
          rows.push({
            variant: 'base',
            metric: `speedup-seconds${curve.suffix}`,
            value: b ? b.seconds / f.seconds : NaN,
          });
          const e = toBase.get(c) ?? NaN;
          rows.push({ variant: 'base', metric: `epochs-to-baseline${curve.suffix}`, value: e });
          rows.push({
            variant: 'base',
            metric: `speedup-to-baseline${curve.suffix}`,
            value: baseToBase / e,
          });
        }
        out.set(c.index, rows);
      }
    }
  }
  return out;
}

/** 'clean', one row per attack ('name', or 'name#k' when an attack appears twice), 'worst-case'. */
function accuracyRows(variant: string, ev: EvaluationReport): MetricRow[] {
  const rows: MetricRow[] = [{ variant, metric: 'clean', value: ev.cleanAccuracy }];
  if (ev.cleanFull) rows.push({ variant, metric: 'clean-full', value: ev.cleanFull.accuracy });
  const counts = new Map<string, number>();
  for (const a of ev.attacks) counts.set(a.name, (counts.get(a.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const a of ev.attacks) {
    const k = (seen.get(a.name) ?? 0) + 1;
    seen.set(a.name, k);
    const metric = (counts.get(a.name) ?? 0) > 1 ? `${a.name}#${k}` : a.name;
    rows.push({ variant, metric, value: a.robustAccuracy });
  }
  rows.push({ variant, metric: 'worst-case', value: ev.worstCaseAccuracy });
  return rows;
}

type CurveEpoch = Pick<EpochMetrics, 'valAdvAcc' | 'wallSec'>;

/** 'final-val-adv' and, with a target, 'epochs-to-target' / 'seconds-to-target' (NaN: never). */
function curveRows(variant: string, epochs: readonly CurveEpoch[], target?: number): MetricRow[] {
  const rows: MetricRow[] = [];
  const last = [...epochs].reverse().find((e) => e.valAdvAcc !== null);
  if (last) rows.push({ variant, metric: 'final-val-adv', value: last.valAdvAcc as number });
  if (target !== undefined) {
    let seconds = 0;
    let hit = -1;
    for (let i = 0; i < epochs.length && hit < 0; i++) {
      seconds += epochs[i].wallSec;
      const v = epochs[i].valAdvAcc;
      if (v !== null && v >= target) hit = i;
    }
    rows.push({ variant, metric: 'epochs-to-target', value: hit < 0 ? NaN : hit + 1 });
    rows.push({ variant, metric: 'seconds-to-target', value: hit < 0 ? NaN : seconds });
  }
  return rows;
}

/** Label of a pruned variant: `<method>@<sparsity>` (method: the criterion's label). */
export const variantLabel = (method: string, sparsity: number): string => `${method}@${sparsity}`;

/**
 * Flattens a report: variant 'base' (clean, each attack, worst-case, wall-seconds, train-seconds,
 * final-val-adv, epochs/seconds-to-target), each pruned variant `<method>@<sparsity>` (the same
 * accuracies, fine-tune-seconds, weights-removed, final-val-adv and target metrics of its
 * fine-tuning) and, with a transfer benchmark, per pruned target and attack label
 * 'transfer-robust:<attack>', 'transfer-accuracy:<attack>' and 'inference-ms'.
 * NaN marks a target never reached.
 */
export function reportMetrics(report: ExperimentReport, opts: MetricOptions = {}): MetricRow[] {
  const target = opts.target;
  const rows = accuracyRows('base', report.evaluation);
  rows.push({ variant: 'base', metric: 'wall-seconds', value: report.wallSeconds });
  if (report.training) {
    rows.push({ variant: 'base', metric: 'train-seconds', value: report.training.wallSeconds });
    rows.push(...curveRows('base', report.training.epochs, target));
  }
  const used = new Map<string, number>();
  const unique = (label: string) => {
    const k = (used.get(label) ?? 0) + 1;
    used.set(label, k);
    return k === 1 ? label : `${label}#${k}`;
  };
  for (const p of report.pruning ?? []) {
    const v = unique(variantLabel(p.method, p.sparsity));
    rows.push(...accuracyRows(v, p.evaluation));
    rows.push({ variant: v, metric: 'weights-removed', value: p.sparsityReport.global.sparsity });
    rows.push({ variant: v, metric: 'fine-tune-seconds', value: p.fineTune.seconds });
    rows.push(...curveRows(v, p.fineTune.epochs, target));
  }
  const t = report.transfer;
  if (t) {
    rows.push({ variant: 'base', metric: 'inference-ms', value: t.base.inferenceMs });
    const timed = new Set<string>();
    for (const c of t.cells) {
      const v = variantLabel(c.method, c.sparsity);
      rows.push({ variant: v, metric: `transfer-robust:${c.attack}`, value: c.transferRobust });
      rows.push({ variant: v, metric: `transfer-accuracy:${c.attack}`, value: c.transferAccuracy });
      if (!timed.has(v)) rows.push({ variant: v, metric: 'inference-ms', value: c.inferenceMs });
      timed.add(v);
    }
  }
  return rows;
}

/** Mean and sample standard deviation (n − 1; 0 when n = 1) of finite values; NaN when none. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

/** The params of a cell without the seed axis. */
export function withoutSeed(
  params: Record<string, AxisLabel>,
  seedAxis = 'seed',
): Record<string, AxisLabel> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => k !== seedAxis));
}

/**
 * Groups the cells' metric rows by (params without the seed axis, variant, metric), in order of
 * first appearance (cells by index), and reports n, mean and sample std over the finite values.
 * Groups with no finite value (a target no seed reached) are left out: JSON has no NaN.
 * @param seedAxis the axis whose values are replicates (default 'seed'; absent: n = 1 per group)
 */
export function summarizeSweep(
  runs: readonly SweepCell[],
  seedAxis = 'seed',
  opts: MetricOptions = {},
): SweepSummaryRow[] {
  const groups = new Map<string, SweepSummaryRow>();
  const sorted = [...runs].sort((a, b) => a.index - b.index);
  const settled = opts.settle ? settleRows(sorted, opts.settle) : new Map<number, MetricRow[]>();
  for (const cell of sorted) {
    const params = withoutSeed(cell.params, seedAxis);
    const key = JSON.stringify(params);
    for (const row of [...reportMetrics(cell.report, opts), ...(settled.get(cell.index) ?? [])]) {
      const k = JSON.stringify([key, row.variant, row.metric]);
      let g = groups.get(k);
      if (!g) {
        g = {
          params,
          variant: row.variant,
          metric: row.metric,
          n: 0,
          mean: NaN,
          std: NaN,
          values: [],
        };
        groups.set(k, g);
      }
      if (Number.isFinite(row.value)) g.values.push(row.value);
    }
  }
  const out: SweepSummaryRow[] = [];
  for (const g of groups.values()) {
    if (g.values.length === 0) continue;
    out.push({ ...g, n: g.values.length, ...meanStd(g.values) });
  }
  return out;
}

/**
 * A sweep report over `runs` (any subset of the grid): runs sorted by index, the grid cells not
 * among them listed as missing, the summary computed over what is there.
 */
export function makeSweepReport(
  sweep: { name: string; axes: SweepAxis[]; cells: number; target?: number; settle?: SettleSpec },
  shards: { index: number; count: number }[],
  runs: readonly SweepCell[],
  seedAxis = 'seed',
): SweepReport {
  const sorted = [...runs].sort((a, b) => a.index - b.index);
  const have = new Set(sorted.map((r) => r.index));
  const missing: number[] = [];
  for (let i = 0; i < sweep.cells; i++) if (!have.has(i)) missing.push(i);
  const report: SweepReport = {
    format: SWEEP_REPORT_FORMAT,
    version: SWEEP_REPORT_VERSION,
    name: sweep.name,
    axes: sweep.axes,
    cells: sweep.cells,
    shards: [...shards].sort((a, b) => a.count - b.count || a.index - b.index),
    runs: sorted,
    missing,
    summary: summarizeSweep(sorted, seedAxis, { target: sweep.target, settle: sweep.settle }),
  };
  if (sweep.target !== undefined) report.target = sweep.target;
  if (sweep.settle !== undefined) report.settle = sweep.settle;
  return report;
}
