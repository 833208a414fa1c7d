/**
 * The report of an experiment run: plain JSON holding the effective config, the environment and
 * backend, the data sizes, the model's counts, per-epoch training metrics with every learning-rate
 * change, the final clean and robust accuracies (per attack and worst case) and wall times.
 */
import type { BackendDescription } from '../backend/describe';
import type { BackendChoice } from '../backend';
import type { AttackOptions } from '../attacks/registry';
import type { ModelCounts } from '../model/counts';
import type { OfflineSetsInfo } from '../train/protocol';
import type { EpochMetrics, LrChangeRecord, TrainStatus } from '../train/types';
import type { TransferReport } from '../eval/transfer';
import type { ExperimentConfig } from './config';
import type { PruneVariantReport } from './prune-stage';

export const REPORT_FORMAT = 'advprune-report';
export const REPORT_VERSION = 1;

export interface EnvironmentInfo {
  /** 'node' or 'browser' */
  platform: string;
  /** e.g. 'node v20.20.2 linux x64' or the browser's user agent */
  runtime: string;
  /** logical CPU cores, when known */
  cpus?: number;
  tfjsVersion: string;
  backend: BackendChoice;
  backendDetails: BackendDescription;
}

export interface ExperimentReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  name: string;
  /** ISO 8601 start and end times */
  startedAt: string;
  finishedAt: string;
  config: ExperimentConfig;
  environment: EnvironmentInfo;
  data: {
    train: number;
    val: number;
    test: number;
    /** [H, W, C] */
    shape: [number, number, number];
    numClasses: number;
  };
  model: {
    architecture: string;
    params: number;
    /** multiply-accumulates of one forward pass of one image */
    macs: number;
    counts: ModelCounts;
  };
  /** null when a loaded model was used without training */
  training: {
    status: TrainStatus;
    message: string;
    steps: number;
    epochs: EpochMetrics[];
    lrChanges: LrChangeRecord[];
    /** includes making the offline sets under the offline-adversarial protocol */
    wallSeconds: number;
    /**
     * offline-adversarial protocol only (config `train.protocol`): how its sets were made, once,
     * before the first epoch (attack, mix, sizes, attack calls, seconds)
     */
    offlineSets?: OfflineSetsInfo;
  } | null;
  /** where the base model came from: 'initialized' (seeded) or the loaded file */
  modelSource: string;
  evaluation: EvaluationReport;
  /** the pruning stages: one entry per criterion × sparsity (absent without `prune`) */
  pruning?: PruneVariantReport[];
  /** the base-to-pruned transfer benchmark and its markdown table (absent without `transfer`) */
  /** `compacted`: structured variants were benchmarked compacted (removed channels gone) */
  transfer?: TransferReport & { compacted: boolean; table: string };
  wallSeconds: number;
}

/** Clean and robust accuracy of one model on the test split. */
export interface EvaluationReport {
  /** test images evaluated */
  n: number;
  cleanAccuracy: number;
  attacks: {
    name: string;
    options: AttackOptions;
    robustAccuracy: number;
    cumulativeAccuracy: number;
    evaluated: number;
    seconds: number;
  }[];
  worstCaseAccuracy: number;
  standalone: boolean;
  wallSeconds: number;
  /** clean accuracy on the first `n` test images when eval.cleanN asks for more than `n` */
  cleanFull?: { n: number; accuracy: number };
}
