/**
 * Multi-threaded WASM in Node (Node-only: the CLI, the benchmarks and tests import it; the browser
 * bundle never does). `initBackend({ ...nodeWasmOptions(threads) })` starts it.
 *
 * tfjs-backend-wasm 4.22 never starts its threaded build in Node: its `WASM_HAS_MULTITHREAD_SUPPORT`
 * flag returns false there (tensorflow/tfjs#3830), although Node has SharedArrayBuffer, WASM
 * threads and `worker_threads`, and the Emscripten glue it ships supports Node pthreads. What is
 * missing, and what `nodeThreadedWasm` supplies while the backend starts:
 * - the flag, set true;
 * - a worker script Node can start. tfjs hands Emscripten the pthread worker as a `blob:` URL,
 *   which `worker_threads` cannot load. The glue starts its workers with `global.Worker`, which it
 *   sets to `require('worker_threads').Worker`; we make that a subclass that, for tfjs's worker
 *   Blob (found with `resolveObjectURL`, recognized by its exact size), evaluates the worker source
 *   instead (`eval: true`, the same text tfjs put in the Blob);
 * - a main script each worker can load. tfjs posts the glue to the workers as a Blob, which the
 *   worker's Node `importScripts` (a `readFileSync`) cannot read; the worker source gets a prelude
 *   that swaps it for the path of the glue file in node_modules (the same code: tfjs built the Blob
 *   from that module's factory);
 * - the thread cap: tfjs's C++ side caps XNNPACK's pool at half of
 *   `require('os').cpus().length` (it assumes two hyper-threads per core), 1 thread on 2 vCPUs;
 *   `os.cpus` reports 2·threads entries while the backend starts (the same fix src/engine/backend/wasm-threads.ts
 *   makes to `navigator.hardwareConcurrency` in browsers).
 * The glue refs a worker while it runs a pthread; XNNPACK's pool threads run for the process's
 * life, so the shim's workers ignore `ref()` and never keep the process alive.
 *
 * Threads change speed, not results: tests/node/wasm-threads.test.ts checks that
 * training steps on 2 threads are bit-identical to 1 thread.
 */
import { createRequire } from 'node:module';
import type { Worker as NodeWorker, WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { InitBackendOptions } from '../engine/backend';
import { MAX_DEFAULT_WASM_THREADS } from '../engine/backend/wasm-threads';
import { nodeSimdHelper } from './simd-helpers';

const require = createRequire(import.meta.url);

interface NodeOs {
  cpus(): unknown[];
  availableParallelism?: () => number;
}
type WorkerThreads = { Worker: typeof NodeWorker };

const GLUE_MODULE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER_MODULE =
  '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';

/** Threads by default in Node: the logical cores, capped at MAX_DEFAULT_WASM_THREADS. */
export function defaultNodeWasmThreads(): number {
  const os = require('node:os') as NodeOs;
  const n = os.availableParallelism?.() ?? os.cpus().length;
  return Math.max(1, Math.min(n, MAX_DEFAULT_WASM_THREADS));
}

let installed = false;

/**
 * Make `require('worker_threads').Worker` start tfjs's pthread worker from its source (see the
 * file comment). Idempotent.
 */
function installWorkerShim(): void {
  if (installed) return;
  const wt = require('node:worker_threads') as WorkerThreads;
  const { resolveObjectURL } = require('node:buffer') as {
    resolveObjectURL(url: string): Blob | undefined;
  };
  const gluePath = require.resolve(GLUE_MODULE);
  const { wasmWorkerContents } = require(WORKER_MODULE) as { wasmWorkerContents: string };
  // tfjs escapes the source's newlines (they sit inside string literals) before making its Blob
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const blobSize = Buffer.byteLength(source);
  const prelude =
    `const __wt = require('worker_threads');` +
    `const __on = __wt.parentPort.on.bind(__wt.parentPort);` +
    `__wt.parentPort.on = (ev, h) => __on(ev, ev !== 'message' ? h : (d) => {` +
    `if (d && d.cmd === 'load' && typeof d.urlOrBlob !== 'string') d.urlOrBlob = ${JSON.stringify(gluePath)};` +
    `h(d); });\n`;
  const code = prelude + source;
  const Original = wt.Worker;
  class TfjsWasmWorker extends Original {
    private readonly pthread: boolean;
    constructor(file: string | URL, options?: WorkerOptions) {
      const url = typeof file === 'string' ? file : file.href;
      const blob = url.startsWith('blob:') ? resolveObjectURL(url) : undefined;
      const pthread = blob !== undefined && blob.size === blobSize;
      if (pthread) super(code, { ...options, eval: true });
      else super(file, options);
      this.pthread = pthread;
    }
    /**
     * The glue refs a worker while it runs a pthread, and XNNPACK's pool threads run for the
     * process's life, so the process would never exit; a pool thread never keeps it alive.
     */
    override ref(): void {
      if (!this.pthread) super.ref();
    }
  }
  wt.Worker = TfjsWasmWorker;
  installed = true;
}

/**
 * Run `run` (the WASM backend's start) so that tfjs starts its threaded build with `threads`
 * threads (integer ≥ 2; initBackend also calls tfjs's `setThreadsCount`). Pass it to `initBackend`
 * as `nodeThreadedWasm`, or use `nodeWasmOptions`. Where tfjs's files are not where 4.22 has them,
 * the backend starts single-threaded (describeBackend reports the threads it got).
 */
export async function nodeThreadedWasm(
  threads: number,
  run: () => Promise<boolean>,
): Promise<boolean> {
  try {
    installWorkerShim();
  } catch {
    // tfjs's files moved (another version): its single-threaded build, as describeBackend says
    return run();
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const os = require('node:os') as NodeOs;
  const cpus = os.cpus;
  const n = cpus.call(os).length;
  if (2 * threads > n) {
    os.cpus = () => {
      const real = cpus.call(os);
      return Array.from({ length: 2 * threads }, (_, i) => real[i % Math.max(1, real.length)]);
    };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `the threaded WASM build did not start within ${START_TIMEOUT_MS / 1000} s (its worker threads never loaded); use 1 thread (CLI: --threads 1)`,
          ),
        ),
      START_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
    os.cpus = cpus;
  }
}

/** How long the threaded build may take to start (it takes well under a second here). */
const START_TIMEOUT_MS = 60_000;

/**
 * The `initBackend` options for WASM in Node with `threads` threads (default
 * `defaultNodeWasmThreads()`); 1 keeps tfjs's single-threaded build.
 */
export function nodeWasmOptions(
  threads: number = defaultNodeWasmThreads(),
): Pick<InitBackendOptions, 'wasmThreads' | 'nodeThreadedWasm' | 'simdHelpers'> {
  return { wasmThreads: threads, nodeThreadedWasm, simdHelpers: nodeSimdHelper };
}
