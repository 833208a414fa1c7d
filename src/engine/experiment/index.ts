/** Experiments: the validated config, the runner and its report; sweeps, their summary and plots. */
export {
  experimentConfigSchema,
  parseExperimentConfig,
  parseExperimentConfigText,
  budgetDatasetName,
  ConfigError,
  MAX_SWEEP_CELLS,
  sweepConfigSchema,
  type SweepConfig,
  type ExperimentConfig,
  type ExperimentConfigInput,
  type DataConfig,
} from './config';
export { loadExperimentData, type DataReaders, type ExperimentData } from './data';
export { runExperiment, type ExperimentHooks, type ExperimentResult } from './run';
export {
  REPORT_FORMAT,
  REPORT_VERSION,
  type EnvironmentInfo,
  type ExperimentReport,
} from './report';
export {
  cellCoordinates,
  cellParams,
  expandSweep,
  gridSize,
  parseShard,
  setPath,
  shardIndices,
  sweepAxes,
  type Shard,
  type SweepPlan,
  type SweepPlanCell,
} from './sweep';
export {
  NON_ACCURACY_METRICS,
  makeSweepReport,
  meanStd,
  reportMetrics,
  settleEpoch,
  settleRows,
  summarizeSweep,
  variantLabel,
  withoutSeed,
  type MetricOptions,
} from './sweep-summary';
export { barChartSvg, escapeXml, lineChartSvg, niceTicks, PALETTE } from './plots';
export type { BarChartOptions, LineChartOptions, LineSeries } from './plots';
export {
  groupLabel,
  sparsityOf,
  sweepPlots,
  trainingCurvesSvg,
  type SweepPlot,
} from './sweep-plots';
export { asSweepReport, mergeSweepReports, SweepMergeError } from './sweep-merge';
export * from './sweep-types';
