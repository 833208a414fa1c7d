// Pipelined training (TrainHooks.pipelined, WebGPU's default): step k+1 is dispatched
// before step k is read, each update committed on the device behind a finiteness gate. Run here on
// WASM with the option forced on, against the same run with it off: identical histories,
// progress, LR changes and weights bit for bit (BN, masks, momentum, Adam); a divergence caught
// at its own step with the same message and checkpoint; pause and stop (which let the step already
// dispatched finish) with exact, resumable checkpoints; the read really comes after the next
// step's dispatch; no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeModel, initModel } from '@/engine/model/init';
import type { ModelSpec } from '@/engine/model/spec';
import type { Checkpoint } from '@/engine/train/checkpoint';
import type { TrainConfigInput } from '@/engine/train/config';
import { PIPELINED_BACKENDS, trainModel } from '@/engine/train/loop';
import type { TrainHooks, TrainProgress, TrainResult } from '@/engine/train/types';
import { countBitDifferences, splitData, weightsOf } from './helpers';
import { tinyBnSpec, tinyMlpSpec } from '../../fixtures/models';

const { train, val } = splitData(100, 40, 13); // 4 batches of 32 (the last of 4)

const timeless = (r: TrainResult) => ({
  status: r.status,
  message: r.message.replace(/ in [\d.]+ s$/, ''),
  step: r.step,
  history: r.history.map((h) => ({ ...h, wallSec: 0 })),
  lrChanges: r.lrChanges,
  checkpoint: r.checkpoint
    ? {
        ...r.checkpoint,
        accum: { ...r.checkpoint.accum, wallMs: 0 },
        history: r.checkpoint.history.map((h) => ({ ...h, wallSec: 0 })),
      }
    : null,
});

const progressOf = (p: TrainProgress[]) => p.map((q) => ({ ...q, samplesPerSec: 0, etaSec: 0 }));

async function runBoth(
  spec: ModelSpec,
  config: TrainConfigInput,
  hooksFor: () => TrainHooks = () => ({}),
  masks = false,
) {
  const out = [];
  for (const pipelined of [false, true]) {
    const before = tf.memory().numTensors;
    const m = masks
      ? new Map([
          [
            'fc/kernel',
            tf.tensor(
              Array.from({ length: 64 * 4 }, (_, i) => (i % 3 ? 1 : 0)),
              [64, 4],
            ),
          ],
        ])
      : undefined;
    const model = initModel(spec, 7);
    const progress: TrainProgress[] = [];
    const base = hooksFor();
    const r = await trainModel(model, { train, val, masks: m }, config, {
      ...base,
      pipelined,
      onProgress: (p) => {
        progress.push(p);
        base.onProgress?.(p);
      },
    });
    const weights = await weightsOf(model);
    disposeModel(model);
    m?.forEach((t) => t.dispose());
    out.push({ r, weights, progress, leaked: tf.memory().numTensors - before });
  }
  return out;
}

