/**
 * Node's helper threads for our WebAssembly kernels (src/engine/backend/simd/helpers.ts):
 * `worker_threads` workers started from the source of `simdHelperMain` (`eval: true`; esbuild's
 * `__name` wrapper, which tsx adds to named functions, is defined as the identity). They block in
 * Atomics.wait between jobs and are unref'd, so they never keep the process alive.
 */
import { createRequire } from 'node:module';
import type { Worker as NodeWorker, WorkerOptions } from 'node:worker_threads';
import { simdHelperMain, type SpawnSimdHelper } from '../engine/backend/simd/helpers';

const require = createRequire(import.meta.url);
type WorkerThreads = { Worker: new (src: string, o: WorkerOptions) => NodeWorker };

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const __name = (f) => f;
(${simdHelperMain.toString()})({
  onInit: (cb) => parentPort.once('message', cb),
  post: (m) => parentPort.postMessage(m),
});
`;

/** Starts one helper (see the file comment). */
export const nodeSimdHelper: SpawnSimdHelper = () => {
  const { Worker } = require('node:worker_threads') as WorkerThreads;
  const w = new Worker(SOURCE, { eval: true });
  w.unref();
  return w;
};
