/**
 * Data types of a sweep: a grid over config fields (seeds × methods × sparsities × attacks, …)
 * expanded into cells, run in shards (`--shard i/N`) and merged into one sweep report. Shared by
 * the CLI (sweep.ts, merge) and the dashboard's report viewer; plain JSON.
 */
import type { ExperimentReport } from './report';

export const SWEEP_REPORT_FORMAT = 'advprune-sweep-report';
export const SWEEP_REPORT_VERSION = 1;

/** A scalar label of one axis value, e.g. 'accelat' for `{ kind: 'accelat', … }` or 3 for a seed. */
export type AxisLabel = string | number;

/** One axis of the grid: a dotted path into the experiment config and the values it takes. */
export interface SweepAxis {
  /** short name used in tables and plots, e.g. 'seed', 'schedule', 'sparsity' */
  name: string;
  /** dotted path of the config field it overrides, e.g. 'train.schedule' or 'prune.sparsities' */
  path: string;
  values: unknown[];
  /** one label per value (default: the value itself when scalar, else its index) */
  labels: AxisLabel[];
}

/** One finished cell of the grid: its coordinates and its run's report. */
export interface SweepCell {
  /** position in the expanded grid (row-major over the axes, the first axis slowest) */
  index: number;
  /** axis name → label of this cell's value */
  params: Record<string, AxisLabel>;
  report: ExperimentReport;
}

/** One scalar read off a report: e.g. variant 'magnitude@0.9', metric 'pgd-linf'. */
export interface MetricRow {
  /** 'base' for the trained/loaded model, else the pruned variant's label */
  variant: string;
  /** 'clean', an attack name, 'worst-case', 'epochs-to-target', 'wall-seconds', … */
  metric: string;
  value: number;
}

/** Mean ± sample standard deviation over the seed axis of one (params, variant, metric). */
export interface SweepSummaryRow {
  /** the cell's params without the seed axis */
  params: Record<string, AxisLabel>;
  variant: string;
  metric: string;
  /** number of seeds that produced a finite value */
  n: number;
  mean: number;
  /** sample standard deviation (n − 1); 0 when n = 1 */
  std: number;
  values: number[];
}

/**
 * The speed metric 'epochs-to-settle' (sweep-summary.ts settleRows): within each group of cells
 * that differ only in `axis` (the seed kept, so per seed), the best validation adversarial
 * accuracy any cell reached at any epoch; each cell's first epoch from which its accuracy stays
 * ≥ best − `margin` through the last epoch.
 */
export interface SettleSpec {
  /** the axis compared (e.g. 'schedule'); not the seed axis */
  axis: string;
  /** accuracy points below the group's best that still count as there, in [0, 1] */
  margin: number;
  /** a label of `axis` (e.g. 'constant'): also report each cell's speed-up against it */
  baseline?: AxisLabel;
}

export interface SweepReport {
  format: typeof SWEEP_REPORT_FORMAT;
  version: typeof SWEEP_REPORT_VERSION;
  name: string;
  axes: SweepAxis[];
  /** total cells in the grid */
  cells: number;
  /** the shards merged into this report, e.g. [{ index: 0, count: 4 }, …] */
  shards: { index: number; count: number }[];
  /** finished cells, sorted by index (a partial merge lists only what ran) */
  runs: SweepCell[];
  /** indices of grid cells missing from `runs` */
  missing: number[];
  summary: SweepSummaryRow[];
  /** the sweep's validation adversarial accuracy target of 'epochs-to-target', when set */
  target?: number;
  /** the sweep's 'epochs-to-settle' rule, when set */
  settle?: SettleSpec;
}
