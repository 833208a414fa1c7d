/**
 * Test helpers of the model area: a tensor-leak check (burn in once, then the tensor count must
 * not move over several calls) and a seeded input (the tiny specs: tests/fixtures/models.ts).
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

/** A seeded float32 input in [0, 1). */
export function randomInput(spec: ModelSpec, batch: number, seed = 1): tf.Tensor4D {
  return tf.randomUniform([batch, ...spec.inputShape], 0, 1, 'float32', seed) as tf.Tensor4D;
}
