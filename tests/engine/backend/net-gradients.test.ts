/**
 * End-to-end gradients of a tiny conv net on WASM against the CPU backend: conv (stride 1 and 2,
 * 'same', a 1×1 shortcut), training-mode batch norm, ReLU, max pool 3×3/2 'same', avg pool,
 * global average pool, dense, softmax cross-entropy. Checks the gradient of the loss with respect
 * to every variable and to the input (the FGSM direction), with the default kernels and with
 * `replaceSlow`, a finite-difference check on WASM, and a leak check.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@/engine/backend';
import { memoryCounts, normals, onBackend, relErr, size, take } from './helpers';

const X_SHAPE = [3, 10, 10, 2];
const SHAPES: Record<string, number[]> = {
  conv1: [3, 3, 2, 4],
  gamma: [4],
  beta: [4],
  conv2: [3, 3, 4, 6],
  shortcut: [1, 1, 4, 6],
  dense: [6, 5],
  bias2: [5],
};
const NAMES = Object.keys(SHAPES);
type Params = Record<string, tf.Variable>;

function makeParams(): Params {
  const p: Params = {};
  NAMES.forEach((name, i) => {
    const v = normals(size(SHAPES[name]), 100 + i).map((z) =>
      name === 'gamma' ? 1 + 0.1 * z : 0.4 * z,
    );
    const init = tf.tensor(v, SHAPES[name]);
    p[name] = tf.variable(init, true);
    init.dispose();
  });
  return p;
}

/** One-hot labels [3, 5] for classes 0, 3, 4. */
function makeLabels(): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d([0, 3, 4], 'int32'), 5) as tf.Tensor2D);
}

/** Mean softmax cross-entropy of the net on x. Shapes on each line. */
function loss(p: Params, x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar {
  let h: tf.Tensor = tf.conv2d(x, p.conv1 as tf.Tensor4D, 1, 'same'); // [B, 10, 10, 4] (no bias: BN follows)
  const { mean, variance } = tf.moments(h, [0, 1, 2]); // [4], [4]
  h = tf.relu(tf.batchNorm(h, mean, variance, p.beta, p.gamma, 1e-3)); // [B, 10, 10, 4]
  h = tf.maxPool(h as tf.Tensor4D, 3, 2, 'same'); // [B, 5, 5, 4]
  const branch = tf.conv2d(h as tf.Tensor4D, p.conv2 as tf.Tensor4D, 2, 'same'); // [B, 3, 3, 6]
  const skip = tf.conv2d(h as tf.Tensor4D, p.shortcut as tf.Tensor4D, 2, 'same'); // [B, 3, 3, 6]
  h = tf.relu(tf.add(branch, skip)); // [B, 3, 3, 6]
  h = tf.avgPool(h as tf.Tensor4D, 2, 1, 'valid'); // [B, 2, 2, 6]
  const pooled = tf.mean(h, [1, 2]); // [B, 6]
  const logits = tf.add(tf.matMul(pooled as tf.Tensor2D, p.dense as tf.Tensor2D), p.bias2); // [B, 5]
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

/** Gradients w.r.t. [input, ...variables in NAMES order], and the loss, on the live backend. */
async function gradients(): Promise<{ grads: Float32Array[]; loss: number }> {
  const p = makeParams();
  const x = tf.tensor4d(normals(size(X_SHAPE), 7), X_SHAPE as [number, number, number, number]);
  const labels = makeLabels();
  const dx = tf.grad((xx: tf.Tensor) => loss(p, xx as tf.Tensor4D, labels))(x); // [B, 10, 10, 2]
  const { value, grads } = tf.variableGrads(
    () => loss(p, x, labels),
    NAMES.map((n) => p[n]),
  );
  const out = [await take(dx)];
  for (const n of NAMES) out.push(await take(grads[p[n].name]));
  const l = (await take(value))[0];
  tf.dispose([x, labels, ...Object.values(p)]);
  return { grads: out, loss: l };
}

function worst(a: Float32Array[], b: Float32Array[]) {
  return ['input', ...NAMES]
    .map((name, i) => ({ name, err: relErr(a[i], b[i]) }))
    .filter((e) => !(e.err <= 1e-4));
}

describe('conv net gradients on wasm', () => {
  it('match the cpu backend for every variable and the input (default kernels)', async () => {
    const wasm = await gradients();
    const cpu = await onBackend('cpu', () => gradients());
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5);
    expect(worst(wasm.grads, cpu.grads)).toEqual([]);
    for (const g of wasm.grads) expect(g.some((v) => v !== 0)).toBe(true);
  });

  it('agree with central finite differences on conv1 and conv2 entries', async () => {
    const { grads } = await gradients();
    const p = makeParams();
    const x = tf.tensor4d(normals(size(X_SHAPE), 7), X_SHAPE as [number, number, number, number]);
    const labels = makeLabels();
    const evalLoss = async () => (await take(tf.tidy(() => loss(p, x, labels))))[0];
    const eps = 1e-2;
    for (const [name, gi] of [
      ['conv1', 1],
      ['conv2', 4],
    ] as const) {
      const base = Float32Array.from(await p[name].data());
      for (const idx of [0, 7, base.length - 1]) {
        const shifted = async (d: number) => {
          const v = base.slice();
          v[idx] += d;
          tf.tidy(() => p[name].assign(tf.tensor(v, SHAPES[name])));
          return evalLoss();
        };
        const fd = ((await shifted(eps)) - (await shifted(-eps))) / (2 * eps);
        expect(Math.abs(fd - grads[gi][idx])).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
      }
      tf.tidy(() => p[name].assign(tf.tensor(base, SHAPES[name])));
    }
    tf.dispose([x, labels, ...Object.values(p)]);
  });

  it('leak no tensors or buffers over repeated gradient calls', async () => {
    await gradients();
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) await gradients();
    expect(memoryCounts()).toEqual(before);
  });

  it('match the cpu backend with replaceSlow kernels too', async () => {
    const cpu = await onBackend('cpu', () => gradients());
    registerWasmTrainingKernels({ replaceSlow: true });
    const wasm = await gradients();
    expect(worst(wasm.grads, cpu.grads)).toEqual([]);
  });
});
