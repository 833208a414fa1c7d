/**
 * Multi-threaded WASM in Node (src/node/wasm-threads.ts). Each backend start is a
 * child process (a process starts tfjs's WASM backend once): fixtures/thread-steps.ts with 1 and
 * with 2 threads runs standard, FGSM-RS and PGD-3 AT steps of the LeNet. The 2-thread run must
 * really run threaded (tfjs's threaded SIMD binary; our kernels on 2 threads, XNNPACK's pool on 1), give the same
 * losses, counts and weights as 1 thread bit for bit, leak no tensors, and exit by itself (the
 * pool's worker threads do not keep the process alive). Both runs use our SIMD convolution
 * gradients (src/engine/backend/simd), attached to the threaded build's shared memory in one and
 * to the single-threaded build's memory in the other; with 2 threads they split each batch with a
 * helper thread (src/engine/backend/simd/helpers.ts), still bit for bit.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaultNodeWasmThreads } from '@/node/wasm-threads';
import { MAX_DEFAULT_WASM_THREADS } from '@/engine/backend/wasm-threads';

const run = promisify(execFile);
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'thread-steps.ts');
const TSX = path.resolve('node_modules', '.bin', 'tsx');

interface Out {
  choice: string;
  backend: {
    binary: string;
    threads: number;
    multithread: boolean;
    simdKernels: { attached: boolean; threads?: number };
  };
  helpers: { ready: number; helperTasks: number } | null;
  readyAtStart: number | null;
  steps: number[][];
  weights: Record<string, string>;
  before: number;
  after: number;
}

async function steps(threads: number): Promise<Out> {
  // a process that did not exit by itself fails on the timeout
  // tsconfig.node.json's `paths` resolve the fixture's `@/` imports
  const args = ['--tsconfig', 'tsconfig.node.json', FIXTURE, String(threads)];
  const { stdout } = await run(TSX, args, { timeout: 90_000 });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Out;
}

describe('threaded WASM in Node', () => {
  it('runs 2 threads with results bit-identical to 1 thread, no leaks, and exits', async () => {
    const one = await steps(1);
    const two = await steps(2);
    expect(one.choice).toBe('wasm');
    expect(one.backend).toMatchObject({ binary: 'simd', threads: 1, multithread: false });
    // 2 threads for our kernels, 1 for XNNPACK's pool (two pools would oversubscribe the cores)
    expect(two.backend).toMatchObject({
      binary: 'threaded-simd',
      threads: 2,
      xnnpackThreads: 1,
      multithread: true,
    });
    // our SIMD gradients run in both: the build for a shared memory and the one for an ordinary one
    expect(one.backend.simdKernels.attached).toBe(true);
    expect(two.backend.simdKernels.attached).toBe(true);
    // with 2 threads, our batch kernels split their images with a helper thread, which ran some
    expect(one.backend.simdKernels.threads).toBe(1);
    expect(two.backend.simdKernels.threads).toBe(2);
    expect(one.helpers).toBeNull();
    expect(one.readyAtStart).toBeNull();
    expect(two.helpers?.ready).toBe(1);
    expect(two.readyAtStart).toBe(1); // initBackend waits for its helper threads
    expect(two.helpers?.helperTasks).toBeGreaterThan(0);
    expect(two.steps).toHaveLength(9);
    for (const s of two.steps) expect(Number.isFinite(s[0])).toBe(true);
    expect(two.steps).toEqual(one.steps);
    expect(Object.keys(two.weights).length).toBeGreaterThan(0);
    expect(two.weights).toEqual(one.weights);
    expect(two.after).toBe(two.before);
    expect(one.after).toBe(one.before);
  });

  it('defaults to the logical cores, capped', () => {
    const n = defaultNodeWasmThreads();
    expect(Number.isInteger(n)).toBe(true);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(MAX_DEFAULT_WASM_THREADS);
  });
});
