/**
 * Dedicated worker of the browser benchmark (bench/browser/page.ts starts one per page): runs
 * `runBench` (bench-core.ts) off the main thread, as the app runs its engine, and posts back the
 * rows, the backend description and any error message. Our WASM kernels get helper threads here
 * as in the app (src/workers/simd-helper.worker.ts).
 */
import type { HelperWorker } from '../../src/engine/backend/simd/helpers';
import { runBench, type BenchOptions } from './bench-core';

interface Request {
  backend: Parameters<typeof runBench>[0];
  options: BenchOptions;
}

/** The worker global, typed structurally (bench/ compiles without the DOM / WebWorker libs). */
const scope = globalThis as unknown as {
  onmessage: ((e: { data: Request }) => void) | null;
  postMessage(message: unknown): void;
  Worker: new (url: URL, options: { type: 'module' }) => HelperWorker;
};

/** Helper threads of our WASM kernels, as the app's engine worker starts them. */
const simdHelpers = () =>
  new scope.Worker(new URL('../../src/workers/simd-helper.worker.ts', import.meta.url), {
    type: 'module',
  });

scope.onmessage = async (e) => {
  const { backend, options } = e.data;
  try {
    scope.postMessage(await runBench(backend, options, simdHelpers));
  } catch (err) {
    scope.postMessage({
      rows: [],
      description: null,
      error: err instanceof Error ? err.message : String(err),
    });
  }
};
