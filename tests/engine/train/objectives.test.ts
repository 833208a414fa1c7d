// Training objectives: budgets of the crafted inputs, TRADES' loss and inner maximization by hand,
// loss decrease on synthetic data, PGD-AT's robustness gain over standard training, leaks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { forward, logitsFn } from '@/engine/model/forward';
import { disposeModel, initModel } from '@/engine/model/init';
import type { Model } from '@/engine/model/types';
import { parseTrainConfig } from '@/engine/train/config';
import { trainModel } from '@/engine/train/loop';
import { createObjective, type Objective } from '@/engine/train/objectives';
import { softmaxKl } from '@/engine/train/objectives/losses';
import { tradesCraft } from '@/engine/train/objectives/trades';
import { consume, splitData } from './helpers';
import { tinyBnSpec, tinyMlpSpec } from '../../fixtures/models';

const { train, val } = splitData(256, 128, 3);
const objectiveOf = (o: object): Objective =>
  createObjective(parseTrainConfig({ objective: o }).objective);

function batch(n: number, offset = 0): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const size = 64;
  return {
    x: tf.tensor4d(train.images.slice(offset * size, (offset + n) * size), [n, 8, 8, 1]),
    y: tf.tensor1d(train.labels.slice(offset, offset + n), 'int32'),
  };
}

/** The objective's loss on a fixed batch (crafting with a fixed seed), in nats. */
async function objectiveLoss(
  model: Model,
  obj: Objective,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
): Promise<number> {
  const xAdv = await obj.craft(model, x, y, { seed: 7 });
  const r = tf.tidy(() => obj.loss(model, x, xAdv, y, { training: true }).loss);
  xAdv?.dispose();
  const v = (await r.data())[0];
  r.dispose();
  return v;
}

describe('config resolution (defaults from the papers)', () => {
  it('is idempotent: a resolved config parses to itself (checkpoints store resolved configs)', () => {
    for (const objective of [
      { kind: 'standard' },
      { kind: 'pgd-at' },
      { kind: 'trades', eps: 0.2 },
      { kind: 'fgsm-rs' },
    ]) {
      const once = parseTrainConfig({ objective, schedule: { kind: 'cosine', warmupEpochs: 1 } });
      expect(parseTrainConfig(once)).toEqual(once);
    }
  });

  it('fills derived step sizes and defaults', () => {
    const c = (o: object) =>
      parseTrainConfig({ objective: o }).objective as unknown as Record<string, unknown>;
    expect(c({ kind: 'pgd-at', eps: 0.3, steps: 40 })).toMatchObject({
      stepSize: 0.01875,
      randomStart: true,
      restarts: 1,
    });
    expect(c({ kind: 'trades' })).toMatchObject({
      beta: 6,
      eps: 0.1,
      steps: 10,
      stepSize: 0.025,
      craftMode: 'eval',
    });
    expect(c({ kind: 'fgsm-rs', eps: 0.2 })).toMatchObject({
      alpha: 0.25,
      guard: { pgdStepSize: 0.05, maxDrop: 0.2 },
    });
    expect(parseTrainConfig({ objective: { kind: 'trades', eps: 0.2 } }).validation).toMatchObject({
      eps: 0.2,
      steps: 10,
      stepSize: 0.05,
    });
  });
});

describe('crafting', () => {
  it('every adversarial objective stays in the ε-ball and in [0, 1]', async () => {
    const model = initModel(tinyBnSpec(), 1);
    const { x, y } = batch(16);
    for (const o of [
      { kind: 'pgd-at', eps: 0.1, steps: 3 },
      { kind: 'trades', eps: 0.1, steps: 3 },
      { kind: 'fgsm-rs', eps: 0.1 },
    ]) {
      const xAdv = (await objectiveOf(o).craft(model, x, y, { seed: 3 })) as tf.Tensor4D;
      const [dist, lo, hi, moved] = await consume(
        tf.tidy(() =>
          tf.stack([
            tf.max(tf.abs(tf.sub(xAdv, x))),
            tf.min(xAdv),
            tf.max(xAdv),
            tf.mean(tf.abs(tf.sub(xAdv, x))),
          ]),
        ),
      );
      expect(dist, o.kind).toBeLessThanOrEqual(0.1 + 1e-6);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(moved, o.kind).toBeGreaterThan(0.02);
      xAdv.dispose();
    }
    expect(await objectiveOf({ kind: 'standard' }).craft(model, x, y, { seed: 3 })).toBeNull();
    x.dispose();
    y.dispose();
    disposeModel(model);
  });

  it("TRADES' inner maximization raises the KL above its random start", async () => {
    const model = initModel(tinyMlpSpec(16), 2);
    const { x } = batch(32);
    const f = logitsFn(model);
    const kl = async (xa: tf.Tensor4D) =>
      (await consume(tf.tidy(() => tf.mean(softmaxKl(f(x), f(xa))))))[0];
    const start = tf.tidy(() =>
      tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', 5), 0.001)),
    );
    const xAdv = await tradesCraft(f, x, { eps: 0.1, steps: 5, stepSize: 0.025 }, 5);
    expect(await kl(xAdv)).toBeGreaterThan(100 * (await kl(start as tf.Tensor4D)));
    [x, start, xAdv].forEach((t) => t.dispose());
    disposeModel(model);
  });
});

