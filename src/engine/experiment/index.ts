/** Experiments: the validated config, the runner and its report. */
export {
  experimentConfigSchema,
  parseExperimentConfig,
  parseExperimentConfigText,
  budgetDatasetName,
  ConfigError,
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
