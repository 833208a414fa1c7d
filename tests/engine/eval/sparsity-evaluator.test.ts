// Sparsity evaluator: dense figures at sparsity 0, the ranking's masks, equality with an uncached
// computation, supersede / cancel, no leaks over 20 calls, dispose frees the cache, bad input;
// the progressive white-box: estimate before the final, the final equal to the standalone
// evaluation, the interval holding it, superseding, no leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAttack } from '@/engine/attacks/registry';
import { AttackOptionError } from '@/engine/attacks/errors';
import { syntheticDataset } from '@/engine/data/synthetic';
import { EvalInputError, correctness } from '@/engine/eval/accuracy';
import { evaluateRobustness, type AttackSpec } from '@/engine/eval/robustness';
import {
  createSparsityEvaluator,
  wilsonInterval,
  type EvaluateOutcome,
  type PartialPoint,
  type SparsityEvaluatorOptions,
  type SparsityPoint,
} from '@/engine/eval/sparsity-evaluator';
import { logitsFn } from '@/engine/model/forward';
import { disposeModel } from '@/engine/model/init';
import type { PlainMasks } from '@/engine/model/masks';
import { prunableLayers } from '@/engine/model/params';
import type { Model } from '@/engine/model/types';
import { disposeMasks, toTensorMasks } from '@/engine/prune/masks';
import { rankScores, type ScoreRanking } from '@/engine/prune/ranking';
import { sparsityReport } from '@/engine/prune/sparsity';
import type { LayerScores, ScoreSet } from '@/engine/prune/types';
import { K, SHAPE, tinyMlpSpec, trainedModel } from '../../fixtures/models';

const N = 40;
const BATCH = 16;
const SPEC = tinyMlpSpec(16);
const TRANSFER: AttackSpec = {
  name: 'pgd-linf',
  options: { eps: 0.1, steps: 3, stepSize: 0.04, seed: 5 }, // random start: seeds matter
};
const WHITE: AttackSpec = {
  name: 'pgd-linf',
  options: { eps: 0.1, steps: 4, stepSize: 0.03, seed: 9 },
};

let model: Model;
let ranking: ScoreRanking;
let data: { x: Float32Array; y: Int32Array; shape: [number, number, number] };

/** |w| per weight (unstructured magnitude scores), inline. */
async function magnitude(m: Model): Promise<ScoreSet> {
  const layers = new Map<string, LayerScores>();
  for (const l of prunableLayers(m.spec)) {
    const w = await m.params.get(l.kernelName)!.data();
    const data = Float32Array.from(w, Math.abs);
    layers.set(l.kernelName, {
      kernelName: l.kernelName,
      layer: l.name,
      shape: l.kernelShape,
      data,
    });
  }
  return {
    method: 'magnitude',
    granularity: 'unstructured',
    order: 'prune-lowest',
    layers,
    meta: {},
  };
}

beforeAll(async () => {
  const train = syntheticDataset({ n: 128, shape: SHAPE, numClasses: K, seed: 2, noise: 0.2 });
  const test = syntheticDataset({ n: N, shape: SHAPE, numClasses: K, seed: 2, noise: 0.35 });
  model = await trainedModel(SPEC, 3, train);
  data = { x: test.images.slice(0, N * 64), y: test.labels.slice(0, N), shape: SHAPE };
  ranking = rankScores(SPEC, await magnitude(model), {});
});

afterAll(() => disposeModel(model));

const opts = (o: Partial<SparsityEvaluatorOptions> = {}): SparsityEvaluatorOptions => ({
  model,
  ranking,
  data,
  transferAttack: TRANSFER,
  whiteBoxAttack: WHITE,
  batchSize: BATCH,
  ...o,
});

function done(o: EvaluateOutcome): SparsityPoint {
  if (o.status !== 'done') throw new Error(`expected done, got ${o.status}`);
  return o.point;
}

/** The transfer set crafted from scratch on the base, with robustness.ts's per-batch seeds. */
async function craftFromScratch(): Promise<tf.Tensor4D> {
  const f = logitsFn(model);
  const parts: tf.Tensor4D[] = [];
  for (let s = 0, b = 0; s < N; s += BATCH, b++) {
    const size = Math.min(BATCH, N - s);
    const x = tf.tensor4d(data.x.slice(s * 64, (s + size) * 64), [size, ...SHAPE]);
    const y = tf.tensor1d(data.y.slice(s, s + size), 'int32');
    const seed = ((TRANSFER.options.seed as number) + 0x9e3779b9 * b) % 2 ** 32;
    parts.push(await getAttack(TRANSFER.name).run(f, x, y, { ...TRANSFER.options, seed }));
    tf.dispose([x, y]);
  }
  const all = tf.concat(parts);
  tf.dispose(parts);
  return all;
}

