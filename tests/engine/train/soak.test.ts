// Soak: 1,600 optimizer steps in three long runs (PGD-AT on a BN conv net with masks, SGD, periodic
// validation and timer checkpoints; TRADES on an MLP with Adam, plain and pipelined). tf.memory()
// is sampled every ~100 steps from onProgress: after the first sample, the tensor count and the
// bytes held must not move at all, and the run must leave no tensor behind.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeModel, initModel } from '@/engine/model/init';
import type { ModelSpec } from '@/engine/model/spec';
import type { Masks } from '@/engine/model/types';
import type { TrainConfigInput } from '@/engine/train/config';
import { trainModel } from '@/engine/train/loop';
import { splitData } from './helpers';
import { tinyBnSpec, tinyMlpSpec } from '../../fixtures/models';

const { train, val } = splitData(64, 16, 31); // batch 8 → 8 steps per epoch

interface Sample {
  step: number;
  numTensors: number;
  numBytes: number;
}

async function soak(
  spec: ModelSpec,
  config: TrainConfigInput,
  masks?: Masks,
  pipelined?: boolean,
  sampleAt: (step: number) => boolean = (step) => step % 100 === 0,
): Promise<{ samples: Sample[]; steps: number; checkpoints: number }> {
  const model = initModel(spec, 3);
  const before = tf.memory().numTensors;
  const samples: Sample[] = [];
  let checkpoints = 0;
  let last = 0;
  const r = await trainModel(model, { train, val, masks }, config, {
    pipelined,
    onProgress: (p) => {
      last = p.step;
      if (!sampleAt(p.step)) return;
      const m = tf.memory();
      samples.push({ step: p.step, numTensors: m.numTensors, numBytes: m.numBytes });
    },
    checkpointDue: () => last > 0 && last % 250 === 0,
    onCheckpoint: (_c, why) => {
      if (why === 'timer') checkpoints++;
      last = -1;
    },
  });
  expect(r.status, r.message).toBe('completed');
  expect(tf.memory().numTensors).toBe(before); // the run freed everything it made
  disposeModel(model);
  return { samples, steps: r.step, checkpoints };
}

function expectFlat(samples: Sample[]): void {
  const [first, ...rest] = samples;
  for (const s of rest) {
    expect([s.step, s.numTensors], 'tensor count').toEqual([s.step, first.numTensors]);
    expect([s.step, s.numBytes], 'bytes').toEqual([s.step, first.numBytes]);
  }
}

describe('soak: 1,600 training steps', () => {
  it('PGD-AT, BN conv net, masks, SGD, validation and timer checkpoints: flat tensors and bytes (600 steps)', async () => {
    const masks: Masks = new Map([
      [
        'fc/kernel',
        tf.tensor(
          Array.from({ length: 64 * 4 }, (_, i) => i % 2),
          [64, 4],
        ),
      ],
    ]);
    const { samples, steps, checkpoints } = await soak(
      tinyBnSpec(),
      {
        epochs: 75,
        batchSize: 8,
        seed: 1,
        objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
        optimizer: { kind: 'sgd', momentum: 0.9 },
        schedule: { kind: 'cosine', lr: 0.02, warmupEpochs: 2 },
        validation: { subsetSize: 8, steps: 1, evalEvery: 25 },
      },
      masks,
    );
    expect(steps).toBe(600);
    expect(samples.length).toBe(6);
    expect(checkpoints).toBe(2); // before steps 250 and 500
    expectFlat(samples);
    masks.forEach((t) => t.dispose());
  });

  /** 63 epochs of 8 steps: 504 steps */
  const trades: TrainConfigInput = {
    epochs: 63,
    batchSize: 8,
    seed: 2,
    objective: { kind: 'trades', eps: 0.1, steps: 1 },
    optimizer: { kind: 'adam' },
    schedule: { kind: 'constant', lr: 0.001 },
    validation: { subsetSize: 0 },
  };

  it('TRADES, MLP, Adam: flat tensors and bytes (500 steps)', async () => {
    const { samples, steps } = await soak(tinyMlpSpec(16), trades);
    expect(steps).toBe(504);
    expect(samples.length).toBe(5);
    expectFlat(samples);
  });

  it('the same TRADES run pipelined (as on WebGPU: one step in flight): flat tensors and bytes', async () => {
    const { samples, steps } = await soak(
      tinyMlpSpec(16),
      trades,
      undefined,
      true,
      // mid-epoch (step ≡ 4 mod 8), where the next step is always in flight: 52, 148, ..., 436
      (step) => step % 96 === 52,
    );
    expect(steps).toBe(504);
    expect(samples.length).toBe(5);
    expectFlat(samples);
  });
});
