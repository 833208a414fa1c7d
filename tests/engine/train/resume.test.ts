// Exact resume: pausing (or stopping) after k batches and resuming from the checkpoint in a fresh
// model gives bit-identical weights, history and learning rates to an uninterrupted run.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '@/engine/model/spec';
import { disposeModel, initModel } from '@/engine/model/init';
import type { Checkpoint } from '@/engine/train/checkpoint';
import type { TrainConfigInput } from '@/engine/train/config';
import { isTrainError } from '@/engine/train/errors';
import { trainModel } from '@/engine/train/loop';
import type { TrainResult } from '@/engine/train/types';
import { countBitDifferences, splitData, weightsOf } from './helpers';
import { tinyBnSpec, tinyMlpSpec } from '../../fixtures/models';

const { train, val } = splitData(100, 40, 11); // 100 samples / batch 32 → 4 batches, the last of 4

const strip = (r: TrainResult) => ({
  history: r.history.map((h) => ({ ...h, wallSec: 0 })),
  lrChanges: r.lrChanges,
  guard: r.guard,
  step: r.step,
});

interface Case {
  name: string;
  spec: ModelSpec;
  config: TrainConfigInput;
  /** pause before these global steps (each resume in a fresh model) */
  pauses: number[];
  masks?: boolean;
}

const cases: Case[] = [
  {
    name: 'PGD-AT, BN conv net, SGD nesterov + cosine warmup, masks; pauses mid-epoch and at an epoch boundary',
    spec: tinyBnSpec(),
    config: {
      epochs: 3,
      batchSize: 32,
      seed: 5,
      objective: { kind: 'pgd-at', eps: 0.1, steps: 3 },
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true },
      schedule: { kind: 'cosine', lr: 0.05, warmupEpochs: 1 },
      validation: { subsetSize: 24, steps: 3 },
    },
    pauses: [2, 4, 9],
    masks: true,
  },
  {
    name: 'FGSM-RS with the guard every 3 steps, Adam + one-cycle',
    spec: tinyMlpSpec(12),
    config: {
      epochs: 2,
      batchSize: 32,
      seed: 8,
      objective: {
        kind: 'fgsm-rs',
        eps: 0.1,
        guard: { everySteps: 3, batchSize: 16, maxDrop: 1, minFractionOfBest: 0 },
      },
      optimizer: { kind: 'adam' },
      schedule: { kind: 'cyclic', maxLr: 0.01 },
      validation: { subsetSize: 16, steps: 2, evalEvery: 2 },
    },
    pauses: [5],
  },
  {
    name: 'TRADES, multistep with a milestone after the pause',
    spec: tinyMlpSpec(8),
    config: {
      epochs: 2,
      batchSize: 32,
      seed: 2,
      objective: { kind: 'trades', eps: 0.1, steps: 2 },
      schedule: { kind: 'multistep', lr: 0.05, milestones: [1] },
      validation: { subsetSize: 0 },
    },
    pauses: [3],
  },
];

