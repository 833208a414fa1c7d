/**
 * The in-browser side of `npm run bench -- --browser` (served by Vite, driven by
 * bench/browser.ts): `runBench(backend, options)` starts a dedicated module
 * worker (worker.ts, like the app's engine worker), which times the training steps
 * (bench-core.ts), and resolves to its rows. One page per backend, so each gets a fresh worker
 * and a fresh WASM thread count.
 */
import type { BenchOptions, BrowserRow } from './bench-core';

interface PageResult {
  rows: BrowserRow[];
  description: unknown;
  error?: string;
}

/** The parts of the DOM Worker used here (bench/ compiles without the DOM lib). */
interface WorkerLike {
  onmessage: ((e: { data: PageResult }) => void) | null;
  onerror: ((e: { message: string }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}
const WorkerCtor = (globalThis as unknown as { Worker: new (url: URL, o: object) => WorkerLike })
  .Worker;

function runBench(backend: string, options: BenchOptions): Promise<PageResult> {
  const worker = new WorkerCtor(new URL('./worker.ts', import.meta.url), { type: 'module' });
  return new Promise<PageResult>((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) =>
      resolve({ rows: [], description: null, error: `worker error: ${e.message}` });
    worker.postMessage({ backend, options });
  }).finally(() => worker.terminate());
}

(globalThis as unknown as { runBench: typeof runBench; benchReady: boolean }).runBench = runBench;
(globalThis as unknown as { benchReady: boolean }).benchReady = true;
