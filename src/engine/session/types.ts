/**
 * Plain data that a Session (session.ts) takes and returns, and so what crosses the worker
 * boundary (numbers, strings, typed arrays; never tensors). src/workers/protocol.ts re-exports
 * these for the UI. Accuracies are fractions in [0, 1]; sparsity is the fraction removed in
 * [0, 1); images are row-major HWC Float32Arrays with pixels in [0, 1].
 */
import type { Criterion } from '../prune/criteria';
import type { BackendChoice, BackendDescription, BackendName } from '../backend';
import type { ModelSpec } from '../model/spec';
import type { Granularity } from '../prune/types';
import type { SparsityReport } from '../prune/sparsity';
import type { TransferReport } from '../eval/transfer';
import type { WhiteBoxEstimate } from '../eval/sparsity-evaluator';
import type { EpochMetrics, LrChangeRecord, TrainStatus } from '../train/types';

export type {
  BackendName,
  Granularity,
  SparsityReport,
  EpochMetrics,
  LrChangeRecord,
  WhiteBoxEstimate,
};

export interface BackendInfo extends BackendChoice {
  details: BackendDescription;
}

/** Progress of a long call: a stage name and a count (`done` of `total`, in the stage's units). */
export interface Progress {
  stage: string;
  done: number;
  total: number;
}

export interface DatasetInfo {
  /** e.g. 'fashion-mnist' or the user's file name */
  name: string;
  /** training samples (after the validation split) */
  train: number;
  /** validation samples split off the training set (seeded, 10%) */
  val: number;
  test: number;
  /** [H, W, C] */
  shape: [number, number, number];
  numClasses: number;
  classNames: string[];
  /** the threat budget the attacks default to: dataset name of attacks/budgets.ts and its figures */
  budget: { dataset: string; epsLinf: number; steps: number; stepSize: number };
  /** how the test set was obtained: the dataset's own test files, or split off the training set */
  testSource: 'test files' | 'split';
}

export interface ModelInfo {
  spec: ModelSpec;
  params: number;
  /** multiply-accumulates of one forward pass of one image */
  macs: number;
  /** 'default' (public/models), 'new', or the imported file's name */
  source: string;
  /** per prunable layer: name, kind, neurons, weights */
  layers: {
    layer: string;
    kernelName: string;
    kind: 'conv2d' | 'dense';
    neurons: number;
    weights: number;
  }[];
}

/** One training progress event (throttled to at most 10 per second; the last is always sent). */
export interface TrainTick {
  step: number;
  epoch: number;
  epochs: number;
  batchesPerEpoch: number;
  loss: number;
  cleanAcc: number;
  advAcc: number | null;
  lr: number;
  samplesPerSec: number;
  etaSec: number;
}

export interface TrainState {
  /** the run's id in the run store (null without a run or without a store) */
  runId: string | null;
  status: 'idle' | 'running' | 'paused' | TrainStatus;
  /** 'train' (train/step/resume) or 'finetune' (fineTunePruned); null when idle */
  kind: 'train' | 'finetune' | null;
  /** optimizer steps the current run has done */
  step: number;
  epoch: number;
  /** total optimizer steps of the run (epochs × batches per epoch), 0 when idle */
  totalSteps: number;
  history: EpochMetrics[];
  lrChanges: LrChangeRecord[];
  /** a readable message for 'diverged', 'catastrophic-overfitting', 'paused', ... */
  message: string;
}

export type { Criterion };

/** An attack: a registry name (attacks/registry.ts) and options over the dataset's defaults. */
export interface AttackChoice {
  name: string;
  options?: Record<string, unknown>;
}

export interface ScoreRequest {
  criterion: Criterion;
  granularity: Granularity;
  /** 'global' (default) or 'layer' ranking (used by 'learned', which targets a sparsity) */
  scope?: 'global' | 'layer';
  /** scoring samples from the training set (default 256) */
  samples?: number;
}

