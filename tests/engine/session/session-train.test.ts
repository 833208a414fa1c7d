// Session training controls: play, pause, step, resume, reset, throttled ticks, no leaks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { TrainTick } from '@/engine/session';
import { throttle } from '@/engine/session';
import { exportedWeights, sameBits, tinySession } from './helpers';

const config = {
  epochs: 2,
  batchSize: 32,
  seed: 7,
  objective: { kind: 'fgsm-rs' as const, eps: 0.1 },
  schedule: { kind: 'constant' as const, lr: 0.05 },
  validation: { subsetSize: 8, steps: 2 },
};

describe('Session training', () => {
  it('step adds exactly one step; pause and resume reproduce the uninterrupted run; reset restores', async () => {
    const whole = tinySession();
    const full = await whole.train(config);
    expect(full.status).toBe('completed');
    expect(full.history.length).toBe(2);
    const wholeWeights = await exportedWeights(whole);

    const s = tinySession();
    const start = await exportedWeights(s);
    const a = await s.step(config);
    expect(a.status).toBe('paused');
    expect(a.step).toBe(1);
    const b = await s.step(config);
    expect(b.step).toBe(a.step + 1);
    // pause from inside the tick callback after the 4th step
    const ticks: TrainTick[] = [];
    const p = await s.resume((t) => {
      ticks.push(t);
      if (t.step >= 4) s.pause();
    });
    expect(p.status).toBe('paused');
    expect(p.step).toBe(4);
    expect(ticks.at(-1)?.step).toBe(4); // the last tick is always sent
    const epochs: number[] = [];
    const done = await s.resume(undefined, (e) => epochs.push(e.epoch));
    expect(done.status).toBe('completed');
    expect(done.step).toBe(full.step);
    expect(epochs.length).toBeGreaterThan(0);
    expect(done.history.map((e) => e.trainLoss)).toEqual(full.history.map((e) => e.trainLoss));
    expect(sameBits(await exportedWeights(s), wholeWeights)).toBe(true);

    const r = await s.resetTraining();
    expect(r.status).toBe('idle');
    expect(sameBits(await exportedWeights(s), start)).toBe(true);
    await expect(s.resume()).rejects.toThrow(/no paused run/);
    await whole.dispose();
    await s.dispose();
  });

  it('refuses model-reading calls while training runs and reports bad configs readably', async () => {
    const s = tinySession();
    const running = s.train({ ...config, epochs: 3 });
    await new Promise((r) => setTimeout(r, 0));
    await expect(
      s.computeScores({ criterion: 'magnitude', granularity: 'structured' }),
    ).rejects.toThrow(/training is running/);
    expect(s.trainState().status).toBe('running');
    s.pause();
    const st = await running;
    expect(['paused', 'completed']).toContain(st.status);
    await expect(s.train({ epochs: -1 })).rejects.toThrow(/epochs/);
    await s.dispose();
  });

  it('throttles ticks to one per interval and always flushes the last', () => {
    let now = 0;
    const got: number[] = [];
    const t = throttle<number>(
      (v) => got.push(v),
      100,
      () => now,
    );
    for (let i = 1; i <= 10; i++) {
      now += 30;
      t.push(i);
    }
    t.flush();
    expect(got[0]).toBe(1);
    expect(got.at(-1)).toBe(10);
    expect(got.length).toBeLessThan(10);
    for (let i = 1; i < got.length - 1; i++) expect(got[i]).toBeGreaterThan(got[i - 1]);
  });

  it('keeps the tensor count flat over repeated steps and resets', async () => {
    const s = tinySession();
    await s.step(config);
    await s.resetTraining();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      await s.step(config);
      await s.step(config);
      await s.resetTraining();
    }
    expect(tf.memory().numTensors).toBe(before);
    await s.dispose();
  });
});
