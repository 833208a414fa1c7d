/**
 * Dedicated worker of the browser benchmark (bench/browser/page.ts starts one per page): runs
 * `runBench` (bench-core.ts) off the main thread, as the app runs its engine, and posts back the
 * rows, the backend description and any error message.
 */
import { runBench, type BenchOptions } from './bench-core';

interface Request {
  backend: Parameters<typeof runBench>[0];
  options: BenchOptions;
}

/** The worker global, typed structurally (bench/ compiles without the DOM / WebWorker libs). */
const scope = globalThis as unknown as {
  onmessage: ((e: { data: Request }) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (e) => {
  const { backend, options } = e.data;
  try {
    scope.postMessage(await runBench(backend, options));
  } catch (err) {
    scope.postMessage({
      rows: [],
      description: null,
      error: err instanceof Error ? err.message : String(err),
    });
  }
};
