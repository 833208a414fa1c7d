/**
 * Test helpers of the model area: a tensor-leak check (burn in once, then the tensor count must
 * not move over several calls) and tiny specs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { ModelSpec } from '@/engine/model';

export async function expectNoLeak(fn: () => unknown | Promise<unknown>, calls = 3): Promise<void> {
  await fn();
  const before = tf.memory().numTensors;
  for (let i = 0; i < calls; i++) await fn();
  expect(tf.memory().numTensors).toBe(before);
}

/** conv(BN) → residual(stride 2, projection) → gap → dense: every layer kind, tiny. */
export function tinySpec(): ModelSpec {
  return {
    name: 'tiny',
    inputShape: [6, 6, 2],
    numClasses: 3,
    layers: [
      { kind: 'conv2d', name: 'c1', filters: 3, kernelSize: 3, batchNorm: true },
      { kind: 'maxPool', name: 'p1', size: 2, stride: 1 },
      { kind: 'residual', name: 'b1', filters: 4, stride: 2 },
      { kind: 'residual', name: 'b2', filters: 4 },
      { kind: 'globalAvgPool', name: 'gap' },
      { kind: 'dense', name: 'd1', units: 5 },
      { kind: 'dense', name: 'out', units: 3, activation: 'none' },
    ],
  };
}

/** conv → pool → flatten → dense → dense, no BN. */
export function tinyConvSpec(): ModelSpec {
  return {
    name: 'tiny-conv',
    inputShape: [6, 6, 1],
    numClasses: 3,
    layers: [
      { kind: 'conv2d', name: 'c1', filters: 4, kernelSize: 3, padding: 'valid' },
      { kind: 'maxPool', name: 'p1', size: 2 },
      { kind: 'flatten', name: 'flat' },
      { kind: 'dense', name: 'd1', units: 5 },
      { kind: 'dense', name: 'out', units: 3, activation: 'none' },
    ],
  };
}

/** A seeded float32 input in [0, 1). */
export function randomInput(spec: ModelSpec, batch: number, seed = 1): tf.Tensor4D {
  return tf.randomUniform([batch, ...spec.inputShape], 0, 1, 'float32', seed) as tf.Tensor4D;
}
