/**
 * The in-browser side of `npm run bench -- --browser` (served by Vite, driven by
 * bench/browser.ts): `runBench(backend, quick)` initializes one tfjs backend (webgpu, webgl,
 * wasm, cpu) and times training steps of step-core.ts on a synthetic batch, the same way as in
 * Node (untimed warm-up, then median / p95 of timed steps, each ending in a read-back).
 * Runs on the page's main thread (the app runs the engine in a worker; the kernels are the same).
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { describeBackend, initBackend, type BackendName } from '../../src/engine/backend';
import { lenetSpec, mlpSpec } from '../../src/engine/model/spec';
import { latencyStats } from '../../src/engine/eval/timing';
import { stepRunnerOn, syntheticBatch } from '../tasks/step-core';

interface BrowserRow {
  task: string;
  model: string;
  backend: string;
  batch: number;
  median_ms: number;
  p95_ms: number;
  runs: number;
  note?: string;
}

setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');

async function loadBrowserBackend(name: 'webgpu' | 'webgl'): Promise<void> {
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  else await import('@tensorflow/tfjs-backend-webgl');
}

async function runBench(
  backend: BackendName,
  quick: boolean,
): Promise<{ rows: BrowserRow[]; description: unknown; error?: string }> {
  const choice = await initBackend({ prefer: backend, platform: 'browser', loadBrowserBackend });
  if (choice.name !== backend)
    return { rows: [], description: null, error: choice.notUsed[backend] ?? 'did not start' };
  const description = await describeBackend();
  const rows: BrowserRow[] = [];
  const [warmup, repeats] = quick ? [1, 3] : [2, 10];
  for (const [name, spec] of [
    ['mlp', mlpSpec()],
    ['lenet', lenetSpec()],
  ] as const) {
    if (backend === 'cpu' && name === 'lenet') continue; // ~10 s per step
    for (const batch of quick ? [64] : [64, 128]) {
      for (const task of ['train-standard', 'train-fgsm-rs']) {
        const { x, y } = syntheticBatch(spec, batch);
        const r = stepRunnerOn(spec, task, x, y);
        for (let i = 0; i < warmup; i++) await r.step();
        const ms: number[] = [];
        for (let i = 0; i < repeats; i++) {
          const t0 = performance.now();
          await r.step();
          ms.push(performance.now() - t0);
        }
        r.dispose();
        const s = latencyStats(ms);
        rows.push({
          task,
          model: name,
          backend: `chromium-${backend}`,
          batch,
          median_ms: s.median,
          p95_ms: s.p95,
          runs: s.runs,
          note: 'synthetic batch, page main thread',
        });
      }
    }
  }
  return { rows, description };
}

(globalThis as unknown as { runBench: typeof runBench; benchReady: boolean }).runBench = runBench;
(globalThis as unknown as { benchReady: boolean }).benchReady = true;
