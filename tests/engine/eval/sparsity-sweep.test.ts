// Sparsity evaluator, the slider's hot path: a move runs only the masked forwards of one
// [clean; transfer] sweep (no attack, no base forward: nothing that depends only on the base),
// reads the device once, and gives exactly the figures of separate clean and transfer passes for
// any sweep batch size; the sweep helpers; bad sweep sizes; no leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { syntheticDataset } from '@/engine/data/synthetic';
import { EvalInputError, correctness } from '@/engine/eval/accuracy';
import { craftAdversarialSet, deviceSet, planAttack } from '@/engine/eval/device-set';
import type { AttackSpec } from '@/engine/eval/robustness';
import {
  createSparsityEvaluator,
  splitCorrect,
  stackSweepSet,
  type EvaluateOutcome,
  type PartialPoint,
  type SparsityEvaluatorOptions,
} from '@/engine/eval/sparsity-evaluator';
import { logitsFn } from '@/engine/model/forward';
import { disposeModel } from '@/engine/model/init';
import type { Model } from '@/engine/model/types';
import { disposeMasks, toTensorMasks } from '@/engine/prune/masks';
import { rankScores, type ScoreRanking } from '@/engine/prune/ranking';
import { magnitudeScores } from '@/engine/prune/scores/magnitude';
import { tinyMlpSpec, trainedModel } from '../../fixtures/models';

const SHAPE: [number, number, number] = [6, 6, 1];
const K = 3;
const N = 37; // not a multiple of any batch size below
const BATCH = 8;
const SPEC = tinyMlpSpec(12, { inputShape: SHAPE, numClasses: K, name: 'sweep-mlp' });
const TRANSFER: AttackSpec = {
  name: 'pgd-linf',
  options: { eps: 0.15, steps: 3, stepSize: 0.06, seed: 4 },
};

let model: Model;
let ranking: ScoreRanking;
let data: { x: Float32Array; y: Int32Array; shape: [number, number, number] };

beforeAll(async () => {
  const train = syntheticDataset({ n: 96, shape: SHAPE, numClasses: K, seed: 3, noise: 0.2 });
  const test = syntheticDataset({ n: N, shape: SHAPE, numClasses: K, seed: 3, noise: 0.4 });
  model = await trainedModel(SPEC, 5, train);
  data = { x: test.images.slice(0, N * 36), y: test.labels.slice(0, N), shape: SHAPE };
  ranking = rankScores(SPEC, await magnitudeScores(model, 'unstructured'), {});
});

afterAll(() => disposeModel(model));

const opts = (o: Partial<SparsityEvaluatorOptions> = {}): SparsityEvaluatorOptions => ({
  model,
  ranking,
  data,
  transferAttack: TRANSFER,
  whiteBoxAttack: null,
  batchSize: BATCH,
  ...o,
});

type Figures = Omit<PartialPoint, 'report'>;

function partialOf(o: EvaluateOutcome): Figures {
  if (o.status !== 'done') throw new Error(`expected done, got ${o.status}`);
  const { sparsity, clean, transfer, transferRobust } = o.point;
  return { sparsity, clean, transfer, transferRobust };
}

const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;

