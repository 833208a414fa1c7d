// SNIP and first-order Taylor scores against the hand derivation, the group-Taylor identity
// (with and without batch norm), clean vs adversarial loss, batch-size independence, leaks and
// cancellation.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '@/engine/attacks/losses';
import { forward } from '@/engine/model/forward';
import { disposeModel, initModel } from '@/engine/model/init';
import type { Model } from '@/engine/model/types';
import type { ScoreContext } from '@/engine/prune/scores/context';
import { snipFromBatches, snipScores } from '@/engine/prune/scores/snip';
import { ScoreInputError } from '@/engine/prune/scores/common-errors';
import {
  DENSE_SPEC,
  W1,
  W2,
  denseModel,
  denseRef,
  expectClose,
  expectNoLeak,
  handBatches,
  layerData,
} from './helpers';
import { tinyBnSpec } from '../../../fixtures/models';

const XS = [
  [0.2, 0.4],
  [0.6, 0.1],
  [0.9, 0.7],
];
const XADV = [
  [0.3, 0.3],
  [0.5, 0.2],
  [0.8, 0.8],
];
const YS = [0, 1, 1];
const dense = denseModel();
afterAll(() => {
  disposeModel(dense);
});

/** Hand SNIP and Taylor of the dense net on samples xs, L = mean CE. */
function refSnip(xs: number[][]) {
  const r = xs.map((x, b) => denseRef(x, YS[b]));
  const n = xs.length;
  const g1 = [0, 1].map((i) =>
    [0, 1].map(
      (j) => r.reduce((s, q, b) => s + xs[b][i] * (q.pre[j] > 0 ? 1 : 0) * q.gh[j], 0) / n,
    ),
  );
  const g2 = [0, 1].map((j) => [0, 1].map((k) => r.reduce((s, q) => s + q.h[j] * q.dz[k], 0) / n));
  return {
    w1: [0, 1].flatMap((i) => [0, 1].map((j) => Math.abs(W1[i][j] * g1[i][j]))),
    w2: [0, 1].flatMap((j) => [0, 1].map((k) => Math.abs(W2[j][k] * g2[j][k]))),
    t1: [0, 1].map((j) => Math.abs(r.reduce((s, q) => s + q.h[j] * q.gh[j], 0) / n)),
    t2: [0, 1].map((k) => Math.abs(r.reduce((s, q) => s + q.z[k] * q.dz[k], 0) / n)),
  };
}

async function fromHand(
  granularity: 'structured' | 'unstructured',
  loss: 'clean' | 'adversarial',
  bs = 3,
) {
  const hb = handBatches(DENSE_SPEC, XS, XADV, YS, bs);
  try {
    return await snipFromBatches(dense, undefined, granularity, hb.batches, { loss });
  } finally {
    hb.dispose();
  }
}

/** Σ_{p ∈ group} p·∂L/∂p with L = mean CE (inference forward), per unit of `layer`. */
async function groupTaylor(
  model: Model,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  names: string[],
  units: number,
) {
  const vars = names.map((n) => model.params.get(n) as tf.Variable);
  const out = tf.tidy(() => {
    const { grads } = tf.variableGrads(
      () => tf.mean(crossEntropy(forward(model, x).logits, y)),
      vars,
    );
    const perUnit = vars.map((v) => tf.reshape(tf.mul(v, grads[v.name]), [-1, units])); // [*, units]
    return tf.abs(tf.sum(tf.concat(perUnit, 0), 0)); // [units]
  });
  const v = Array.from(await out.data());
  out.dispose();
  return v;
}

describe('SNIP (per weight) and Taylor (per neuron) on the hand-set dense net', () => {
  it('clean loss matches the hand derivation', async () => {
    const want = refSnip(XS);
    const u = await fromHand('unstructured', 'clean');
    expect(u.order).toBe('prune-lowest');
    expectClose(layerData(u, 'fc1/kernel'), want.w1, 1e-4);
    expectClose(layerData(u, 'out/kernel'), want.w2, 1e-4);
    const s = await fromHand('structured', 'clean');
    expectClose(layerData(s, 'fc1/kernel'), want.t1, 1e-4);
    expectClose(layerData(s, 'out/kernel'), want.t2, 1e-4);
  });

  it("adversarial loss differentiates at x' and is batch-size independent", async () => {
    const want = refSnip(XADV);
    const u = await fromHand('unstructured', 'adversarial', 2);
    expectClose(layerData(u, 'fc1/kernel'), want.w1, 1e-4);
    const s = await fromHand('structured', 'adversarial', 1);
    expectClose(layerData(s, 'out/kernel'), want.t2, 1e-4);
    expect(layerData(s, 'out/kernel')).not.toEqual(
      layerData(await fromHand('structured', 'clean'), 'out/kernel'),
    );
  });

  it('Taylor per neuron = group Taylor over kernel slice + bias (no BN)', async () => {
    const hb = handBatches(DENSE_SPEC, XS, null, YS);
    const s = await snipFromBatches(dense, undefined, 'structured', hb.batches, { loss: 'clean' });
    const { x, y } = hb.batches[0];
    expectClose(
      layerData(s, 'fc1/kernel'),
      await groupTaylor(dense, x, y, ['fc1/kernel', 'fc1/bias'], 2),
      1e-4,
    );
    hb.dispose();
  });
});