describe('losses', () => {
  it('TRADES loss = CE(f(x), y) + β·KL(f(x) ‖ f(x′)), by hand from the logits', async () => {
    const model = initModel(tinyMlpSpec(8), 4);
    const { x, y } = batch(6);
    const obj = objectiveOf({ kind: 'trades', beta: 3, steps: 2 });
    const xAdv = (await obj.craft(model, x, y, { seed: 1 })) as tf.Tensor4D;
    const loss = (
      await consume(tf.tidy(() => obj.loss(model, x, xAdv, y, { training: true }).loss))
    )[0];
    const zNat = tf.tidy(() => forward(model, x).logits);
    const zAdv = tf.tidy(() => forward(model, xAdv).logits);
    const zn = await zNat.array();
    const za = await zAdv.array();
    [zNat, zAdv].forEach((t) => t.dispose());
    const labels = await y.array();
    const logSoftmax = (z: number[]) => {
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
      return z.map((v) => v - lse);
    };
    let ce = 0;
    let kl = 0;
    zn.forEach((z, b) => {
      const lp = logSoftmax(z);
      const lq = logSoftmax(za[b]);
      ce -= lp[labels[b]];
      kl += lp.reduce((s, v, k) => s + Math.exp(v) * (v - lq[k]), 0);
    });
    expect(loss).toBeCloseTo((ce + 3 * kl) / 6, 5);
    [x, y, xAdv].forEach((t) => t.dispose());
    disposeModel(model);
  });

  it('each objective decreases its own loss on synthetic data', async () => {
    const { x, y } = batch(64, 100);
    for (const o of [
      { kind: 'standard' },
      { kind: 'pgd-at', eps: 0.1, steps: 3 },
      { kind: 'trades', eps: 0.1, steps: 3 },
      { kind: 'fgsm-rs', eps: 0.1, guard: { enabled: false } },
    ]) {
      const model = initModel(tinyMlpSpec(16), 5);
      const obj = objectiveOf(o);
      const before = await objectiveLoss(model, obj, x, y);
      const r = await trainModel(
        model,
        { train },
        {
          epochs: 3,
          batchSize: 32,
          objective: o as never,
          schedule: { kind: 'constant', lr: 0.05 },
          validation: { subsetSize: 0 },
        },
      );
      const after = await objectiveLoss(model, obj, x, y);
      expect(after, o.kind).toBeLessThan(0.7 * before);
      expect(r.history[2].trainLoss, o.kind).toBeLessThan(r.history[0].trainLoss);
      disposeModel(model);
    }
    x.dispose();
    y.dispose();
  });

  it('objective losses leak no tensors (craft + loss under the gradient tape)', async () => {
    const model = initModel(tinyBnSpec(), 6);
    const { x, y } = batch(8);
    const vars = [...model.params.values()];
    const once = async () => {
      for (const o of [
        { kind: 'standard' },
        { kind: 'pgd-at', steps: 2 },
        { kind: 'trades', steps: 2 },
        { kind: 'fgsm-rs' },
      ]) {
        const obj = objectiveOf(o);
        const xAdv = await obj.craft(model, x, y, { seed: 2 });
        const { value, grads } = tf.variableGrads(
          () => obj.loss(model, x, xAdv, y, { training: true }).loss,
          vars,
        );
        value.dispose();
        Object.values(grads).forEach((g) => g.dispose());
        xAdv?.dispose();
      }
    };
    await once();
    const before = tf.memory().numTensors;
    await once();
    await once();
    expect(tf.memory().numTensors).toBe(before);
    [x, y].forEach((t) => t.dispose());
    disposeModel(model);
  });
});

describe('robustness', () => {
  it('PGD-AT raises PGD accuracy over standard training (ε 0.2, synthetic 8×8)', async () => {
    const acc: Record<string, number> = {};
    for (const objective of [{ kind: 'standard' }, { kind: 'pgd-at', eps: 0.2, steps: 5 }]) {
      const model = initModel(tinyMlpSpec(32), 1);
      const r = await trainModel(
        model,
        { train, val },
        {
          epochs: 6,
          batchSize: 32,
          objective: objective as never,
          schedule: { kind: 'constant', lr: 0.05 },
          validation: { subsetSize: 128, eps: 0.2, steps: 10, evalEvery: 6 },
        },
      );
      acc[objective.kind] = r.history[5].valAdvAcc as number;
      expect(r.history[5].valCleanAcc).toBeGreaterThan(0.6);
      disposeModel(model);
    }
    expect(acc['pgd-at'] - acc.standard).toBeGreaterThan(0.15);
  });
});

describe('resolved configs read back', () => {
  it('ε = 0 derives step sizes of 0 that validate again (a report config re-runs)', () => {
    for (const objective of [
      { kind: 'pgd-at', eps: 0 },
      { kind: 'trades', eps: 0 },
      { kind: 'fgsm-rs', eps: 0 },
    ] as const) {
      const once = parseTrainConfig({ objective });
      const twice = parseTrainConfig(JSON.parse(JSON.stringify(once)));
      expect(twice).toEqual(once);
    }
  });
});
