/**
 * What our WebAssembly kernels buy (src/engine/backend/simd, wasm/kernels.ts), in Node:
 * `npm run bench:simd [-- --threads 2 --steps 40 --rounds 2 --batches 64,128]`.
 *
 * One process, tfjs's WASM backend with `--threads` threads; for each LeNet training step
 * (standard, FGSM-RS, PGD-7 AT: bench/tasks/step-core.ts) and batch size, `--rounds` rounds of
 * `--steps` timed steps (after 5 untimed) with our kernels detached (`simdKernels: false`: tfjs's
 * kernels and ops, as before them) and then attached, on the same model and batch. XNNPACK's
 * pool gets `--threads` threads here (tfjs as shipped; the pool's size is fixed when the module
 * starts, so both sides share it): ours then runs beside an idle pool (every kernel of a LeNet
 * step is ours), where initBackend's default gives the pool one thread; bench run
 * 2026-12-07-parity-16-xnnpack2 found the two settings equally fast on LeNet. Prints the
 * median ms of each and the ratio; never asserts (speed lives here, correctness in
 * tests/engine/backend/simd-kernels.test.ts).
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { lenetSpec } from '../src/engine/model/spec';
import { nodeWasmOptions } from '../src/node/wasm-threads';
import { stepRunnerOn, syntheticBatch } from './tasks/step-core';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    steps: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '2' },
    batches: { type: 'string', default: '64,128' },
  },
});
const threads = Number(values.threads);
const steps = Number(values.steps);
const rounds = Number(values.rounds);
const batches = values.batches.split(',').map(Number);
for (const [name, v] of [
  ['threads', threads],
  ['steps', steps],
  ['rounds', rounds],
  ...batches.map((b) => ['batches', b] as const),
] as const) {
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`--${name} must be an integer ≥ 1`);
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function use(on: boolean): Promise<void> {
  await initBackend({
    prefer: 'wasm',
    ...nodeWasmOptions(threads),
    xnnpackThreads: threads,
    simdKernels: on,
  });
}

await use(true);
const load = os.loadavg().map((l) => l.toFixed(1));
console.log(
  `${os.cpus().length} vCPUs (${os.cpus()[0]?.model ?? '?'}), load ${load.join(' / ')}, ` +
    `tfjs ${tf.version_core} WASM, ${threads} thread(s), ${rounds} round(s) × ${steps} steps`,
);
console.log('task             batch   tfjs ms   ours ms   ours/tfjs');
for (const batch of batches) {
  for (const task of ['train-standard', 'train-fgsm-rs', 'train-pgd7-at']) {
    const { x, y } = syntheticBatch(lenetSpec(), batch);
    const runner = stepRunnerOn(lenetSpec(), task, x, y);
    const times: [number[], number[]] = [[], []];
    for (let r = 0; r < rounds; r++) {
      for (const [i, on] of [false, true].entries()) {
        await use(on);
        for (let s = 0; s < 5; s++) await runner.step();
        for (let s = 0; s < steps; s++) {
          const t0 = performance.now();
          await runner.step();
          times[i].push(performance.now() - t0);
        }
      }
    }
    runner.dispose();
    const [a, b] = times.map(median);
    console.log(
      `${task.padEnd(16)} ${String(batch).padStart(5)} ${a.toFixed(1).padStart(9)} ` +
        `${b.toFixed(1).padStart(9)} ${(b / a).toFixed(2).padStart(10)}×`,
    );
  }
}