describe('Taylor with batch norm, masks, and the full context path', () => {
  const spec = tinyBnSpec();
  const model = initModel(spec, 4);
  afterAll(() => disposeModel(model));
  tf.tidy(() => {
    model.params.get('conv1/bn/gamma')?.assign(tf.tensor1d([1.5, -0.7, 0.9, 1.2]));
    model.params.get('conv1/bn/beta')?.assign(tf.tensor1d([0.1, 0.3, -0.2, 0.05]));
    model.buffers.get('conv1/bn/movingMean')?.assign(tf.tensor1d([0.02, -0.05, 0.1, 0]));
  });
  const n = 5;
  const data = {
    x: Float32Array.from({ length: n * 64 }, (_, i) => ((i * 13) % 17) / 16),
    y: Int32Array.from({ length: n }, (_, i) => i % 4),
    shape: [8, 8, 1] as [number, number, number],
  };
  const ctx = (over: Partial<ScoreContext> = {}): ScoreContext => ({
    model,
    data,
    attack: { name: 'pgd-linf', options: { eps: 0.05, steps: 2, stepSize: 0.03 } },
    granularity: 'structured',
    batchSize: 2,
    seed: 0,
    ...over,
  });

  it('conv+BN: Taylor per channel = group Taylor over BN γ, β; batch-size independent', async () => {
    const s = await snipScores(ctx(), { loss: 'clean' });
    const x = tf.tensor4d(data.x, [n, 8, 8, 1]);
    const y = tf.tensor1d(data.y, 'int32');
    const want = await groupTaylor(model, x, y, ['conv1/bn/gamma', 'conv1/bn/beta'], 4);
    tf.dispose([x, y]);
    expectClose(layerData(s, 'conv1/kernel'), want, 1e-4);
    const s1 = await snipScores(ctx({ batchSize: 5, granularity: 'unstructured' }), {
      loss: 'clean',
    });
    const s2 = await snipScores(ctx({ batchSize: 1, granularity: 'unstructured' }), {
      loss: 'clean',
    });
    expectClose(layerData(s1, 'fc/kernel'), layerData(s2, 'fc/kernel'), 1e-4);
  });

  it('adversarial SNIP through the attack: finite, ≥ 0, masked entries exactly 0', async () => {
    const masks = new Map([['conv1/kernel', tf.tensor1d([1, 0, 1, 1])]]);
    for (const granularity of ['structured', 'unstructured'] as const) {
      const s = await snipScores(ctx({ masks, granularity }), { loss: 'adversarial' });
      expect(s.meta.attack).toBe('pgd-linf');
      for (const l of s.layers.values())
        expect(l.data.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      const c = layerData(s, 'conv1/kernel');
      if (granularity === 'structured') expect(c[1]).toBe(0);
      else expect(c.filter((_, k) => k % 4 === 1).every((v) => v === 0)).toBe(true);
      expect(c.some((v) => v > 0)).toBe(true);
    }
    masks.get('conv1/kernel')?.dispose();
  });

  it('leaks nothing, cancels, rejects bad options', async () => {
    await expectNoLeak(
      () => snipScores(ctx({ granularity: 'unstructured' }), { loss: 'adversarial' }),
      2,
    );
    await expectNoLeak(() => snipScores(ctx(), { loss: 'clean' }), 2);
    const signal = { aborted: false };
    const before = tf.memory().numTensors;
    const p = snipScores(
      ctx({
        signal,
        granularity: 'unstructured',
        onProgress: (d) => d > 0 && (signal.aborted = true),
      }),
      { loss: 'adversarial' },
    );
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
    await expect(snipScores(ctx(), { loss: 'robust' as never })).rejects.toBeInstanceOf(
      ScoreInputError,
    );
    const hb = handBatches(DENSE_SPEC, XS, null, YS);
    await expect(
      snipFromBatches(dense, undefined, 'structured', hb.batches, { loss: 'adversarial' }),
    ).rejects.toThrow(/xAdv/);
    hb.dispose();
  });
});
