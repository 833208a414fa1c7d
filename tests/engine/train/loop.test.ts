// trainModel: progress stream, epoch metrics, lr logging (multistep, AccelAT), masks, divergence,
// input errors and tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeModel, initModel } from '@/engine/model/init';
import { isTrainError } from '@/engine/train/errors';
import { trainModel } from '@/engine/train/loop';
import type { EpochMetrics, LrChangeRecord, TrainProgress } from '@/engine/train/types';
import { splitData, weightsOf } from './helpers';
import { syntheticDataset } from '@/engine/data/synthetic';
import { tinyBnSpec, tinyMlpSpec } from '../../fixtures/models';

const { train, val } = splitData(96, 48, 21);

describe('trainModel', () => {
  it('streams progress for every step and per-epoch metrics', async () => {
    const model = initModel(tinyMlpSpec(8), 1);
    const progress: TrainProgress[] = [];
    const epochs: EpochMetrics[] = [];
    const r = await trainModel(
      model,
      { train, val },
      {
        epochs: 2,
        batchSize: 40, // 96 → batches of 40, 40, 16
        objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
        schedule: { kind: 'cyclic', maxLr: 0.1 },
        validation: { subsetSize: 30, evalEvery: 2, steps: 2 },
      },
      { onProgress: (p) => progress.push(p), onEpochEnd: (e) => epochs.push(e) },
    );
    expect(r.status).toBe('completed');
    expect(r.message).toMatch(/completed 2 epochs \(6 steps\)/);
    expect(progress.map((p) => [p.epoch, p.batch, p.step])).toEqual([
      [0, 0, 1],
      [0, 1, 2],
      [0, 2, 3],
      [1, 0, 4],
      [1, 1, 5],
      [1, 2, 6],
    ]);
    for (const p of progress) {
      expect(p.batchesPerEpoch).toBe(3);
      expect(p.loss).toBeGreaterThan(0);
      expect(p.cleanAcc).toBeGreaterThanOrEqual(0);
      expect(p.cleanAcc).toBeLessThanOrEqual(1);
      expect(p.advAcc).not.toBeNull();
      expect(p.samplesPerSec).toBeGreaterThan(0);
    }
    expect(progress[0].lr).toBe(0); // one-cycle starts at 0
    expect(Math.max(...progress.map((p) => p.lr))).toBeCloseTo(0.1, 12); // peak at step 3 of 6
    expect(progress[5].etaSec).toBe(0);
    expect(epochs).toEqual(r.history);
    expect(r.history.map((h) => h.steps)).toEqual([3, 3]);
    expect(r.history[0].valCleanAcc).toBeNull(); // evalEvery 2
    expect(r.history[1].valCleanAcc).toBeGreaterThanOrEqual(0);
    expect(r.history[1].valAdvAcc).toBeLessThanOrEqual(r.history[1].valCleanAcc as number);
    // sample-weighted epoch loss from the batch losses
    const e1 = progress.slice(3);
    const weighted = (e1[0].loss * 40 + e1[1].loss * 40 + e1[2].loss * 16) / 96;
    expect(r.history[1].trainLoss).toBeCloseTo(weighted, 5);
    expect(r.history[1].lr).toBe(progress[5].lr);
    disposeModel(model);
  });

  it('logs a multistep milestone and AccelAT cuts with their reasons', async () => {
    const model = initModel(tinyMlpSpec(8), 2);
    const seen: LrChangeRecord[] = [];
    const r = await trainModel(
      model,
      { train },
      {
        epochs: 3,
        batchSize: 48,
        schedule: { kind: 'multistep', lr: 0.1, milestones: [2], gamma: 0.5 },
        validation: { subsetSize: 0 },
      },
      { onLrChange: (c) => seen.push(c) },
    );
    expect(r.lrChanges).toEqual([
      { from: 0.1, to: 0.05, reason: 'multistep milestone 2: lr × 0.5', epoch: 2, step: 4 },
    ]);
    expect(seen).toEqual(r.lrChanges);
    expect(r.history.map((h) => h.lr)).toEqual([0.1, 0.1, 0.05]);
    // AccelAT, ftEp 1, sdEp 1, pw 1: the means exceed ftEp = 1 from the 3rd epoch on → a cut at
    // the end of epochs 2, 3, 4 (0-based), each effective from the next epoch
    const acc = await trainModel(
      model,
      { train, val },
      {
        epochs: 5,
        batchSize: 48,
        objective: { kind: 'standard' },
        schedule: { kind: 'accelat', lr: 0.05, ftEp: 1, sdEp: 1, pw: 1 },
        validation: { subsetSize: 16, steps: 2, evalEvery: 3 },
      },
    );
    expect(acc.history.every((h) => h.valAdvAcc !== null)).toBe(true); // AccelAT forces validation
    expect(acc.lrChanges.map((c) => [c.epoch, c.step])).toEqual([
      [3, 6],
      [4, 8],
      [5, 10],
    ]);
    expect(acc.lrChanges[0].reason).toMatch(
      /^accelat: mean adv acc over the last 1 epochs changed by [+-]\d\.\d{4} < pw 1; lr × 0.8$/,
    );
    const lrs = acc.history.map((h) => h.lr);
    expect(lrs.slice(0, 3)).toEqual([0.05, 0.05, 0.05]);
    expect(lrs[3]).toBeCloseTo(0.04, 15);
    expect(lrs[4]).toBeCloseTo(0.032, 15);
    disposeModel(model);
  });

  it('keeps masked weights (and pruned units’ biases) exactly zero through adversarial training', async () => {
    const model = initModel(tinyMlpSpec(10), 3);
    const kernel2 = tf.tensor(
      Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? 0 : 1)),
      [10, 4],
    );
    const units1 = tf.tensor1d([1, 1, 0, 1, 0, 1, 1, 1, 1, 0]);
    const masks = new Map([
      ['fc1/kernel', units1],
      ['fc2/kernel', kernel2],
    ]);
    const r = await trainModel(
      model,
      { train, masks },
      {
        epochs: 2,
        batchSize: 32,
        objective: { kind: 'trades', eps: 0.1, steps: 2 },
        optimizer: { kind: 'sgd', weightDecay: 0.01 },
        schedule: { kind: 'constant', lr: 0.1 },
        validation: { subsetSize: 0 },
      },
    );
    expect(r.status).toBe('completed');
    const w = await weightsOf(model);
    const k1 = w.get('fc1/kernel') as Float32Array; // [64, 10]
    const dead = [2, 4, 9];
    expect(
      Array.from(k1)
        .filter((_, i) => dead.includes(i % 10))
        .every((v) => v === 0),
    ).toBe(true);
    expect(
      Array.from(k1)
        .filter((_, i) => !dead.includes(i % 10))
        .every((v) => v !== 0),
    ).toBe(true);
    expect(dead.map((u) => (w.get('fc1/bias') as Float32Array)[u])).toEqual([0, 0, 0]);
    const k2 = w.get('fc2/kernel') as Float32Array;
    expect(
      Array.from(k2)
        .filter((_, i) => i % 5 === 0)
        .every((v) => v === 0),
    ).toBe(true);
    masks.forEach((t) => t.dispose());
    disposeModel(model);
  });

  it('stops with "diverged" on a non-finite loss, keeping finite weights', async () => {
    const model = initModel(tinyMlpSpec(8), 4);
    const progress: TrainProgress[] = [];
    const r = await trainModel(
      model,
      { train },
      {
        epochs: 50,
        batchSize: 16,
        optimizer: { kind: 'sgd', momentum: 0.9 },
        schedule: { kind: 'constant', lr: 1e8 },
        validation: { subsetSize: 0 },
      },
      { onProgress: (p) => progress.push(p) },
    );
    expect(r.status).toBe('diverged');
    expect(r.message).toMatch(
      /^diverged: (the loss is (NaN|-?Infinity)|the gradients? of .* not finite|the update would make .* non-finite) at step \d+ .*the update was not applied.*lower the learning rate \(now 100000000\)/,
    );
    expect(r.checkpoint?.step).toBe(r.step); // the last good state (divergence.test.ts)
    expect(r.step).toBe(progress.length); // every applied step was reported, the failed one not
    expect(r.step).toBeLessThan(300);
    for (const arr of (await weightsOf(model)).values())
      expect(arr.every((v) => Number.isFinite(v))).toBe(true);
    disposeModel(model);
  });

  it('rejects data that does not fit the model, AccelAT without validation, and bad configs', async () => {
    const model = initModel(tinyMlpSpec(8), 5);
    const big = syntheticDataset({ n: 8, shape: [10, 10, 1], numClasses: 4, seed: 1 });
    const three = syntheticDataset({ n: 8, shape: [8, 8, 1], numClasses: 3, seed: 1 });
    const expectError = async (p: Promise<unknown>, problem: string, re: RegExp) => {
      let err: unknown;
      try {
        await p;
      } catch (e) {
        err = e;
      }
      expect(isTrainError(err, problem as never), String(err)).toBe(true);
      expect(String(err)).toMatch(re);
    };
    await expectError(
      trainModel(model, { train: big }, {}),
      'bad-data',
      /images \[10, 10, 1\].*expects \[8, 8, 1\]/,
    );
    await expectError(
      trainModel(model, { train, val: three }, {}),
      'bad-data',
      /validation set .* 3 classes/,
    );
    await expectError(
      trainModel(model, { train }, { schedule: { kind: 'accelat' } }),
      'bad-config',
      /accelat/,
    );
    await expectError(
      trainModel(model, { train }, { batchSize: 0, objective: { kind: 'pgd-at', eps: -1 } }),
      'bad-config',
      /config.batchSize.*config.objective.eps/,
    );
    await expectError(
      trainModel(model, { train }, { batchSize: 200, dropLast: true }),
      'bad-config',
      /leaves no batch/,
    );
    const wrongMask = tf.ones([3]);
    await expectError(
      trainModel(model, { train, masks: new Map([['fc1/kernel', wrongMask]]) }, {}),
      'bad-mask',
      /shape \[3\]/,
    );
    wrongMask.dispose();
    disposeModel(model);
  });

  it('leaks no tensors (every objective, BN model, pause and resume)', async () => {
    const model = initModel(tinyBnSpec(), 6);
    const runAll = async () => {
      for (const kind of ['standard', 'pgd-at', 'trades', 'fgsm-rs'] as const) {
        const objective =
          kind === 'standard'
            ? { kind }
            : kind === 'fgsm-rs'
              ? { kind, guard: { everySteps: 1, batchSize: 8, maxDrop: 1, minFractionOfBest: 0 } }
              : { kind, steps: 2 };
        const cfg = {
          epochs: 1,
          batchSize: 48,
          objective,
          validation: { subsetSize: 8, steps: 2 },
        };
        let n = 0;
        const paused = await trainModel(model, { train, val }, cfg, {
          onProgress: () => n++,
          pauseRequested: () => n >= 1,
        });
        expect(paused.status).toBe('paused');
        const done = await trainModel(
          model,
          { train, val },
          cfg,
          {},
          paused.checkpoint ?? undefined,
        );
        expect(done.status).toBe('completed');
      }
    };
    await runAll();
    const before = tf.memory().numTensors;
    await runAll();
    await runAll();
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });
});