const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;

describe('createSparsityEvaluator', () => {
  it('gives the dense model’s figures at sparsity 0', async () => {
    const ev = await createSparsityEvaluator(opts());
    const p = done(await ev.evaluate(0));
    const f = logitsFn(model);
    const r = await evaluateRobustness(f, data, [WHITE], { batchSize: BATCH });
    expect(p.clean).toBe(r.cleanAccuracy);
    expect(p.clean).toBe(ev.base.clean);
    expect(p.clean).toBeGreaterThan(0.5); // the model learned something
    expect(p.whiteBox).toBe(r.perAttack[0].robustAccuracy);
    expect(p.whiteBox).toBeLessThan(p.clean); // the attack bites
    expect(p.transfer).toBe(ev.base.transfer);
    expect(p.transferRobust).toBe(ev.base.transferRobust);
    expect(p.report.global.sparsity).toBe(0);
    await ev.dispose();
  });

  it('uses ranking.masksAt and equals an uncached computation', async () => {
    const seen: { s: number; m: PlainMasks }[] = [];
    const spy = {
      masksAt: (s: number) => (seen.push({ s, m: ranking.masksAt(s) }), seen.at(-1)!.m),
    };
    const ev = await createSparsityEvaluator(opts({ ranking: spy }));
    const xAdv = await craftFromScratch();
    const y = tf.tensor1d(data.y, 'int32');
    const x = tf.tensor4d(data.x, [N, ...SHAPE]);
    expect(ev.base.transfer).toBe(mean(await correctness(logitsFn(model), xAdv, y)));
    for (const s of [0.3, 0.6, 0.85]) {
      const p = done(await ev.evaluate(s));
      expect(seen.at(-1)!.s).toBe(s);
      expect(p.report).toEqual(sparsityReport(SPEC, seen.at(-1)!.m));
      expect(p.report.global.sparsity).toBeCloseTo(s, 2);
      const masks = toTensorMasks(ranking.masksAt(s));
      const f = logitsFn(model, { masks });
      const clean = await correctness(f, x, y);
      const transfer = await correctness(f, xAdv, y);
      const r = await evaluateRobustness(f, data, [WHITE], { batchSize: BATCH });
      disposeMasks(masks);
      expect(p.clean).toBe(mean(clean));
      expect(p.transfer).toBe(mean(transfer));
      expect(p.transferRobust).toBe(mean(clean.map((v, i) => v & transfer[i])));
      expect(p.whiteBox).toBe(r.perAttack[0].robustAccuracy);
      expect(p.whiteBox!).toBeLessThanOrEqual(p.clean);
      expect(p.transferRobust).toBeLessThanOrEqual(p.clean);
    }
    tf.dispose([xAdv, x, y]);
    await ev.dispose();
  });

  it('stops a superseded or cancelled call early and keeps serving', async () => {
    const slow: AttackSpec = {
      name: 'pgd-linf',
      options: { eps: 0.1, steps: 200, stepSize: 0.01 },
    };
    const ev = await createSparsityEvaluator(opts({ whiteBoxAttack: slow }));
    const before = tf.memory().numTensors;
    const partials: number[] = [];
    const first = ev.evaluate(0.5, { onPartial: (p) => partials.push(p.sparsity) });
    await new Promise((r) => setTimeout(r, 30));
    const second = ev.evaluate(0.7, { onPartial: () => undefined });
    const third = ev.evaluate(0.8, { onPartial: (p) => partials.push(p.sparsity) });
    expect(await first).toEqual({ status: 'superseded', sparsity: 0.5 });
    expect(await second).toEqual({ status: 'superseded', sparsity: 0.7 }); // never started
    const flag = { aborted: false };
    const fourth = ev.evaluate(0.4, {
      signal: flag,
      onPartial: () => (flag.aborted = true), // cancel during the white-box attack
    });
    expect(await third).toEqual({ status: 'superseded', sparsity: 0.8 });
    expect(await fourth).toEqual({ status: 'cancelled', sparsity: 0.4 });
    expect(await ev.evaluate(0.2, { signal: { aborted: true } })).toEqual({
      status: 'cancelled',
      sparsity: 0.2,
    });
    expect(partials).not.toContain(0.7);
    expect(tf.memory().numTensors).toBe(before);
    // after all that, an uninterrupted call still completes with every figure
    const full = done(await ev.evaluate(0.7));
    expect(full.ms.whiteBox).toBeGreaterThan(0);
    expect(full.whiteBox).not.toBeNull();
    await ev.dispose();
  });

  it('leaks no tensor over 20 calls and dispose frees the cache', async () => {
    const start = tf.memory().numTensors;
    const fgsm: AttackSpec = { name: 'fgsm', options: { eps: 0.1 } };
    const ev = await createSparsityEvaluator(opts({ whiteBoxAttack: fgsm }));
    // [clean; transfer], labels ×2, labels, and that stack cut into sweep batches (images, labels)
    expect(tf.memory().numTensors).toBe(start + 3 + 2 * Math.ceil((2 * N) / BATCH));
    done(await ev.evaluate(0.5));
    const before = tf.memory().numTensors;
    const pending = Array.from({ length: 20 }, (_, i) => ev.evaluate((i * 0.37) % 0.95));
    const outs = await Promise.all(pending);
    expect(outs.slice(0, 19).every((o) => o.status === 'superseded')).toBe(true);
    for (let i = 0; i < 20; i++) done(await ev.evaluate((i * 0.37) % 0.95));
    expect(tf.memory().numTensors).toBe(before);
    await ev.dispose();
    expect(tf.memory().numTensors).toBe(start);
    await expect(ev.evaluate(0.1)).rejects.toThrow(EvalInputError);
  });

  it('refuses bad input with typed errors and leaks nothing', async () => {
    const start = tf.memory().numTensors;
    await expect(createSparsityEvaluator(opts({ batchSize: 0 }))).rejects.toThrow(EvalInputError);
    const bad = {
      x: new Float32Array(N * 49),
      y: data.y,
      shape: [7, 7, 1] as [number, number, number],
    };
    await expect(createSparsityEvaluator(opts({ data: bad }))).rejects.toThrow(/model input/);
    await expect(
      createSparsityEvaluator(opts({ transferAttack: { name: 'fgsm', options: { eps: -1 } } })),
    ).rejects.toThrow(AttackOptionError);
    const badLabels = { ...data, y: data.y.map(() => K) };
    await expect(createSparsityEvaluator(opts({ data: badLabels }))).rejects.toThrow(/outside/);
    expect(tf.memory().numTensors).toBe(start);
    const ev = await createSparsityEvaluator(opts({ whiteBoxAttack: null }));
    await expect(ev.evaluate(1)).rejects.toThrow(EvalInputError);
    const p = done(await ev.evaluate(0.5));
    expect(p.whiteBox).toBeNull();
    await ev.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('progressive white-box (whiteBoxEstimate)', () => {
  const SAMPLE = 8; // of ~30 clean-correct samples: an estimate, then one refinement (BATCH 16)

  /** Every partial of one call, in order, and the outcome. */
  async function stream(
    ev: Awaited<ReturnType<typeof createSparsityEvaluator>>,
    s: number,
  ): Promise<{ partials: PartialPoint[]; point: SparsityPoint }> {
    const partials: PartialPoint[] = [];
    const out = await ev.evaluate(s, { onPartial: (p) => partials.push(p) });
    return { partials, point: done(out) };
  }

  it('gives the Wilson score interval', () => {
    const w = wilsonInterval(8, 10);
    expect(w.lo).toBeCloseTo(0.4902, 4);
    expect(w.hi).toBeCloseTo(0.9433, 4);
    expect(wilsonInterval(0, 5).lo).toBe(0);
    expect(wilsonInterval(5, 5).hi).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ lo: 0, hi: 1 });
  });

  it('streams clean + transfer, an estimate, its refinement, then the exact standalone figure', async () => {
    const ev = await createSparsityEvaluator(opts({ whiteBoxEstimate: { n: SAMPLE } }));
    const plain = await createSparsityEvaluator(opts());
    for (const s of [0, 0.4, 0.7]) {
      const { partials, point } = await stream(ev, s);
      // the final figure equals a standalone evaluation with the same attack, options and seed
      const masks = toTensorMasks(ranking.masksAt(s));
      const r = await evaluateRobustness(logitsFn(model, { masks }), data, [WHITE], {
        batchSize: BATCH,
      });
      disposeMasks(masks);
      expect(point.whiteBox).toBe(r.perAttack[0].robustAccuracy);
      expect(point.whiteBox).toBe(done(await plain.evaluate(s)).whiteBox);
      // order: the clean + transfer partial first, then estimates only
      expect(partials[0].estimate).toBeUndefined();
      expect(partials[0].clean).toBe(point.clean);
      const estimates = partials.slice(1).map((p) => p.estimate!);
      expect(estimates.every((e) => e !== undefined)).toBe(true);
      const T = Math.round(point.clean * N);
      expect(T).toBeGreaterThanOrEqual(2 * SAMPLE); // so the first estimate runs
      // first: the sample alone; then one refinement per full-attack batch but the last
      expect(estimates.map((e) => e.done)).toEqual(
        Array.from({ length: Math.ceil(T / BATCH) }, (_, i) => i * BATCH),
      );
      let width = Infinity;
      for (const e of estimates) {
        expect(e).toMatchObject({ sampled: SAMPLE, targets: T, attack: 'pgd-linf', steps: 4 });
        expect(e.level).toBe(0.95);
        expect(e.lo).toBeLessThanOrEqual(e.value);
        expect(e.value).toBeLessThanOrEqual(e.hi);
        expect(e.hi).toBeLessThanOrEqual(point.clean + 1e-12);
        // the interval holds the final figure here, and narrows as the full attack goes on
        expect(point.whiteBox!).toBeGreaterThanOrEqual(e.lo - 1e-12);
        expect(point.whiteBox!).toBeLessThanOrEqual(e.hi + 1e-12);
        expect(e.hi - e.lo).toBeLessThan(width);
        width = e.hi - e.lo;
      }
      expect(point.ms.estimate).toBeGreaterThan(0);
      expect(point.ms.estimate).toBeLessThan(point.ms.whiteBox);
    }
    await ev.dispose();
    await plain.dispose();
  });

  it('without room for a sample, refines within the hard bounds', async () => {
    const ev = await createSparsityEvaluator(opts({ whiteBoxEstimate: { n: N } }));
    const { partials, point } = await stream(ev, 0.3);
    const estimates = partials.slice(1).map((p) => p.estimate!);
    const T = Math.round(point.clean * N);
    expect(T).toBeGreaterThan(BATCH);
    // no first estimate (T < 2n), one refinement per full-attack batch but the last
    expect(estimates.map((e) => e.done)).toEqual(
      Array.from({ length: Math.ceil(T / BATCH) - 1 }, (_, i) => (i + 1) * BATCH),
    );
    for (const e of estimates) {
      expect(e.sampled).toBe(0);
      // the first `done` targets are final: the figure lies in [r/N, (r + T − done)/N]
      expect(e.hi - e.lo).toBeCloseTo((T - e.done) / N, 12);
      expect(point.whiteBox!).toBeGreaterThanOrEqual(e.lo - 1e-12);
      expect(point.whiteBox!).toBeLessThanOrEqual(e.hi + 1e-12);
    }
    await ev.dispose();
    await expect(createSparsityEvaluator(opts({ whiteBoxEstimate: { n: 0 } }))).rejects.toThrow(
      EvalInputError,
    );
  });

  it('a newer call supersedes the estimate and the refinement at once', async () => {
    const slow: AttackSpec = {
      name: 'pgd-linf',
      options: { eps: 0.1, steps: 150, stepSize: 0.01, seed: 3 },
    };
    const ev = await createSparsityEvaluator(
      opts({ whiteBoxAttack: slow, whiteBoxEstimate: { n: SAMPLE } }),
    );
    const before = tf.memory().numTensors;
    const seen: PartialPoint[] = [];
    let second: Promise<EvaluateOutcome> | undefined;
    let third: Promise<EvaluateOutcome> | undefined;
    // the 2nd call supersedes the 1st as soon as its clean + transfer figures are out, before the
    // first estimate; the 3rd supersedes the 2nd right after its first estimate, in the full attack
    const onSecond = (p: PartialPoint) => {
      seen.push(p);
      if (p.estimate) third ??= ev.evaluate(0.3);
    };
    const first = ev.evaluate(0.5, {
      onPartial: (p) => {
        seen.push(p);
        if (!p.estimate) second ??= ev.evaluate(0.6, { onPartial: onSecond });
      },
    });
    expect(await first).toEqual({ status: 'superseded', sparsity: 0.5 });
    expect(await second!).toEqual({ status: 'superseded', sparsity: 0.6 });
    const of = (s: number) => seen.filter((p) => p.sparsity === s).map((p) => p.estimate?.done);
    expect(of(0.5)).toEqual([undefined]); // no estimate after being superseded
    expect(of(0.6)).toEqual([undefined, 0]); // the first estimate, no refinement, no final
    expect(done(await third!).whiteBox).not.toBeNull(); // the newest call completes
    expect(tf.memory().numTensors).toBe(before);
    await ev.dispose();
  });

  it('leaks no tensor across repeated progressive calls', async () => {
    const ev = await createSparsityEvaluator(opts({ whiteBoxEstimate: { n: SAMPLE } }));
    await stream(ev, 0.5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 8; i++) await stream(ev, (i * 0.29) % 0.9);
    const pending = Array.from({ length: 6 }, (_, i) =>
      ev.evaluate(0.1 * i, { onPartial: () => undefined }),
    );
    await Promise.all(pending);
    expect(tf.memory().numTensors).toBe(before);
    await ev.dispose();
  });
});
