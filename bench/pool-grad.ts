/**
 * Max-pooling gradient on the tfjs WASM backend in Node: `npx tsx bench/pool-grad.ts`.
 *
 * Prints (never asserts) milliseconds, as ratios taken in one process with the two variants
 * interleaved (so machine load affects both alike):
 *  1. MaxPoolGrad on the LeNet pool shapes at batch 64 (2×2, stride 2: [64, 28, 28, 6] and
 *     [64, 10, 10, 16]) and an overlapping 3×3 stride-2 'same' pool: tfjs-backend-wasm's own
 *     kernel vs ours (src/engine/backend/kernels/max-pool-grad.ts);
 *  2. one standard and one FGSM-RS training step (bench/tasks/step-core.ts) of the LeNet at
 *     batch 64 with each kernel, and the step's kernel-time profile (tf.profile) with ours.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { lenetSpec } from '../src/engine/model/spec';
import { stepRunnerOn, syntheticBatch } from './tasks/step-core';

const NAME = 'MaxPoolGrad';
const shipped = tf.getKernel(NAME, 'wasm') as KernelConfig; // before initBackend replaces it
await initBackend({ prefer: 'wasm' });
const ours = tf.getKernel(NAME, 'wasm') as KernelConfig;
if (ours.kernelFunc === shipped.kernelFunc) throw new Error('MaxPoolGrad was not replaced');

function use(k: KernelConfig): void {
  tf.unregisterKernel(NAME, 'wasm');
  tf.registerKernel(k);
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Median ms of `run` under each kernel, `reps` rounds of A then B after one warm-up each. */
async function ab(run: () => Promise<void>, reps: number): Promise<[number, number]> {
  const t: [number[], number[]] = [[], []];
  for (let r = -1; r < reps; r++) {
    for (const [i, k] of [shipped, ours].entries()) {
      use(k);
      const t0 = performance.now();
      await run();
      if (r >= 0) t[i].push(performance.now() - t0);
    }
  }
  use(ours);
  return [median(t[0]), median(t[1])];
}

console.log(`${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1))}`);
const shapes: [string, [number, number, number, number], number, number, 'same' | 'valid'][] = [
  ['lenet pool1 2×2/2', [64, 28, 28, 6], 2, 2, 'valid'],
  ['lenet pool2 2×2/2', [64, 10, 10, 16], 2, 2, 'valid'],
  ['3×3/2 same', [64, 28, 28, 32], 3, 2, 'same'],
];
for (const [label, shape, f, s, pad] of shapes) {
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const y = tf.maxPool(x as tf.Tensor4D, f, s, pad);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 2);
  const attrs = { filterSize: f, strides: s, pad };
  const [a, b] = await ab(async () => {
    const dx = tf
      .engine()
      .runKernel(NAME, { dy, input: x, output: y }, attrs as never) as tf.Tensor;
    await dx.data();
    dx.dispose();
  }, 15);
  console.log(
    `${label}: shipped ${a.toFixed(2)} ms, ours ${b.toFixed(2)} ms (${(a / b).toFixed(1)}×)`,
  );
  tf.dispose([x, y, dy]);
}

for (const task of ['train-standard', 'train-fgsm-rs']) {
  const { x, y } = syntheticBatch(lenetSpec(), 64);
  const runner = stepRunnerOn(lenetSpec(), task, x, y);
  const [a, b] = await ab(() => runner.step(), 10);
  console.log(`lenet ${task} b64: shipped ${a.toFixed(1)} ms, ours ${b.toFixed(1)} ms`);
  const info = await tf.profile(() => runner.step());
  const byKernel = new Map<string, number>();
  for (const k of info.kernels)
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  const top = [...byKernel.entries()].sort((p, q) => q[1] - p[1]).slice(0, 8);
  console.log('  kernel ms (ours):', top.map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', '));
  runner.dispose();
}
