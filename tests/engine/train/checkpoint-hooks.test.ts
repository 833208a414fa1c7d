// The checkpoint hooks: onCheckpoint(c, 'epoch') after each epoch end and onCheckpoint(c, 'timer')
// whenever checkpointDue() is true between steps. Each checkpoint resumes in a fresh model to
// bit-identical weights and the same history as the uninterrupted run (set-up of resume.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeModel, initModel } from '@/engine/model/init';
import type { Checkpoint } from '@/engine/train/checkpoint';
import type { TrainConfigInput } from '@/engine/train/config';
import { trainModel } from '@/engine/train/loop';
import type { TrainResult } from '@/engine/train/types';
import { countBitDifferences, splitData, weightsOf } from './helpers';
import { tinyBnSpec } from '../../fixtures/models';

const { train, val } = splitData(100, 40, 11); // 100 samples / batch 32 → 4 batches per epoch

const strip = (r: TrainResult) => ({
  history: r.history.map((h) => ({ ...h, wallSec: 0 })),
  lrChanges: r.lrChanges,
  step: r.step,
});

const config: TrainConfigInput = {
  epochs: 3,
  batchSize: 32,
  seed: 5,
  objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
  optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true },
  schedule: { kind: 'cosine', lr: 0.05, warmupEpochs: 1 },
  validation: { subsetSize: 24, steps: 2 },
};

const makeMasks = () =>
  new Map([
    [
      'fc/kernel',
      tf.tensor(
        Array.from({ length: 64 * 4 }, (_, i) => (i % 3 === 1 ? 0 : 1)),
        [64, 4],
      ),
    ],
  ]);

describe('checkpoint hooks', () => {
  it("'epoch' and 'timer' checkpoints resume exactly; the hooks do not change the run", async () => {
    const masksA = makeMasks();
    const a = initModel(tinyBnSpec(), 1);
    const ra = await trainModel(a, { train, val, masks: masksA }, config);
    expect(ra.status).toBe('completed');
    const wa = await weightsOf(a);
    disposeModel(a);

    // the same run with both hooks: timer checkpoints before steps 2 and 6
    const masksB = makeMasks();
    const b = initModel(tinyBnSpec(), 1);
    const got: { why: string; c: Checkpoint }[] = [];
    let done = 0;
    let polls = 0;
    const rb = await trainModel(b, { train, val, masks: masksB }, config, {
      onProgress: (p) => (done = p.step),
      checkpointDue: () => {
        polls++;
        return done === 2 || done === 6;
      },
      onCheckpoint: async (c, why) => {
        await new Promise((r) => setTimeout(r, 1)); // awaited: an asynchronous store
        got.push({ why, c: structuredClone(c) }); // crosses a worker boundary
        done = -1; // one timer checkpoint per request
      },
    });
    expect(rb.status).toBe('completed');
    expect(countBitDifferences(wa, await weightsOf(b))).toBe(0);
    expect(strip(rb)).toEqual(strip(ra));
    expect(polls).toBe(12); // once before each of the 3 × 4 steps
    expect(got.map(({ why, c }) => [why, c.epoch, c.batch, c.step])).toEqual([
      ['timer', 0, 2, 2],
      ['epoch', 1, 0, 4],
      ['timer', 1, 2, 6],
      ['epoch', 2, 0, 8],
      ['epoch', 3, 0, 12],
    ]);
    expect(got[1].c.history.length).toBe(1); // the epoch's metrics are in
    disposeModel(b);

    // every checkpoint but the final one resumes, in a fresh model, to the uninterrupted run
    for (const [i, { why, c }] of got.slice(0, 4).entries()) {
      const m = initModel(tinyBnSpec(), 500 + i);
      const r = await trainModel(m, { train, val }, config, {}, c);
      expect(r.status).toBe('completed');
      expect(countBitDifferences(wa, await weightsOf(m)), `${why} at step ${c.step}`).toBe(0);
      expect(strip(r)).toEqual(strip(ra));
      disposeModel(m);
    }
    for (const t of [...masksA.values(), ...masksB.values()]) t.dispose();
  });

  it('checkpointDue is not polled without onCheckpoint; an error in onCheckpoint ends the run', async () => {
    const m = initModel(tinyBnSpec(), 2);
    const quick: TrainConfigInput = { epochs: 1, batchSize: 50, validation: { subsetSize: 0 } };
    let polls = 0;
    const r = await trainModel(m, { train }, quick, { checkpointDue: () => ++polls > 0 });
    expect(r.status).toBe('completed');
    expect(polls).toBe(0);
    const tensors = tf.memory().numTensors;
    await expect(
      trainModel(m, { train }, quick, {
        onCheckpoint: () => {
          throw new Error('quota exceeded');
        },
      }),
    ).rejects.toThrow(/quota exceeded/);
    expect(tf.memory().numTensors).toBe(tensors); // the run's tensors were freed
    disposeModel(m);
  });
});
