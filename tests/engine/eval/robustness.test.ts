// Robustness evaluation: robust ≤ clean, worst case ≤ every attack, per-sample consistency, the
// standalone and AutoAttack-style (cumulative) protocols, cancellation, progress and no leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttackAbortedError, AttackBudgetError, AttackOptionError } from '@/engine/attacks/errors';
import { ATTACKS as REGISTRY, type AttackEntry } from '@/engine/attacks/registry';
import { correctness } from '@/engine/eval/accuracy';
import { evaluateRobustness, type AttackSpec } from '@/engine/eval/robustness';
import { toTensors, trainedMlp, type SyntheticData, type TinyModel } from '../attacks/tiny-models';

let model: TinyModel;
let test: SyntheticData;
let data: { x: Float32Array; y: Int32Array; shape: [number, number, number] };

const ATTACKS: AttackSpec[] = [
  { name: 'fgsm', options: { eps: 0.1 } },
  { name: 'pgd-linf', options: { eps: 0.1, steps: 10, stepSize: 0.025, seed: 1 } },
  { name: 'square', options: { eps: 0.1, nQueries: 50, seed: 2 } },
];

beforeAll(async () => {
  const t = await trainedMlp(2);
  model = t.model;
  test = t.test;
  data = { x: test.x, y: test.y, shape: test.shape };
});

afterAll(() => model.dispose());

const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