export interface ScoreSummary {
  criterion: Criterion;
  granularity: Granularity;
  /** wall seconds the scores took */
  seconds: number;
  samples: number;
  /** per layer, over finite scores; `deadUnits` when the criterion measured the dead-unit rule */
  layers: {
    layer: string;
    kernelName: string;
    min: number;
    max: number;
    mean: number;
    deadUnits?: number;
  }[];
  /** "fc1 64/120, fc2 26/84" when the dead-unit rule was measured, else absent */
  deadUnits?: string;
}

export interface SliderRequest {
  criterion: Criterion;
  granularity: Granularity;
  /** default 'global' */
  scope?: 'global' | 'layer';
  /** evaluation images, the first of the test set (default 1000) */
  evalN?: number;
  /** crafted once on the dense model (default FGSM at the dataset budget) */
  transferAttack?: AttackChoice;
  /** re-run on the masked model at every point (default PGD-L∞, 10 steps); null to skip */
  whiteBoxAttack?: AttackChoice | null;
  /** scoring samples (default 256) */
  samples?: number;
  /**
   * move along the criterion's shipped fine-tuned path (session/path.ts) instead of one-shot
   * masks of the dense weights; needs the default model and a path for the criterion
   */
  path?: boolean;
}

/** A fine-tuned pruning path shipped with the app (public/models/paths/index.json). */
export interface PathInfo {
  criterion: Criterion;
  label: string;
  /** the CLI command that made it */
  command: string;
  /** checkpoint sparsities, increasing, fractions removed */
  checkpoints: number[];
  /** the checkpoints' figures as the CLI measured them (see public/models/paths/index.json) */
  figures: { sparsity: number; clean: number; robust: number }[];
}

/** Where a slider position sits on a path. */
export interface PathPosition {
  /** sparsity of the checkpoint at or below the position (0: the dense base) */
  checkpoint: number;
  /** true at exactly a checkpoint (or 0): fine-tuned weights; false: one-shot beyond it */
  fineTuned: boolean;
}

/** The prepared slider: its settings and the dense model's figures. */
export interface SliderInfo {
  criterion: Criterion;
  granularity: Granularity;
  scope: 'global' | 'layer';
  /** evaluation images */
  n: number;
  /** largest sparsity the ranking's per-layer caps allow */
  maxSparsity: number;
  /** the dense (base) model: clean, transfer and transfer-robust accuracy */
  base: { clean: number; transfer: number; transferRobust: number };
  transferAttack: { name: string; options: Record<string, unknown> };
  whiteBoxAttack: { name: string; options: Record<string, unknown> } | null;
  /** after fineTunePruned: the sparsity the model was fine-tuned at (the slider's floor), else null */
  fineTunedSparsity: number | null;
  seconds: number;
  /** the fine-tuned path the slider moves along, or null (one-shot masks of the current model) */
  path: PathInfo | null;
  /** dead units per layer as the ranking's scores measured them ("fc1 64/120, …"), or null */
  deadUnits: string | null;
}

/** What the slider shows at one sparsity; `whiteBox` arrives after clean and transfer. */
export interface SliderPoint {
  sparsity: number;
  clean: number;
  /** accuracy on the transfer-adversarial set crafted once on the dense model */
  transfer: number;
  /** clean-correct and correct on the transfer set (≤ clean) */
  transferRobust: number;
  /** white-box robust accuracy of the masked model (null until computed or when skipped) */
  whiteBox: number | null;
  /**
   * while `whiteBox` is null and its attack runs: what the white-box figure is estimated to be
   * so far, with a 95% interval and the images and steps behind it (eval/sparsity-evaluator.ts,
   * progressive white-box); absent on the clean + transfer partial and on the final point
   */
  estimate?: WhiteBoxEstimate;
  report: SparsityReport;
  /** on a path: which checkpoint and whether fine-tuned; null for one-shot sliders */
  path: PathPosition | null;
}

export type EvaluateResult =
  { status: 'done'; point: SliderPoint } | { status: 'superseded' | 'cancelled'; sparsity: number };

/** A curve of accuracy against sparsity for one criterion (clean and transfer: fast). */
export interface SparsityCurve {
  criterion: Criterion;
  points: { sparsity: number; clean: number; transfer: number }[];
}

