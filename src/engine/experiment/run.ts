/**
 * Runs an experiment config end to end: load and split the data, build the model, train it with
 * the configured objective and schedule, and evaluate clean and robust accuracy under the
 * configured attacks (per attack and worst case per sample). The same function serves the CLI
 * (Node) and the worker; I/O stays with the caller (file readers in, report and model out).
 */
import { getAttack, resolveAttackOptions } from '../attacks/registry';
import type { AbortFlag } from '../attacks/options';
import { deriveSeed } from '../data/order';
import { datasetSize } from '../data/dataset';
import { evaluateRobustness, type RobustnessProgress } from '../eval/robustness';
import { countModel } from '../model/counts';
import { logitsFn } from '../model/forward';
import { disposeModel, initModel } from '../model/init';
import { ARCHITECTURES } from '../model/spec';
import type { Model } from '../model/types';
import { trainModel } from '../train/loop';
import type { EpochMetrics, LrChangeRecord, TrainProgress } from '../train/types';
import { budgetDatasetName, type ExperimentConfig } from './config';
import { loadExperimentData, type DataReaders } from './data';
import {
  REPORT_FORMAT,
  REPORT_VERSION,
  type EnvironmentInfo,
  type ExperimentReport,
} from './report';

export interface ExperimentHooks {
  /** a stage starts: 'data', 'train', 'eval' */
  onStage?(stage: 'data' | 'train' | 'eval', detail: string): void;
  onTrainProgress?(p: TrainProgress): void;
  onEpochEnd?(e: EpochMetrics): void;
  onLrChange?(c: LrChangeRecord): void;
  onEvalProgress?(p: RobustnessProgress): void;
  /** stops training between batches (the run is then evaluated and reported as 'stopped') */
  signal?: AbortFlag;
}

export interface ExperimentResult {
  report: ExperimentReport;
  /** the trained model; the caller owns it (disposeModel) */
  model: Model;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/**
 * Run `config` (already validated by parseExperimentConfig). The backend must be initialized by
 * the caller, who describes it in `environment`.
 */
export async function runExperiment(
  config: ExperimentConfig,
  readers: DataReaders,
  environment: EnvironmentInfo,
  hooks: ExperimentHooks = {},
): Promise<ExperimentResult> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();

  hooks.onStage?.('data', config.data.kind);
  const data = await loadExperimentData(config.data, readers, config.seed);

  const spec = ARCHITECTURES[config.model.architecture](data.train.shape, data.train.numClasses);
  const model = initModel(spec, deriveSeed(config.seed, 0x1417));
  try {
    const counts = countModel(spec);

    hooks.onStage?.(
      'train',
      `${spec.name}, ${config.train.objective.kind}, ${config.train.epochs} epochs`,
    );
    const tTrain = performance.now();
    const hasVal = datasetSize(data.val) > 0;
    const result = await trainModel(
      model,
      { train: data.train, val: hasVal ? data.val : undefined },
      hasVal
        ? config.train
        : { ...config.train, validation: { ...config.train.validation, subsetSize: 0 } },
      {
        onProgress: hooks.onTrainProgress,
        onEpochEnd: hooks.onEpochEnd,
        onLrChange: hooks.onLrChange,
        signal: hooks.signal,
      },
    );
    const trainSeconds = seconds(tTrain);

    hooks.onStage?.(
      'eval',
      `${config.eval.n} test images, ${config.eval.attacks.map((a) => a.name).join(', ')}`,
    );
    const tEval = performance.now();
    const dataset = budgetDatasetName(config.data);
    const attacks = config.eval.attacks.map((a) => ({
      name: a.name,
      // attacks with random starts draw them from the experiment seed unless the config sets one
      options: resolveAttackOptions(a.name, dataset, {
        ...(getAttack(a.name).options.some((o) => o.name === 'seed') ? { seed: config.seed } : {}),
        ...a.options,
      }),
    }));
    const n = Math.min(config.eval.n, datasetSize(data.test));
    const size = data.test.shape[0] * data.test.shape[1] * data.test.shape[2];
    const robustness = await evaluateRobustness(
      logitsFn(model),
      {
        x: data.test.images.subarray(0, n * size),
        y: data.test.labels.subarray(0, n),
        shape: data.test.shape,
      },
      attacks,
      {
        batchSize: config.eval.batchSize,
        standalone: config.eval.standalone,
        onProgress: hooks.onEvalProgress,
      },
    );

    const report: ExperimentReport = {
      format: REPORT_FORMAT,
      version: REPORT_VERSION,
      name: config.name,
      startedAt,
      finishedAt: new Date().toISOString(),
      config,
      environment,
      data: {
        train: datasetSize(data.train),
        val: datasetSize(data.val),
        test: n,
        shape: [...data.train.shape],
        numClasses: data.train.numClasses,
      },
      model: {
        architecture: spec.name,
        params: counts.total.params,
        macs: counts.total.macs,
        counts,
      },
      training: {
        status: result.status,
        message: result.message,
        steps: result.step,
        epochs: result.history,
        lrChanges: result.lrChanges,
        wallSeconds: trainSeconds,
      },
      evaluation: {
        n: robustness.n,
        cleanAccuracy: robustness.cleanAccuracy,
        attacks: robustness.perAttack.map((a) => ({
          name: a.name,
          options: a.options,
          robustAccuracy: a.robustAccuracy,
          cumulativeAccuracy: a.cumulativeAccuracy,
          evaluated: a.evaluated,
          seconds: a.seconds,
        })),
        worstCaseAccuracy: robustness.worstCaseAccuracy,
        standalone: robustness.standalone,
        wallSeconds: seconds(tEval),
      },
      wallSeconds: seconds(t0),
    };
    return { report, model };
  } catch (e) {
    disposeModel(model);
    throw e;
  }
}