describe('sparsity evaluator sweep', () => {
  it('a move runs one masked sweep of 2N images, no attack or gradient, and reads once', async () => {
    const sweep = 10;
    const ev = await createSparsityEvaluator(opts({ sweepBatchSize: sweep }));
    await ev.evaluate(0.3); // warm-up
    const reads = vi.spyOn(tf.Tensor.prototype, 'data');
    const partials: PartialPoint[] = [];
    let out: EvaluateOutcome | undefined;
    const info = await tf.profile(async () => {
      out = await ev.evaluate(0.6, { onPartial: (p) => partials.push(p) });
    });
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    // the partial point carries the call's sparsity report (callers need not recompute it)
    if (out?.status !== 'done') throw new Error('expected done');
    expect(partials).toHaveLength(1);
    expect(partials[0].report).toBe(out.point.report);
    expect(out.point.report.global.sparsity).toBeCloseTo(0.6, 2);
    // the first dense layer sees each of the 2N images exactly once, in ceil(2N / sweep) forwards
    const first = info.kernels.filter(
      // the dense layer with its bias and ReLU runs as one fused kernel (model/fused.ts)
      (k) => k.name === '_FusedMatMul' && k.inputShapes[1]?.at(-2) === 36,
    );
    expect(first.length).toBe(Math.ceil((2 * N) / sweep));
    const rows = first.reduce(
      (s, k) => s + (k.inputShapes[0] ?? []).reduce((p, d) => p * d, 1) / 36,
      0,
    );
    expect(rows).toBe(2 * N);
    // nothing of the base is recomputed: no gradient (transfer attack) kernel runs, and the
    // sweep batches were cut once, when the evaluator was built (no Slice copies per move)
    const grads = info.kernels.filter((k) => /Grad|Backprop|Sign|Slice/.test(k.name));
    expect(grads.map((k) => k.name)).toEqual([]);
    await ev.dispose();
  });

  it('gives exactly the figures of separate clean and transfer passes, for any sweep size', async () => {
    const f0 = logitsFn(model);
    const set = await deviceSet(data, SPEC);
    const xAdv = await craftAdversarialSet(f0, set, planAttack(TRANSFER), BATCH);
    const evs = await Promise.all(
      [1, 7, BATCH, 2 * N, 1000].map((s) => createSparsityEvaluator(opts({ sweepBatchSize: s }))),
    );
    for (const s of [0, 0.4, 0.8]) {
      const masks = toTensorMasks(ranking.masksAt(s));
      const f = logitsFn(model, s === 0 ? {} : { masks });
      const clean = await correctness(f, set.x, set.y);
      const transfer = await correctness(f, xAdv, set.y);
      disposeMasks(masks);
      const want: Figures = {
        sparsity: s,
        clean: mean(clean),
        transfer: mean(transfer),
        transferRobust: mean(clean.map((v, i) => v & transfer[i])),
      };
      for (const ev of evs) expect(partialOf(await ev.evaluate(s))).toEqual(want);
      if (s === 0) for (const ev of evs) expect(ev.base).toEqual({ ...want, sparsity: undefined });
    }
    await Promise.all(evs.map((ev) => ev.dispose()));
    tf.dispose([xAdv]);
    set.dispose();
  });

  it('stacks [clean; transfer] once and splits the flags', async () => {
    const set = await deviceSet(data, SPEC);
    const xAdv = tf.add(set.x, 0.5) as tf.Tensor4D;
    const x = set.x;
    const both = stackSweepSet(set, xAdv);
    expect(both.x.shape).toEqual([2 * N, ...SHAPE]);
    expect(Array.from(await both.y2.data())).toEqual([...data.y, ...data.y]);
    expect(xAdv.isDisposed && x.isDisposed).toBe(true);
    expect(set.y.isDisposed).toBe(false);
    const top = tf.slice(both.x, [N, 0, 0, 0], [1, -1, -1, -1]);
    expect(Array.from(await top.data())).toEqual(
      Array.from(data.x.slice(0, 36), (v) => Math.fround(v + 0.5)),
    );
    tf.dispose([top]);
    both.dispose();
    set.dispose();
    const r = splitCorrect(Uint8Array.from([1, 0, 1, 1, 1, 0, 0, 1]), 4);
    expect(r).toEqual({
      clean: 0.75,
      transfer: 0.5,
      transferRobust: 0.5,
      correct: Uint8Array.from([1, 0, 1, 1]),
    });
  });

  it('refuses a bad sweep batch size and leaks nothing over moves', async () => {
    const start = tf.memory().numTensors;
    await expect(createSparsityEvaluator(opts({ sweepBatchSize: 0 }))).rejects.toThrow(
      EvalInputError,
    );
    await expect(createSparsityEvaluator(opts({ sweepBatchSize: 2.5 }))).rejects.toThrow(
      /batchSize must be an integer/,
    );
    expect(tf.memory().numTensors).toBe(start);
    const ev = await createSparsityEvaluator(opts({ sweepBatchSize: 16 }));
    // [clean; transfer], labels ×2, labels, and that stack cut into batches of 16 (images, labels)
    expect(tf.memory().numTensors).toBe(start + 3 + 2 * Math.ceil((2 * N) / 16));
    await ev.evaluate(0.5);
    const before = tf.memory().numTensors;
    for (const s of [0.1, 0.5, 0.9, 0.5]) await ev.evaluate(s);
    expect(tf.memory().numTensors).toBe(before);
    await ev.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