describe('evaluateRobustness', () => {
  it('reports clean, per-attack and worst-case accuracy consistently', async () => {
    const r = await evaluateRobustness(model.f, data, ATTACKS, { batchSize: 16 });
    expect(r.n).toBe(64);
    expect(r.standalone).toBe(true);
    const { x, y } = toTensors(test);
    const clean = await correctness(model.f, x, y, 64);
    tf.dispose([x, y]);
    expect(Array.from(r.perSampleClean)).toEqual(Array.from(clean));
    expect(r.cleanAccuracy).toBeCloseTo(sum(clean) / 64, 10);
    expect(r.perAttack.map((a) => a.name)).toEqual(['fgsm', 'pgd-linf', 'square']);
    for (const a of r.perAttack) {
      expect(a.robustAccuracy).toBeLessThanOrEqual(r.cleanAccuracy);
      expect(a.robustAccuracy).toBeGreaterThanOrEqual(r.worstCaseAccuracy);
      expect(a.evaluated).toBe(sum(clean)); // standalone: every clean-correct sample
    }
    expect(r.perAttack[0].robustAccuracy).toBeLessThan(r.cleanAccuracy); // attacks do bite
    expect(r.perAttack[2].cumulativeAccuracy).toBe(r.worstCaseAccuracy);
    expect(r.worstCaseAccuracy).toBeCloseTo(sum(r.perSampleRobust) / 64, 10);
    for (let i = 0; i < 64; i++)
      expect(r.perSampleRobust[i]).toBeLessThanOrEqual(r.perSampleClean[i]);
    // validated options come back in full
    expect(r.perAttack[1].options).toMatchObject({ eps: 0.1, steps: 10, restarts: 1, loss: 'ce' });
  });

  it('with standalone: false, runs each attack only on still-robust samples (AutoAttack)', async () => {
    // FGSM and MI-FGSM are deterministic and per-sample, so both protocols must agree exactly.
    const list: AttackSpec[] = [
      { name: 'fgsm', options: { eps: 0.08 } },
      { name: 'mifgsm', options: { eps: 0.12, steps: 5, stepSize: 0.03 } },
    ];
    const a = await evaluateRobustness(model.f, data, list, { batchSize: 16, standalone: true });
    const b = await evaluateRobustness(model.f, data, list, { batchSize: 16, standalone: false });
    expect(Array.from(b.perSampleRobust)).toEqual(Array.from(a.perSampleRobust));
    expect(b.worstCaseAccuracy).toBe(a.worstCaseAccuracy);
    expect(b.perAttack[0].evaluated).toBe(a.perAttack[0].evaluated);
    expect(b.perAttack[1].evaluated).toBe(Math.round(b.perAttack[0].cumulativeAccuracy * 64));
    expect(b.perAttack[1].evaluated).toBeLessThan(a.perAttack[1].evaluated); // FGSM fooled some
    expect(a.perAttack[1].robustAccuracy).toBeLessThan(a.perAttack[0].robustAccuracy);
    expect(a.worstCaseAccuracy).toBeLessThan(a.cleanAccuracy);
    expect(b.perAttack[1].robustAccuracy).toBe(b.perAttack[1].cumulativeAccuracy);
    expect(a.perAttack[0].cumulativeAccuracy).toBe(a.perAttack[0].robustAccuracy);
    expect(a.perAttack[1].cumulativeAccuracy).toBe(a.worstCaseAccuracy);
  });

  it('ε = 0 keeps robust accuracy equal to clean accuracy', async () => {
    const r = await evaluateRobustness(
      model.f,
      data,
      [{ name: 'pgd-linf', options: { eps: 0, steps: 2, stepSize: 0.01 } }],
      { batchSize: 32 },
    );
    expect(r.perAttack[0].robustAccuracy).toBe(r.cleanAccuracy);
    expect(Array.from(r.perSampleRobust)).toEqual(Array.from(r.perSampleClean));
  });

  it('gives the same result for plain arrays and tensors', async () => {
    const { x, y } = toTensors(test);
    const list = [ATTACKS[0], ATTACKS[1]];
    const a = await evaluateRobustness(model.f, data, list, { batchSize: 16 });
    const b = await evaluateRobustness(model.f, { x, y }, list, { batchSize: 16 });
    tf.dispose([x, y]);
    expect(Array.from(b.perSampleRobust)).toEqual(Array.from(a.perSampleRobust));
    expect(b.perAttack.map((p) => p.robustAccuracy)).toEqual(
      a.perAttack.map((p) => p.robustAccuracy),
    );
  });

  it('reports progress, ending each phase complete', async () => {
    const events: { phase: string; attackIndex: number; done: number; total: number }[] = [];
    await evaluateRobustness(model.f, data, [ATTACKS[0]], {
      batchSize: 16,
      onProgress: (p) => events.push(p),
    });
    expect(events[0]).toMatchObject({ phase: 'clean', done: 0, total: 64 });
    const last = events[events.length - 1];
    expect(last.phase).toBe('attack');
    expect(last.done).toBe(last.total);
    expect(events.some((e) => e.phase === 'attack' && e.done > 0 && e.done < e.total)).toBe(true);
  });

  it('validates attacks before any work and can be cancelled', async () => {
    let calls = 0;
    const counting = (x: tf.Tensor4D) => {
      calls++;
      return model.f(x);
    };
    const bad = [ATTACKS[0], { name: 'pgd-linf', options: { eps: -1, steps: 2, stepSize: 0.1 } }];
    await expect(evaluateRobustness(counting, data, bad, { batchSize: 16 })).rejects.toThrow(
      /'eps'/,
    );
    await expect(
      evaluateRobustness(counting, data, [{ name: 'nope', options: {} }], { batchSize: 16 }),
    ).rejects.toThrow(AttackOptionError);
    expect(calls).toBe(0);
    const before = tf.memory().numTensors;
    const signal = { aborted: false };
    const run = evaluateRobustness(model.f, data, ATTACKS, {
      batchSize: 8,
      signal,
      onProgress: (p) => {
        if (p.phase === 'attack' && p.attackIndex === 1 && p.done > 0) signal.aborted = true;
      },
    });
    await expect(run).rejects.toThrow(AttackAbortedError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an attack that leaves its ε-ball (safety net), without leaking', async () => {
    const entry = REGISTRY.fgsm as { run: AttackEntry['run'] };
    const original = entry.run;
    entry.run = async (_f, x) => tf.tidy(() => tf.clipByValue(tf.add<tf.Tensor4D>(x, 0.5), 0, 1));
    const before = tf.memory().numTensors;
    try {
      await expect(
        evaluateRobustness(model.f, data, [ATTACKS[0]], { batchSize: 16 }),
      ).rejects.toThrow(AttackBudgetError);
    } finally {
      entry.run = original;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('does not leak tensors', async () => {
    const opts = { batchSize: 16 };
    await evaluateRobustness(model.f, data, ATTACKS, opts);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) await evaluateRobustness(model.f, data, ATTACKS, opts);
    expect(tf.memory().numTensors).toBe(before);
  });
});
