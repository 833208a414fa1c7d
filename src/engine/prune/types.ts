/**
 * Contracts of the pruning module: scores, the rules that turn them into masks, and reports.
 * Everything here is plain data (typed arrays and numbers), so scores computed once in the worker
 * can be thresholded again and again for the sparsity slider without touching a tensor.
 *
 * Vocabulary (as in the papers): *sparsity* is the fraction of weights (unstructured) or of
 * neurons (structured: conv output channels, dense units) REMOVED, in [0, 1]. A *neuron* of a
 * prunable layer is one of its outputs (model/params.ts `prunableLayers`).
 */
import type { PlainMasks } from '../model/masks';

export type Granularity = 'unstructured' | 'structured';

/** Which end of a score's ranking is pruned first. */
export type PruneOrder = 'prune-highest' | 'prune-lowest';

/**
 * Scores of one prunable layer: one value per weight of its kernel (unstructured, kernel shape,
 * row-major as the kernel: HWIO for conv, [in, out] for dense) or one value per neuron
 * (structured, `[out]`).
 */
export interface LayerScores {
  /** kernel parameter name, e.g. 'conv1/kernel' (the key of masks) */
  kernelName: string;
  /** layer name, e.g. 'conv1' */
  layer: string;
  /** kernel shape (unstructured) or [neurons] (structured) */
  shape: number[];
  data: Float32Array;
}

/** The scores of a whole model under one criterion. */
export interface ScoreSet {
  /** criterion name, e.g. 'anomaly-activation', 'magnitude' */
  method: string;
  granularity: Granularity;
  /** anomaly degree prunes the most anomalous (highest) first; magnitude the lowest first */
  order: PruneOrder;
  /** kernel name → scores, in the model's prunable-layer order */
  layers: Map<string, LayerScores>;
  /** what the scores were computed on: samples, attack, seconds, ... (for reports) */
  meta: Record<string, string | number | boolean>;
  /**
   * when the dead-unit rule was measured (scores/dead.ts): kernel name → `[out]`, 1 = a unit
   * whose activation was 0 on every clean and adversarial scoring sample
   */
  deadUnits?: Map<string, Uint8Array>;
}

/** How scores become masks. */
export interface MaskRule {
  /** fraction removed in [0, 1): of all scored weights (global) or of each layer (layer-wise) */
  sparsity: number;
  /** 'global': one ranking across layers; 'layer': each layer pruned to `sparsity` (default global) */
  scope?: 'global' | 'layer';
  /**
   * the most any one layer may lose, in [0, 1] (default 0.99 unstructured, 0.9 structured): keeps
   * a global ranking from pruning a layer away. Structured layers always keep ≥ 1 neuron.
   */
  maxLayerSparsity?: number;
  /** kernel names never pruned (default: the classifier head for structured pruning) */
  exclude?: string[];
}

export type { PlainMasks };