describe('pipelined training', () => {
  it('is on by default for WebGPU only', () => {
    expect([...PIPELINED_BACKENDS]).toEqual(['webgpu']);
  });

  const cases: [string, ModelSpec, TrainConfigInput, boolean][] = [
    [
      'PGD-AT, BN conv net, SGD momentum, masks, cosine warm-up',
      tinyBnSpec(),
      {
        epochs: 2,
        batchSize: 32,
        seed: 3,
        progressEvery: 1,
        objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
        optimizer: { kind: 'sgd', momentum: 0.9 },
        schedule: { kind: 'cosine', lr: 0.05, warmupEpochs: 1 },
        validation: { subsetSize: 16, steps: 2 },
      },
      true,
    ],
    [
      'FGSM-RS with the overfitting guard every 3 steps (a sync point), cyclic',
      tinyMlpSpec(12),
      {
        epochs: 2,
        batchSize: 32,
        seed: 8,
        progressEvery: 1,
        objective: {
          kind: 'fgsm-rs',
          eps: 0.1,
          guard: { everySteps: 3, batchSize: 16, maxDrop: 1, minFractionOfBest: 0 },
        },
        schedule: { kind: 'cyclic', maxLr: 0.01 },
        validation: { subsetSize: 16, steps: 2 },
      },
      false,
    ],
    [
      'TRADES, MLP, Adam, multistep (an LR change)',
      tinyMlpSpec(10),
      {
        epochs: 3,
        batchSize: 32,
        seed: 4,
        progressEvery: 1,
        objective: { kind: 'trades', eps: 0.1, steps: 2 },
        optimizer: { kind: 'adam' },
        schedule: { kind: 'multistep', lr: 0.01, milestones: [1] },
        validation: { subsetSize: 0 },
      },
      false,
    ],
  ];
  for (const [name, spec, config, masks] of cases)
    it(`gives the unpipelined run bit for bit: ${name}`, async () => {
      const [a, b] = await runBoth(spec, config, undefined, masks);
      expect(a.r.status).toBe('completed');
      expect(timeless(b.r)).toEqual(timeless(a.r));
      expect(progressOf(b.progress)).toEqual(progressOf(a.progress));
      expect(a.progress.length).toBeGreaterThan(4);
      expect(countBitDifferences(a.weights, b.weights)).toBe(0);
      expect([a.leaked, b.leaked]).toEqual([0, 0]);
    });

  it('catches a divergence at its own step: same message, same checkpoint of the last good step', async () => {
    const config: TrainConfigInput = {
      epochs: 20,
      batchSize: 16,
      seed: 4,
      objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
      optimizer: { kind: 'sgd', momentum: 0.9 },
      schedule: { kind: 'constant', lr: 1e8 },
      validation: { subsetSize: 0 },
    };
    const [a, b] = await runBoth(tinyMlpSpec(8), config);
    expect(a.r.status).toBe('diverged');
    expect(a.r.step).toBeGreaterThan(0);
    expect(timeless(b.r)).toEqual(timeless(a.r));
    expect(countBitDifferences(a.weights, b.weights)).toBe(0);
    for (const v of b.weights.values()) expect(v.every(Number.isFinite)).toBe(true);
    expect([a.leaked, b.leaked]).toEqual([0, 0]);
    // the pipelined checkpoint resumes (and diverges at the same step again)
    const c = initModel(tinyMlpSpec(8), 99);
    const rc = await trainModel(
      c,
      { train },
      config,
      { pipelined: true },
      structuredClone(b.r.checkpoint as Checkpoint),
    );
    expect([rc.status, rc.step, rc.message]).toEqual(['diverged', a.r.step, a.r.message]);
    disposeModel(c);
  });

  it('pauses and stops (one step later at most) with exact checkpoints that resume to the uninterrupted run', async () => {
    const config: TrainConfigInput = {
      epochs: 2,
      batchSize: 32,
      seed: 6,
      objective: { kind: 'fgsm-rs', eps: 0.1 },
      schedule: { kind: 'constant', lr: 0.05 },
      validation: { subsetSize: 16, steps: 2 },
    };
    const full = initModel(tinyMlpSpec(8), 7);
    const rf = await trainModel(full, { train, val }, config);
    const wf = await weightsOf(full);
    disposeModel(full);
    /** A run paused when `at` steps are reported done, or stopped right after step `at`. */
    const interrupted = async (pipelined: boolean, how: 'pause' | 'stop', at: number) => {
      let done = 0;
      const signal = { aborted: false };
      const m = initModel(tinyMlpSpec(8), 7);
      const r = await trainModel(m, { train, val }, config, {
        pipelined,
        signal,
        onProgress: (p) => {
          done = p.step;
          if (how === 'stop' && done === at) signal.aborted = true;
        },
        pauseRequested: () => how === 'pause' && done >= at,
      });
      disposeModel(m);
      return r;
    };
    for (const how of ['pause', 'stop'] as const) {
      const piped = await interrupted(true, how, 2);
      expect(piped.status).toBe(how === 'pause' ? 'paused' : 'stopped');
      // the step already dispatched when the request is seen still completes
      expect([2, 3]).toContain(piped.step);
      // the same checkpoint as an unpipelined run interrupted at that step
      const plain = await interrupted(false, how, piped.step);
      expect(timeless(piped).checkpoint).toEqual(timeless(plain).checkpoint);
      // which resumes, pipelined, to the uninterrupted run
      const m = initModel(tinyMlpSpec(8), 50);
      const r = await trainModel(
        m,
        { train, val },
        config,
        { pipelined: true },
        structuredClone(piped.checkpoint as Checkpoint),
      );
      expect(r.status).toBe('completed');
      expect(r.history.map((h) => h.trainLoss)).toEqual(rf.history.map((h) => h.trainLoss));
      expect(countBitDifferences(wf, await weightsOf(m))).toBe(0);
      disposeModel(m);
    }
  });

  it("reads each step's summary only after the next step is dispatched", async () => {
    // the gated commit runs Select kernels; count them at each read of a step summary
    const engine = tf.engine() as unknown as { runKernel: (...a: unknown[]) => unknown };
    const original = engine.runKernel;
    let selects = 0;
    engine.runKernel = function (this: unknown, ...args: unknown[]) {
      if (args[0] === 'Select') selects++;
      return original.apply(this, args);
    };
    const atRead: number[] = [];
    const proto = tf.Tensor.prototype as unknown as { data: () => Promise<unknown> };
    const data = proto.data;
    proto.data = function (this: tf.Tensor) {
      if (this.rank === 1 && this.shape[0] === 4) atRead.push(selects); // a step summary
      return data.call(this);
    };
    const config: TrainConfigInput = {
      epochs: 1,
      batchSize: 32,
      objective: { kind: 'standard' },
      validation: { subsetSize: 0 },
    };
    const model = initModel(tinyMlpSpec(8), 1);
    try {
      const r = await trainModel(model, { train }, config, { pipelined: true });
      expect(r.status).toBe('completed');
    } finally {
      engine.runKernel = original;
      proto.data = data;
      disposeModel(model);
    }
    const steps = 4;
    expect(atRead).toHaveLength(steps);
    const perStep = selects / steps;
    expect(perStep).toBeGreaterThan(0);
    // step 0 is read after step 1's commit; the last step after nothing more (the run's end)
    expect(atRead).toEqual([2, 3, 4, 4].map((k) => k * perStep));
  });
});
