/**
 * Memory benchmark: tensor count and bytes (tf.memory()) before and after `steps` FGSM-RS
 * training steps (ε 0.1, α 0.125) of the MLP 784-300-100-10 at batch 64, after one burn-in step.
 * A flat count means no tensor leaks per step. Peak process memory comes from measure.ts's
 * sampler and the OS (process.resourceUsage().maxRSS).
 */
import * as tf from '@tensorflow/tfjs-core';
import { mlpSpec } from '../../src/engine/model/spec';
import { peakMemory } from '../lib/measure';
import type { MemoryReport } from '../lib/results';
import { makeStepRunner } from './train-step';

const MiB = 1024 * 1024;

/** Run the steps and report; the backend name goes into the report as given. */
export async function memoryBench(backend: string, steps: number): Promise<MemoryReport> {
  const runner = await makeStepRunner(mlpSpec(), 'train-fgsm-rs', 64);
  await runner.step(); // burn-in: optimizer state, kernels, allocator
  const before = tf.memory();
  for (let i = 0; i < steps; i++) {
    await runner.step();
    if (i % 50 === 0) peakMemory.sample();
  }
  const after = tf.memory();
  runner.dispose();
  peakMemory.sample();
  return {
    backend,
    model: 'mlp',
    task: 'train-fgsm-rs',
    batch: 64,
    steps,
    tensorsBefore: before.numTensors,
    tensorsAfter: after.numTensors,
    bytesBefore: before.numBytes,
    bytesAfter: after.numBytes,
    peakRssMiB: peakMemory.rss / MiB,
    peakArrayBuffersMiB: peakMemory.arrayBuffers / MiB,
    maxRssMiB: (process.resourceUsage().maxRSS * 1024) / MiB,
  };
}
