// Divergence: a NaN/±Inf loss, gradient, new weight, new optimizer state or new BN running statistic
// is caught in the step that produces it; nothing of that update is written, and trainModel ends
// 'diverged' with a checkpoint of the last good step that resumes exactly.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { forward } from '@/engine/model/forward';
import { disposeModel, initModel } from '@/engine/model/init';
import type { Model } from '@/engine/model/types';
import type { Checkpoint } from '@/engine/train/checkpoint';
import type { TrainConfigInput } from '@/engine/train/config';
import { trainModel } from '@/engine/train/loop';
import { expandMasks } from '@/engine/train/masking';
import { createObjective, type Objective } from '@/engine/train/objectives';
import { meanCrossEntropy } from '@/engine/train/objectives/losses';
import {
  createOptimizer,
  disposeOptimizer,
  exportOptimizerState,
  type Optimizer,
} from '@/engine/train/optimizers';
import { trainStep, type StepContext } from '@/engine/train/step';
import { countBitDifferences, splitData, weightsOf } from './helpers';
import { tinyBnSpec, tinyMlpSpec } from '../../fixtures/models';

const { train } = splitData(64, 8, 21);

/** Weights, BN buffers and optimizer slots as plain arrays, plus the optimizer's step count. */
async function stateOf(model: Model, opt: Optimizer): Promise<Map<string, Float32Array>> {
  const w = await weightsOf(model);
  const o = await exportOptimizerState(opt);
  for (const [n, slots] of Object.entries(o.slots)) slots.forEach((s, i) => w.set(`${n}#${i}`, s));
  w.set('#step', Float32Array.of(o.step));
  return w;
}

/** The standard objective plus `extra` in its loss (and optionally other BN statistics). */
function tweaked(extra: (model: Model) => tf.Scalar, infVariance = false): Objective {
  return {
    kind: 'standard',
    adversarial: false,
    craft: async () => null,
    loss(model, x, _xAdv, y, fwd) {
      const r = forward(model, x, { masks: fwd.masks, training: fwd.training }); // [B, K]
      const stats = infVariance
        ? new Map(
            [...r.bnBatchStats].map(([k, s]) => [
              k,
              { mean: s.mean, variance: tf.fill(s.variance.shape, Infinity) as tf.Tensor1D },
            ]),
          )
        : r.bnBatchStats;
      return {
        loss: tf.add(meanCrossEntropy(r.logits, y), extra(model)),
        logitsClean: r.logits,
        logitsAdv: null,
        bnStats: [stats],
      };
    },
  };
}

describe('trainStep: non-finite values are caught before anything is written', () => {
  it('names a weight overflow, a NaN gradient and an Inf BN statistic, keeping every state', async () => {
    const model = initModel(tinyBnSpec(), 7);
    const optimizer = createOptimizer({ kind: 'sgd', momentum: 0.9 }, model.params);
    const ctx: StepContext = {
      model,
      objective: createObjective({ kind: 'standard' }),
      optimizer,
      masks: undefined,
      paramMasks: expandMasks(model, undefined),
      bnMomentum: 0.1,
    };
    const x = tf.tensor4d(train.images.slice(0, 16 * 64), [16, 8, 8, 1]);
    const y = tf.tensor1d(train.labels.slice(0, 16), 'int32');
    // two good steps: momentum buffers, running statistics and the step count are non-trivial
    for (let i = 0; i < 2; i++) expect((await trainStep(ctx, x, y, 0.05, i)).finite).toBe(true);
    const before = await stateOf(model, optimizer);
    expect(before.get('#step')?.[0]).toBe(2);
    const tensors = tf.memory().numTensors;

    // lr 1e39 is finite in JS but Inf in float32: the loss and gradients are fine, the new weights not
    const w = await trainStep(ctx, x, y, 1e39, 3);
    expect(w.finite).toBe(false);
    expect(Number.isFinite(w.loss)).toBe(true);
    expect(w.nonFinite?.what).toBe('weight');
    expect(w.nonFinite?.names).toEqual(expect.arrayContaining(['conv1/kernel', 'fc/kernel']));
    expect(countBitDifferences(before, await stateOf(model, optimizer))).toBe(0);

    // 0·sqrt(|0·W|): a finite loss whose gradient is 0·∞ = NaN, in fc/kernel only
    ctx.objective = tweaked((m) =>
      tf.mul(0, tf.sum(tf.sqrt(tf.abs(tf.mul(m.params.get('fc/kernel') as tf.Tensor, 0))))),
    );
    const g = await trainStep(ctx, x, y, 0.05, 4);
    expect(Number.isFinite(g.loss)).toBe(true);
    expect(g.nonFinite).toEqual({ what: 'gradient', names: ['fc/kernel'] });
    expect(countBitDifferences(before, await stateOf(model, optimizer))).toBe(0);

    // an infinite batch variance: loss and gradients are finite, the running variance would not be
    ctx.objective = tweaked(() => tf.scalar(0), true);
    const b = await trainStep(ctx, x, y, 0.05, 5);
    expect(b.nonFinite).toEqual({ what: 'bn-statistic', names: ['conv1/bn/movingVariance'] });
    expect(countBitDifferences(before, await stateOf(model, optimizer))).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors); // no leak on the failure paths

    // the run can go on: a good step changes the state again
    ctx.objective = createObjective({ kind: 'standard' });
    const ok = await trainStep(ctx, x, y, 0.05, 6);
    expect(ok.finite && ok.nonFinite === null).toBe(true);
    const after = await stateOf(model, optimizer);
    expect(after.get('#step')?.[0]).toBe(3);
    expect(countBitDifferences(before, after)).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(tensors);
    x.dispose();
    y.dispose();
    disposeOptimizer(optimizer);
    disposeModel(model);
  });
});

