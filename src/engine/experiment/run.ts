/**
 * Runs an experiment config end to end: load and split the data, build (or load) the model,
 * train it with the configured objective and schedule, evaluate clean and robust accuracy under
 * the configured attacks (per attack and worst case per sample); then, when the config asks,
 * prune it with every criterion × sparsity, fine-tune and evaluate each, and run the
 * base-to-pruned transfer benchmark. The same function serves the CLI (Node) and the worker; I/O
 * stays with the caller (file readers in, report and models out).
 */
import { resolveAttack } from '../attacks/seeded';
import type { AbortFlag } from '../attacks/options';
import { deriveSeed } from '../data/order';
import { datasetSize } from '../data/dataset';
import type { RobustnessProgress } from '../eval/robustness';
import { formatTransferTable, transferBenchmark } from '../eval/transfer';
import { countModel } from '../model/counts';
import { compactModel } from '../prune/compact';
import { disposeModel, initModel } from '../model/init';
import { loadModelSafetensors } from '../model/serialize/model-io';
import { ARCHITECTURES } from '../model/spec';
import type { Model } from '../model/types';
import { trainModel } from '../train/loop';
import type { EpochMetrics, LrChangeRecord, TrainProgress } from '../train/types';
import { budgetDatasetName, type ExperimentConfig } from './config';
import { loadExperimentData, type DataReaders } from './data';
import {
  evaluateModel,
  runPruneStage,
  type FineTuneEpoch,
  type PrunedVariant,
} from './prune-stage';
import {
  REPORT_FORMAT,
  REPORT_VERSION,
  type EnvironmentInfo,
  type ExperimentReport,
} from './report';

export type ExperimentStage = 'data' | 'train' | 'eval' | 'score' | 'prune' | 'transfer';

export interface ExperimentHooks {
  /** a stage starts */
  onStage?(stage: ExperimentStage | string, detail: string): void;
  onTrainProgress?(p: TrainProgress): void;
  onEpochEnd?(e: EpochMetrics): void;
  onLrChange?(c: LrChangeRecord): void;
  onEvalProgress?(p: RobustnessProgress): void;
  /** fine-tuning progress of a pruned model */
  onFineTuneProgress?(method: string, sparsity: number, step: number, total: number): void;
  onFineTuneEpoch?(method: string, sparsity: number, e: FineTuneEpoch): void;
  /** stops training between batches (the run is then evaluated and reported as 'stopped') */
  signal?: AbortFlag;
}

export interface ExperimentResult {
  report: ExperimentReport;
  /** the trained base model; the caller owns it (disposeModel) */
  model: Model;
  /** the pruned, fine-tuned models (masks applied); the caller owns them */
  variants: PrunedVariant[];
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

async function baseModel(
  config: ExperimentConfig,
  readers: DataReaders,
  shape: [number, number, number],
  numClasses: number,
): Promise<{ model: Model; source: string }> {
  if (config.model.load !== undefined) {
    const { model, masks } = loadModelSafetensors(
      await readers.file(config.model.load),
      config.model.load,
    );
    for (const m of masks.values()) m.dispose();
    if (model.spec.inputShape.join() !== shape.join() || model.spec.numClasses !== numClasses) {
      disposeModel(model);
      throw new Error(
        `${config.model.load}: the model takes [${model.spec.inputShape}] images and ${model.spec.numClasses} classes, the data has [${shape}] and ${numClasses}`,
      );
    }
    return { model, source: config.model.load };
  }
  const arch = config.model.architecture ?? 'mlp';
  return {
    model: initModel(ARCHITECTURES[arch](shape, numClasses), deriveSeed(config.seed, 0x1417)),
    source: 'initialized',
  };
}

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
  const hasVal = datasetSize(data.val) > 0;
  const { model, source } = await baseModel(
    config,
    readers,
    data.train.shape,
    data.train.numClasses,
  );
  const variants: PrunedVariant[] = [];
  try {
    const spec = model.spec;
    const counts = countModel(spec);

    let training: ExperimentReport['training'] = null;
    if (config.train) {
      const p = config.train.protocol;
      hooks.onStage?.(
        'train',
        `${spec.name}, ${config.train.objective.kind}, ${config.train.epochs} epochs` +
          (p?.kind === 'offline-adversarial'
            ? `, offline-adversarial sets (${p.attack.name}, ${p.mix}) made once first`
            : ''),
      );
      const tTrain = performance.now();
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
      training = {
        status: result.status,
        message: result.message,
        steps: result.step,
        epochs: result.history,
        lrChanges: result.lrChanges,
        wallSeconds: seconds(tTrain),
        ...(result.offline ? { offlineSets: result.offline } : {}),
      };
    }

    const dataset = budgetDatasetName(config.data);
    hooks.onStage?.(
      'eval',
      `${config.eval.n} test images, ${config.eval.attacks.map((a) => a.name).join(', ')}`,
    );
    const evaluation = await evaluateModel(
      config,
      dataset,
      model,
      data.test,
      undefined,
      hooks.onEvalProgress,
    );

    let pruning: ExperimentReport['pruning'];
    if (config.prune && !hooks.signal?.aborted) {
      const r = await runPruneStage({
        config,
        prune: config.prune,
        dataset,
        base: model,
        data: { train: data.train, val: hasVal ? data.val : undefined, test: data.test },
        hooks,
      });
      pruning = r.reports;
      variants.push(...r.variants);
    }

    let transfer: ExperimentReport['transfer'];
    if (config.transfer && variants.length > 0 && !hooks.signal?.aborted) {
      const tc = config.transfer;
      hooks.onStage?.(
        'transfer',
        `${tc.attacks.map((a) => a.name).join(', ')} on ${variants.length} pruned models`,
      );
      const n = Math.min(tc.n, datasetSize(data.test));
      const size = data.test.shape[0] * data.test.shape[1] * data.test.shape[2];
      // structured pruning: benchmark the compacted models (same logits, removed channels gone),
      // so the measured inference time shows what the pruning buys
      const structured = config.prune?.granularity === 'structured';
      const benchVariants = variants.map((v) => {
        if (!structured)
          return { method: v.method, sparsity: v.sparsity, model: v.model, masks: v.masks };
        const c = compactModel(v.model, v.masks);
        return {
          method: v.method,
          sparsity: v.sparsity,
          model: c.model,
          masks: c.masks,
          compacted: true,
        };
      });
      const t = await transferBenchmark({
        base: model,
        variants: benchVariants,
        attacks: tc.attacks.map((a) => resolveAttack(a, dataset, config.seed)),
        data: {
          x: data.test.images.subarray(0, n * size),
          y: data.test.labels.subarray(0, n),
          shape: data.test.shape,
        },
        batchSize: config.eval.batchSize,
        timing: { batch: tc.timingBatch, repeats: tc.timingRepeats },
        signal: hooks.signal,
      }).finally(() => {
        for (const v of benchVariants) if ('compacted' in v) disposeModel(v.model);
      });
      transfer = { ...t, compacted: structured, table: formatTransferTable(t) };
    }

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
        test: datasetSize(data.test),
        shape: [...data.train.shape],
        numClasses: data.train.numClasses,
      },
      model: {
        architecture: spec.name,
        params: counts.total.params,
        macs: counts.total.macs,
        counts,
      },
      modelSource: source,
      training,
      evaluation,
      pruning,
      transfer,
      wallSeconds: seconds(t0),
    };
    return { report, model, variants };
  } catch (e) {
    disposeModel(model);
    for (const v of variants) disposeModel(v.model);
    throw e;
  }
}