export interface LayerActivations {
  layer: string;
  kind: 'conv2d' | 'dense';
  /** conv: [C, H, W] as C maps of H×W; dense: [units] */
  shape: number[];
  clean: Float32Array;
  adversarial: Float32Array;
  /** anomaly degree per neuron (activation form, relative, δ = 0.01·layer mean) on this image */
  anomaly: Float32Array;
  /** the current criterion's score per neuron (unstructured: mean over the neuron's weights), or null */
  scores: Float32Array | null;
  /** 1 where the current mask removes the neuron (structured) or all its weights */
  removed: Uint8Array;
  /**
   * 1 where the neuron is dead: silent on every clean and adversarial scoring sample of the
   * current criterion (prune/scores/dead.ts); null when the criterion did not measure it
   */
  dead: Uint8Array | null;
}

export interface NeuronView {
  index: number;
  label: number;
  /** dense model's predictions on x and x' */
  cleanPred: number;
  advPred: number;
  /** the model under the current masks on the same x and x' */
  prunedCleanPred: number;
  prunedAdvPred: number;
  /** the attack that crafted x' (on the dense model) */
  attack: { name: string; options: Record<string, unknown> };
  /** the test image x and its adversarial version x', HWC in [0, 1] */
  image: Float32Array;
  adversarialImage: Float32Array;
  layers: LayerActivations[];
}

export interface Histogram {
  /** bin edges, length bins + 1 */
  edges: number[];
  counts: number[];
}

/**
 * A histogram of pruning scores (session/histogram.ts `scoreHistogram`). Scores are
 * heavy-tailed (anomaly degree: most near 0, a few up to ~1e5), so when the finite scores are all
 * ≥ 0 and the positive ones span more than `LOG_SPAN` (100×, two decades) the bins are
 * log-spaced: `edges` are still score values, equally spaced in log10 from the smallest to the
 * largest positive score, and exact zeros are counted apart (`zeros`), not binned. Otherwise the
 * bins are linear over the finite range, zeros included. ±∞ (the dead-unit rule's dead paths,
 * pruned first: prune/scores/dead.ts) and NaN are never binned, only counted.
 */
export interface ScoreHistogram extends Histogram {
  scale: 'linear' | 'log';
  /** scores equal to 0 (binned on a linear axis, apart on a log axis) */
  zeros: number;
  /** scores equal to −∞ and +∞: the dead-unit rule's dead-path weights (units), pruned first */
  negInf: number;
  posInf: number;
  /** NaN scores (should not happen; counted so that nothing vanishes silently) */
  nan: number;
  /** every score: the binned ones plus those counted apart */
  total: number;
}

export interface LayerDistribution {
  layer: string;
  kernelName: string;
  /** every kernel weight */
  before: Histogram;
  /** weights kept by the current mask (same edges as `before`) */
  after: Histogram;
  /** how many weights the mask removes (drawn apart) */
  pruned: number;
  /** the current criterion's scores of this layer */
  scores: ScoreHistogram | null;
}

export interface AdversarialExample {
  index: number;
  label: number;
  /** HWC images in [0, 1] */
  clean: Float32Array;
  adversarial: Float32Array;
  densePred: number;
  prunedPred: number;
  denseAdvPred: number;
  prunedAdvPred: number;
  /** ‖x' − x‖∞ */
  linf: number;
}

export interface TransferRequest {
  criteria: Criterion[];
  /** fractions removed, each in [0, 1) */
  sparsities: number[];
  /** attacks crafted on the dense model (default: FGSM and PGD-L∞ at the dataset budget) */
  attacks?: AttackChoice[];
  /** test images (default 500) */
  n?: number;
}

export type TransferResult = TransferReport & {
  /** formatTransferTable's markdown */
  table: string;
  /** how the variants were made (pruned from the current model, not fine-tuned) */
  note: string;
};

export interface ExportedFile {
  name: string;
  mime: string;
  bytes: ArrayBuffer;
}

export type ExportKind =
  'safetensors' | 'tfjs' | 'onnx' | 'tfjs-layers' | 'masks' | 'compact' | 'report';