describe('trainModel: diverged runs keep a checkpoint of the last good step', () => {
  const config: TrainConfigInput = {
    epochs: 20,
    batchSize: 16,
    seed: 4,
    objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
    optimizer: { kind: 'sgd', momentum: 0.9 },
    schedule: { kind: 'constant', lr: 1e8 },
    validation: { subsetSize: 0 },
  };

  it('a non-finite loss: the checkpoint equals a pause before that step and resumes exactly', async () => {
    const a = initModel(tinyMlpSpec(8), 4);
    const ra = await trainModel(a, { train }, config);
    expect(ra.status).toBe('diverged');
    const n = ra.step;
    expect(n).toBeGreaterThan(0);
    expect(ra.message).toMatch(
      new RegExp(
        `^diverged: (the loss is (NaN|-?Infinity)|the gradients? of .+ not finite|the update would make .+ non-finite) at step ${n} \\(epoch \\d+, batch \\d+, lr 100000000\\); the update was not applied`,
      ),
    );
    expect(ra.message).toMatch(
      /Advice: lower the learning rate \(now 100000000\) or the momentum \(now 0.9\)/,
    );
    const ckpt = structuredClone(ra.checkpoint as Checkpoint);
    expect([ckpt.step, ckpt.epoch * 4 + ckpt.batch]).toEqual([n, n]);
    // the model holds the checkpoint's weights, all finite
    const wa = await weightsOf(a);
    for (const [name, v] of wa) {
      expect(v.every(Number.isFinite), name).toBe(true);
      expect(Array.from(ckpt.weights[name].data)).toEqual(Array.from(v));
    }
    // the same run paused before step n has the same checkpoint (weights, optimizer, RNG, sums)
    const b = initModel(tinyMlpSpec(8), 4);
    let done = 0;
    const rb = await trainModel(b, { train }, config, {
      onProgress: (p) => (done = p.step),
      pauseRequested: () => done >= n,
    });
    expect(rb.status).toBe('paused');
    const pause = rb.checkpoint as Checkpoint;
    const timeless = (k: Checkpoint) => ({
      ...k,
      accum: { ...k.accum, wallMs: 0 },
      history: k.history.map((h) => ({ ...h, wallSec: 0 })),
    });
    expect(timeless(ckpt)).toEqual(timeless(pause));
    // resuming the diverged checkpoint in a fresh model repeats the same step, bit for bit
    const c = initModel(tinyMlpSpec(8), 99);
    const rc = await trainModel(c, { train }, config, {}, ckpt);
    expect(rc.status).toBe('diverged');
    expect(rc.step).toBe(n);
    expect(rc.message).toBe(ra.message);
    expect(countBitDifferences(wa, await weightsOf(c))).toBe(0);
    for (const m of [a, b, c]) disposeModel(m);
  });

  it('an update that overflows the weights is caught in its own step, keeping the initial weights', async () => {
    const model = initModel(tinyBnSpec(), 2);
    const w0 = await weightsOf(model);
    const r = await trainModel(
      model,
      { train },
      { ...config, objective: { kind: 'standard' }, schedule: { kind: 'constant', lr: 1e39 } },
    );
    expect(r.status).toBe('diverged');
    expect(r.step).toBe(0);
    expect(r.message).toMatch(
      /^diverged: the update would make weights .*conv1\/kernel.* non-finite at step 0 \(epoch 0, batch 0, lr 1e\+39\).*lower the learning rate \(now 1e\+39\)/,
    );
    expect(countBitDifferences(w0, await weightsOf(model))).toBe(0);
    const ckpt = r.checkpoint as Checkpoint;
    expect([ckpt.step, ckpt.optimizer.step]).toEqual([0, 0]);
    for (const slots of Object.values(ckpt.optimizer.slots))
      for (const s of slots) expect(s.every((v) => v === 0)).toBe(true);
    disposeModel(model);
  });
});
