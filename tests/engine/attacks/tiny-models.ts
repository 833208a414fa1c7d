/**
 * Tiny differentiable models and a learnable synthetic data set for the attack and evaluation
 * tests. Built directly from tf ops over tf.variables, so the tests do not depend on the model
 * module. Images are `[B, H, W, C]` in [0, 1]; logits `[B, K]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '@/engine/model/types';
import { Rng } from '@/engine/rng';

export interface TinyModel {
  f: LogitsFn;
  vars: tf.Variable[];
  dispose(): void;
}

function randn(rng: Rng, shape: number[], std: number): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float32Array.from({ length: n }, () => rng.normal() * std);
  const t = tf.tensor(v, shape);
  const variable = tf.variable(t);
  t.dispose();
  return variable;
}

function flatten(x: tf.Tensor4D): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]);
}

/** Linear softmax model: logits = flatten(x)·W + b. */
export function linearModel(shape: [number, number, number], k: number, seed: number): TinyModel {
  const rng = new Rng(seed);
  const d = shape[0] * shape[1] * shape[2];
  const w = randn(rng, [d, k], 1 / Math.sqrt(d));
  const b = randn(rng, [k], 0.1);
  return {
    f: (x) => tf.tidy(() => tf.add(tf.matMul(flatten(x), w), b)),
    vars: [w, b],
    dispose: () => tf.dispose([w, b]),
  };
}

/** Two-layer MLP: logits = relu(flatten(x)·W1 + b1)·W2 + b2. */
export function mlpModel(
  shape: [number, number, number],
  hidden: number,
  k: number,
  seed: number,
): TinyModel {
  const rng = new Rng(seed);
  const d = shape[0] * shape[1] * shape[2];
  const w1 = randn(rng, [d, hidden], Math.sqrt(2 / d));
  const b1 = randn(rng, [hidden], 0.01);
  const w2 = randn(rng, [hidden, k], Math.sqrt(1 / hidden));
  const b2 = randn(rng, [k], 0.01);
  return {
    f: (x) =>
      tf.tidy(() => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flatten(x), w1), b1)), w2), b2)),
    vars: [w1, b1, w2, b2],
    dispose: () => tf.dispose([w1, b1, w2, b2]),
  };
}

/** Small conv net: conv3x3(4, same) → tanh → flatten → dense(k). Smooth, for gradient checks. */
export function convModel(shape: [number, number, number], k: number, seed: number): TinyModel {
  const rng = new Rng(seed);
  const [h, w, c] = shape;
  const kernel = randn(rng, [3, 3, c, 4], Math.sqrt(2 / (9 * c)));
  const bias = randn(rng, [4], 0.05);
  const dense = randn(rng, [h * w * 4, k], Math.sqrt(1 / (h * w * 4)));
  return {
    f: (x) =>
      tf.tidy(() => {
        const a = tf.tanh(
          tf.add<tf.Tensor4D>(tf.conv2d(x, kernel as tf.Tensor4D, 1, 'same'), bias),
        ); // [B, H, W, 4]
        return tf.matMul(flatten(a), dense); // [B, K]
      }),
    vars: [kernel, bias, dense],
    dispose: () => tf.dispose([kernel, bias, dense]),
  };
}

export interface SyntheticData {
  x: Float32Array;
  y: Int32Array;
  shape: [number, number, number];
  n: number;
  k: number;
}

/**
 * A learnable data set: one random prototype per class (pixels in [0.2, 0.8], drawn from
 * `protoSeed`) plus Gaussian noise of std `noise` (drawn from `noiseSeed`), clipped to [0, 1].
 * Labels cycle through the classes. Same protoSeed, different noiseSeed = same task, new samples.
 */
export function syntheticData(
  n: number,
  shape: [number, number, number],
  k: number,
  protoSeed: number,
  noiseSeed: number,
  noise = 0.2,
): SyntheticData {
  const protoRng = new Rng(protoSeed);
  const rng = new Rng(noiseSeed);
  const d = shape[0] * shape[1] * shape[2];
  const protos = Array.from({ length: k }, () =>
    Float32Array.from({ length: d }, () => 0.2 + 0.6 * protoRng.next()),
  );
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % k;
    for (let j = 0; j < d; j++) {
      x[i * d + j] = Math.min(1, Math.max(0, protos[y[i]][j] + noise * rng.normal()));
    }
  }
  return { x, y, shape, n, k };
}

/** Tensors of a synthetic data set (caller disposes). */
export function toTensors(data: SyntheticData): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return {
    x: tf.tensor4d(data.x, [data.n, ...data.shape]),
    y: tf.tensor1d(data.y, 'int32'),
  };
}

/** Train `model` with Adam on softmax cross-entropy (full-batch steps). */
export async function train(
  model: TinyModel,
  data: SyntheticData,
  steps: number,
  learningRate = 0.01,
): Promise<void> {
  const { x, y } = toTensors(data);
  const opt = tf.train.adam(learningRate);
  for (let s = 0; s < steps; s++) {
    const cost = opt.minimize(
      () => {
        const z = model.f(x);
        const lse = tf.logSumExp(z, 1);
        const zy = tf.sum(tf.mul(z, tf.oneHot(y, data.k)), 1);
        return tf.mean(tf.sub(lse, zy)) as tf.Scalar;
      },
      true,
      model.vars,
    );
    cost?.dispose();
  }
  opt.dispose();
  tf.dispose([x, y]);
}

/** A trained MLP on a 4-class 8×8×1 synthetic task and its held-out test set. */
export async function trainedMlp(seed = 1): Promise<{ model: TinyModel; test: SyntheticData }> {
  const shape: [number, number, number] = [8, 8, 1];
  const trainSet = syntheticData(256, shape, 4, seed, seed + 1, 0.25);
  const test = syntheticData(64, shape, 4, seed, seed + 2, 0.25); // same task, new samples
  const model = mlpModel(shape, 32, 4, seed + 100);
  await train(model, trainSet, 150);
  return { model, test };
}
