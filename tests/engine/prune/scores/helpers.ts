/**
 * Fixtures of the pruning-score tests: tiny specs with hand-set weights, a plain-JS reference of
 * the dense net (activations, CE gradients) to hand-compute expected scores, and batch lists with
 * hand-chosen adversarial inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { modelFromWeights } from '@/engine/model/init';
import { paramShapes } from '@/engine/model/params';
import type { ModelSpec } from '@/engine/model/spec';
import type { Model } from '@/engine/model/types';
import type { ScoringBatch } from '@/engine/prune/scores/context';

export { expectNoLeak } from '../../model/helpers';

/** flatten → fc1 dense(2, relu) → out dense(2): input [1, 1, 2]. */
export const DENSE_SPEC: ModelSpec = {
  name: 'hand-dense',
  inputShape: [1, 1, 2],
  numClasses: 2,
  layers: [
    { kind: 'flatten', name: 'flat' },
    { kind: 'dense', name: 'fc1', units: 2 },
    { kind: 'dense', name: 'out', units: 2, activation: 'none' },
  ],
};
/** W1[i][j] (input i → unit j), b1, W2[j][k], b2 */
export const W1 = [
  [1, -1],
  [0.5, 2],
];
export const B1 = [0.1, -0.2];
export const W2 = [
  [1, 0],
  [-1, 1],
];
export const B2 = [0, 0.5];

/** conv c1 (2 filters, 2×2, valid) → flatten → out dense(2): input [3, 3, 1]. */
export const CONV_SPEC: ModelSpec = {
  name: 'hand-conv',
  inputShape: [3, 3, 1],
  numClasses: 2,
  layers: [
    { kind: 'conv2d', name: 'c1', filters: 2, kernelSize: 2, padding: 'valid' },
    { kind: 'flatten', name: 'flat' },
    { kind: 'dense', name: 'out', units: 2, activation: 'none' },
  ],
};

/** A model with the given values per parameter (others zero; BN variance 1, gamma 1). */
export function handModel(spec: ModelSpec, values: Record<string, number[]>): Model {
  const w = new Map(
    paramShapes(spec).map((p) => {
      const size = p.shape.reduce((a, b) => a * b, 1);
      const given = values[p.name];
      const fill = p.kind === 'gamma' || p.kind === 'movingVariance' ? 1 : 0;
      const data = given ? Float32Array.from(given) : new Float32Array(size).fill(fill);
      if (data.length !== size) throw new Error(`${p.name}: ${data.length} values for ${size}`);
      return [p.name, { shape: p.shape, data }];
    }),
  );
  return modelFromWeights(spec, w);
}

export function denseModel(): Model {
  return handModel(DENSE_SPEC, {
    'fc1/kernel': W1.flat(),
    'fc1/bias': B1,
    'out/kernel': W2.flat(),
    'out/bias': B2,
  });
}

/** Plain-JS forward and CE gradients of the dense net; `keep` zeroes fc1 units (structured mask). */
export function denseRef(x: number[], y: number, keep = [1, 1]) {
  const pre = [0, 1].map((j) => keep[j] * (x[0] * W1[0][j] + x[1] * W1[1][j] + B1[j]));
  const h = pre.map((v) => Math.max(0, v));
  const z = [0, 1].map((k) => h[0] * W2[0][k] + h[1] * W2[1][k] + B2[k]);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const p = e.map((v) => v / (e[0] + e[1]));
  const dz = p.map((v, k) => v - (k === y ? 1 : 0)); // ∂CE/∂z
  const gh = [0, 1].map((j) => W2[j][0] * dz[0] + W2[j][1] * dz[1]); // ∂CE/∂h (post-ReLU)
  const ce = -Math.log(p[y]);
  return { pre, h, z, dz, gh, ce };
}

/** A batch list with hand-chosen x' (tensors disposed by `dispose`). */
export function handBatches(
  spec: ModelSpec,
  xs: number[][],
  xAdvs: number[][] | null,
  ys: number[],
  batchSize = xs.length,
): { batches: ScoringBatch[]; dispose(): void } {
  const batches: ScoringBatch[] = [];
  for (let s = 0; s < xs.length; s += batchSize) {
    const e = Math.min(xs.length, s + batchSize);
    const shape = [e - s, ...spec.inputShape] as [number, number, number, number];
    batches.push({
      x: tf.tensor4d(xs.slice(s, e).flat(), shape),
      xAdv: xAdvs ? tf.tensor4d(xAdvs.slice(s, e).flat(), shape) : null,
      y: tf.tensor1d(ys.slice(s, e), 'int32'),
      start: s,
    });
  }
  return {
    batches,
    dispose: () => {
      for (const b of batches) tf.dispose([b.x, b.y, ...(b.xAdv ? [b.xAdv] : [])]);
    },
  };
}

/** Scores of one layer as a plain array. */
export function layerData(
  set: { layers: Map<string, { data: Float32Array }> },
  kernel: string,
): number[] {
  const l = set.layers.get(kernel);
  if (!l) throw new Error(`no scores for ${kernel}`);
  return Array.from(l.data);
}

export function expectClose(got: readonly number[], want: readonly number[], tol = 1e-5): void {
  if (got.length !== want.length) throw new Error(`length ${got.length} ≠ ${want.length}`);
  got.forEach((g, i) => {
    const ok = Math.abs(g - want[i]) <= tol * Math.max(1, Math.abs(want[i]));
    if (!ok)
      throw new Error(
        `index ${i}: got ${g}, want ${want[i]} (tol ${tol})\n got ${got}\nwant ${want}`,
      );
  });
}