describe('exact resume', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const makeMasks = () =>
        c.masks
          ? new Map([
              [
                'fc/kernel',
                tf.tensor(
                  Array.from({ length: 64 * 4 }, (_, i) => (i % 4 === 2 ? 0 : 1)),
                  [64, 4],
                ),
              ],
            ])
          : undefined;
      // uninterrupted
      const masksA = makeMasks();
      const a = initModel(c.spec, 1);
      const ra = await trainModel(a, { train, val, masks: masksA }, c.config);
      expect(ra.status).toBe('completed');
      const wa = await weightsOf(a);
      disposeModel(a);
      // interrupted at each pause, every resume in a fresh model (other init seed)
      let ckpt: Checkpoint | undefined;
      let rb: TrainResult | undefined;
      let model = initModel(c.spec, 1);
      for (let i = 0; i <= c.pauses.length; i++) {
        const at = c.pauses[i];
        let steps = ckpt?.step ?? 0;
        rb = await trainModel(
          model,
          { train, val, masks: ckpt ? undefined : makeMasks() },
          c.config,
          {
            onProgress: (p) => (steps = p.step),
            pauseRequested: () => at !== undefined && steps >= at,
          },
          ckpt,
        );
        if (at === undefined) break;
        expect(rb.status).toBe('paused');
        expect(rb.step).toBe(at);
        ckpt = structuredClone(rb.checkpoint as Checkpoint); // crosses a worker boundary
        disposeModel(model);
        model = initModel(c.spec, 1000 + i);
      }
      expect(rb?.status).toBe('completed');
      const wb = await weightsOf(model);
      disposeModel(model);
      masksA?.forEach((t) => t.dispose());
      expect(countBitDifferences(wa, wb)).toBe(0);
      expect(strip(rb as TrainResult)).toEqual(strip(ra));
    });
  }

  for (const stopAt of [3, 4]) {
    it(`a stop signal after step ${stopAt} returns a checkpoint that resumes exactly`, async () => {
      const config: TrainConfigInput = {
        epochs: 2,
        batchSize: 32,
        objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
        validation: { subsetSize: 16, steps: 2 },
      };
      const a = initModel(tinyMlpSpec(8), 3);
      const ra = await trainModel(a, { train, val }, config);
      const wa = await weightsOf(a);
      disposeModel(a);
      const signal = { aborted: false };
      const b = initModel(tinyMlpSpec(8), 3);
      const stopped = await trainModel(b, { train, val }, config, {
        signal,
        onProgress: (p) => {
          if (p.step === stopAt) signal.aborted = true;
        },
      });
      expect(stopped.status).toBe('stopped');
      // step 4 ends epoch 0: the stop lands in its validation, which the resumed run redoes
      expect(stopped.message).toMatch(
        stopAt === 4 ? /during the validation of epoch 0/ : /before step 3/,
      );
      expect([
        stopped.checkpoint?.epoch,
        stopped.checkpoint?.batch,
        stopped.checkpoint?.step,
      ]).toEqual(stopAt === 4 ? [0, 4, 4] : [0, 3, 3]);
      disposeModel(b);
      const c = initModel(tinyMlpSpec(8), 4);
      const rc = await trainModel(c, { train, val }, config, {}, stopped.checkpoint as Checkpoint);
      expect(countBitDifferences(wa, await weightsOf(c))).toBe(0);
      expect(strip(rc)).toEqual(strip(ra));
      disposeModel(c);
    });
  }

  it('rejects a checkpoint of another model or config', async () => {
    const config: TrainConfigInput = { epochs: 1, batchSize: 50, validation: { subsetSize: 0 } };
    const m = initModel(tinyMlpSpec(8), 3);
    const r = await trainModel(m, { train }, config, { pauseRequested: () => true });
    const ckpt = r.checkpoint as Checkpoint;
    const other = initModel(tinyMlpSpec(9), 3);
    await expect(trainModel(other, { train }, config, {}, ckpt)).rejects.toThrow(
      /bad-checkpoint: checkpoint is for model/,
    );
    await expect(trainModel(m, { train }, { ...config, seed: 4 }, {}, ckpt)).rejects.toThrow(
      /differs .* in seed/,
    );
    const broken = {
      ...ckpt,
      weights: { ...ckpt.weights, 'fc1/kernel': { shape: [2], data: new Float32Array(2) } },
    };
    let err: unknown;
    try {
      await trainModel(m, { train }, config, {}, broken);
    } catch (e) {
      err = e;
    }
    expect(isTrainError(err, 'bad-checkpoint')).toBe(true);
    // extending the run is allowed
    const longer = await trainModel(m, { train }, { ...config, epochs: 2 }, {}, ckpt);
    expect(longer.history.length).toBe(2);
    disposeModel(m);
    disposeModel(other);
  });
});
