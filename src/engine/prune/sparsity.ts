/**
 * Sparsity reports: per prunable layer and global, the fraction of weights REMOVED, with
 * parameter and MAC (multiply-accumulate, per example) counts before and after pruning.
 *
 * Built on model/counts.ts *effective* counts: a unit removed by a structured `[out]` mask also
 * kills the weights of later layers that read it (after pooling, flatten, global pooling), so
 * "after" is what compaction (compact.ts) physically keeps. Hence a layer without a mask of its
 * own can still show removed weights (its dead inputs). Unstructured masks: after = kept.
 */
import { countModel } from '../model/counts';
import { checkMasks } from '../model/masks';
import { prunableLayers } from '../model/params';
import type { ModelSpec } from '../model/spec';
import type { PlainMasks } from './types';

export interface LayerSparsity {
  layer: string;
  kernelName: string;
  /** the kind of this layer's own mask ('none': no mask) */
  granularity: 'unstructured' | 'structured' | 'none';
  /** kernel weights (dense count) */
  weights: number;
  /** kernel weights removed (own mask and dead inputs) */
  weightsRemoved: number;
  /** weightsRemoved / weights, in [0, 1] */
  sparsity: number;
  /** output channels or units */
  neurons: number;
  /** units removed by a structured mask */
  neuronsRemoved: number;
  /** trainable params (kernel + bias + BN gamma/beta), dense and effective */
  paramsBefore: number;
  paramsAfter: number;
  /** MACs per example, dense and effective */
  macsBefore: number;
  macsAfter: number;
}

export interface SparsityReport {
  layers: LayerSparsity[];
  global: {
    weights: number;
    weightsRemoved: number;
    /** fraction of all prunable-layer kernel weights removed, in [0, 1] */
    sparsity: number;
    neurons: number;
    neuronsRemoved: number;
    paramsBefore: number;
    paramsAfter: number;
    macsBefore: number;
    macsAfter: number;
  };
}

/**
 * Per-layer and global sparsity (fraction removed) of `spec` under plain masks (undefined: the
 * dense model, sparsity 0). Throws ModelInputError for a mask that does not fit the spec.
 */
export function sparsityReport(spec: ModelSpec, masks: PlainMasks | undefined): SparsityReport {
  const prunable = prunableLayers(spec);
  checkMasks(prunable, masks);
  const counts = countModel(spec, masks);
  const layers = counts.layers.map((c, i): LayerSparsity => {
    const l = prunable[i];
    const m = masks?.get(l.kernelName);
    const weightsRemoved = c.weights - c.effectiveWeights;
    return {
      layer: c.layer,
      kernelName: l.kernelName,
      granularity: !m ? 'none' : m.shape.length === 1 ? 'structured' : 'unstructured',
      weights: c.weights,
      weightsRemoved,
      sparsity: c.weights === 0 ? 0 : weightsRemoved / c.weights,
      neurons: c.neurons,
      neuronsRemoved: c.neurons - c.aliveNeurons,
      paramsBefore: c.params,
      paramsAfter: c.effectiveParams,
      macsBefore: c.macs,
      macsAfter: c.effectiveMacs,
    };
  });
  const sum = (f: (l: LayerSparsity) => number): number => layers.reduce((a, l) => a + f(l), 0);
  const weights = sum((l) => l.weights);
  const weightsRemoved = sum((l) => l.weightsRemoved);
  return {
    layers,
    global: {
      weights,
      weightsRemoved,
      sparsity: weights === 0 ? 0 : weightsRemoved / weights,
      neurons: sum((l) => l.neurons),
      neuronsRemoved: sum((l) => l.neuronsRemoved),
      paramsBefore: sum((l) => l.paramsBefore),
      paramsAfter: sum((l) => l.paramsAfter),
      macsBefore: sum((l) => l.macsBefore),
      macsAfter: sum((l) => l.macsAfter),
    },
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const int = (x: number): string => x.toLocaleString('en-US');

/** The report as a markdown table: one row per layer, then the global total. */
export function formatSparsityTable(report: SparsityReport): string {
  const head =
    '| layer | mask | weights | removed | sparsity | neurons removed | params before → after | MACs before → after |';
  const rule = '|---|---|---:|---:|---:|---:|---:|---:|';
  const rows = report.layers.map(
    (l) =>
      `| ${l.layer} | ${l.granularity} | ${int(l.weights)} | ${int(l.weightsRemoved)} | ${pct(l.sparsity)} | ` +
      `${l.neuronsRemoved} / ${l.neurons} | ${int(l.paramsBefore)} → ${int(l.paramsAfter)} | ` +
      `${int(l.macsBefore)} → ${int(l.macsAfter)} |`,
  );
  const g = report.global;
  rows.push(
    `| **total** | | ${int(g.weights)} | ${int(g.weightsRemoved)} | ${pct(g.sparsity)} | ` +
      `${g.neuronsRemoved} / ${g.neurons} | ${int(g.paramsBefore)} → ${int(g.paramsAfter)} | ` +
      `${int(g.macsBefore)} → ${int(g.macsAfter)} |`,
  );
  return [head, rule, ...rows].join('\n');
}
