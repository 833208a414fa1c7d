// Invariants every attack must satisfy: the ε-ball in its norm, the [0, 1] box (also for inputs
// on the borders), inputs untouched, determinism per seed, cancellation, and no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttackAbortedError } from '@/engine/attacks/errors';
import { ATTACK_NAMES, ATTACKS, type AttackName } from '@/engine/attacks/registry';
import { isRandomized, smallOptions } from './helpers';
import { mlpModel, syntheticData, type TinyModel } from './tiny-models';

const SHAPE: [number, number, number] = [6, 6, 2];
const B = 6;
let model: TinyModel;
let x: tf.Tensor4D;
let xBorder: tf.Tensor4D;
let y: tf.Tensor1D;

beforeAll(() => {
  model = mlpModel(SHAPE, 16, 4, 7);
  const data = syntheticData(B, SHAPE, 4, 1, 2, 0.3);
  x = tf.tensor4d(data.x, [B, ...SHAPE]);
  // Pixels exactly on and next to the borders of [0, 1].
  const border = Float32Array.from(data.x, (v, i) => [0, 1, 1e-3, 1 - 1e-3, v][i % 5]);
  xBorder = tf.tensor4d(border, [B, ...SHAPE]);
  // Labels = the model's own predictions, so every sample starts correctly classified and the
  // attacks have work to do (an untrained model would misclassify most true labels).
  y = tf.tidy(() => tf.argMax(model.f(x), 1) as tf.Tensor1D); // int32
});

afterAll(() => {
  tf.dispose([x, xBorder, y]);
  model.dispose();
});

/** Largest per-sample distance ‖x' − x‖ in `norm`, and the range of x'. */
async function measure(xIn: tf.Tensor4D, xAdv: tf.Tensor4D, norm: 'linf' | 'l2') {
  const t = tf.tidy(() => {
    const d = tf.sub(xAdv, xIn);
    const dist =
      norm === 'linf' ? tf.max(tf.abs(d)) : tf.max(tf.sqrt(tf.sum(tf.square(d), [1, 2, 3])));
    return tf.stack([dist, tf.min(xAdv), tf.max(xAdv)]);
  });
  const [dist, lo, hi] = await t.data();
  t.dispose();
  return { dist, lo, hi };
}

describe.each(ATTACK_NAMES.map((n) => [n]))('%s', (name: AttackName) => {
  const entry = ATTACKS[name];
  const eps = entry.norm === 'linf' ? 0.1 : 0.8;

  it('stays in the ε-ball and in [0, 1], also for inputs on the borders', async () => {
    for (const xIn of [x, xBorder]) {
      const xAdv = await entry.run(model.f, xIn, y, smallOptions(name, eps));
      expect(xAdv.shape).toEqual(xIn.shape);
      expect(xAdv.dtype).toBe('float32');
      const m = await measure(xIn, xAdv, entry.norm);
      expect(m.dist).toBeLessThanOrEqual(eps + 1e-6);
      expect(m.dist).toBeGreaterThan(0); // it did perturb
      expect(m.lo).toBeGreaterThanOrEqual(0);
      expect(m.hi).toBeLessThanOrEqual(1);
      xAdv.dispose();
    }
  });

  it('leaves its inputs untouched and returns a fresh tensor', async () => {
    const xBefore = Array.from(await x.data());
    const yBefore = Array.from(await y.data());
    const xAdv = await entry.run(model.f, x, y, smallOptions(name, eps));
    expect(xAdv).not.toBe(x);
    expect(x.isDisposed).toBe(false);
    expect(y.isDisposed).toBe(false);
    expect(Array.from(await x.data())).toEqual(xBefore);
    expect(Array.from(await y.data())).toEqual(yBefore);
    xAdv.dispose();
  });

  it('returns x itself (a copy) when ε = 0', async () => {
    const xAdv = await entry.run(model.f, x, y, smallOptions(name, 0));
    expect(Array.from(await xAdv.data())).toEqual(Array.from(await x.data()));
    xAdv.dispose();
  });

  it('is deterministic for a seed', async () => {
    const a = await entry.run(model.f, x, y, smallOptions(name, eps, 5));
    const b = await entry.run(model.f, x, y, smallOptions(name, eps, 5));
    const av = Array.from(await a.data());
    expect(Array.from(await b.data())).toEqual(av);
    if (isRandomized(name)) {
      const c = await entry.run(model.f, x, y, smallOptions(name, eps, 6));
      expect(Array.from(await c.data())).not.toEqual(av);
      c.dispose();
    }
    tf.dispose([a, b]);
  });

  it('does not leak tensors', async () => {
    const opts = smallOptions(name, eps);
    (await entry.run(model.f, x, y, opts)).dispose(); // burn-in
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) (await entry.run(model.f, x, y, opts)).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('can be cancelled (before and during the run) without leaking', async () => {
    const before = tf.memory().numTensors;
    const pre = { aborted: true };
    await expect(
      entry.run(model.f, x, y, { ...smallOptions(name, eps), signal: pre }),
    ).rejects.toThrow(AttackAbortedError);
    if (name !== 'fgsm' && name !== 'fgsm-rs') {
      // ε small enough that the attack cannot finish early by fooling every sample
      let reads = 0;
      const later = {
        get aborted() {
          return ++reads > 3; // flips after a few iterations
        },
      };
      const err = await entry
        .run(model.f, x, y, { ...smallOptions(name, eps / 100), signal: later })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(AttackAbortedError);
      expect((err as Error).name).toBe('AbortError');
      expect(reads).toBeGreaterThan(3);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
