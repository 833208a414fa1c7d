/**
 * Cross-origin isolation and multi-threaded WASM, end to end: the production build (`vite build`
 * into its own folder, `vite preview`) in Debian's headless Chromium with `?backend=wasm`.
 *
 * The preview server sends COOP same-origin + COEP require-corp (vite.config.ts), so the page is
 * cross-origin isolated, `SharedArrayBuffer` exists, and tfjs-backend-wasm loads its threaded
 * SIMD binary in the engine worker (read in the worker from tfjs's own global engine, `_tfengine`:
 * the live backend, its XNNPACK pool's thread count, and the binary it fetched), with our
 * WebAssembly kernels attached to its memory (the backend badge's `data-wasm-kernels`) on more
 * than one thread (`data-wasm-kernel-threads`: one simd-helper worker per extra thread) and
 * XNNPACK's pool on one. The Content-Security-Policy meta tag still holds, the app's figures still come up
 * (dataset, model and worker load under require-corp), and no console error or CSP violation
 * occurs on the way.
 */
import { describe, expect, it } from 'vitest';
import type { Page, Worker } from 'playwright-core';
import { MAX_DEFAULT_WASM_THREADS } from '@/engine/backend/wasm-threads';
import { useProductionApp } from './browser';

const app = useProductionApp('dist-e2e-isolation');

/** What the engine worker's tfjs reports about its WASM backend. */
interface WorkerWasmFacts {
  isolated: boolean;
  sharedArrayBuffer: boolean;
  backend: string | null;
  /** threads of XNNPACK's pool in tfjs's WASM module */
  xnnpackThreads: number | null;
  multithreadFlag: boolean | null;
  cores: number;
}

/** Evaluated inside the engine worker: tfjs-core keeps its engine on the global `_tfengine`. */
const READ_WORKER = `(async () => {
  const engine = self._tfengine;
  const backend = engine ? engine.backendName : null;
  let xnnpackThreads = null;
  let multithreadFlag = null;
  if (backend === 'wasm') {
    xnnpackThreads = engine.backend.wasm.tfjs.getThreadsCount();
    multithreadFlag = Boolean(await engine.ENV.getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  }
  return {
    isolated: self.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    backend, xnnpackThreads, multithreadFlag, cores: self.navigator.hardwareConcurrency,
  };
})()`;

async function engineWorker(page: Page): Promise<Worker> {
  let found: Worker | undefined;
  await expect
    .poll(
      () => {
        found = page.workers().find((w) => /engine\.worker/.test(w.url()));
        return found !== undefined;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return found as Worker;
}

describe('cross-origin isolation (production build, Chromium)', () => {
  it('runs the threaded WASM build with more than one thread, under the CSP, without errors', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const wasmFiles: string[] = [];
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) =>
        console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' +
          e.sourceFile.replace(/^.*\\//, '')));`,
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    // every CSP violation counts (zod's eval probe is off: z.config({ jitless: true }) in main.tsx)
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('response', (r) => {
      if (r.url().endsWith('.wasm')) wasmFiles.push(r.url());
    });

    const response = await page.goto(`${app.url}?backend=wasm&evalN=100&criterion=magnitude`);
    const headers = response?.headers() ?? {};
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(
      await page.evaluate(
        () => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated,
      ),
    ).toBe(true);

    // the CSP meta tag of the build is still there, unchanged in substance
    const csp = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("worker-src 'self'");
    expect(csp).not.toMatch(/(^|[^-])unsafe-eval/);

    await expect
      .poll(() => page.getByTestId('backend').textContent(), { timeout: 90_000 })
      .toBe('wasm');
    const worker = await engineWorker(page);
    const facts = (await worker.evaluate(READ_WORKER)) as WorkerWasmFacts;
    expect(facts.isolated).toBe(true);
    expect(facts.sharedArrayBuffer).toBe(true);
    expect(facts.backend).toBe('wasm');
    expect(facts.multithreadFlag).toBe(true);
    expect(wasmFiles.some((f) => /threaded-simd.*\.wasm$/.test(f))).toBe(true);
    // our WebAssembly kernels run on the threaded build's shared memory in the worker
    expect(await page.getByTestId('backend').getAttribute('data-wasm-kernels')).toBe('attached');
    // and split their batches with helper threads: as many threads as the default (the logical
    // cores, capped at 4), one helper per extra thread (each a module worker loaded under the
    // CSP's worker-src 'self'), while XNNPACK's own pool keeps one (two pools on the same cores
    // oversubscribe them: docs/benchmarks.md)
    const threads = Number(
      await page.getByTestId('backend').getAttribute('data-wasm-kernel-threads'),
    );
    expect(threads).toBe(Math.min(facts.cores, MAX_DEFAULT_WASM_THREADS));
    expect(threads).toBeGreaterThan(1);
    expect(facts.xnnpackThreads).toBe(1);
    const helpers = page.workers().filter((w) => /simd-helper\.worker/.test(w.url()));
    expect(helpers).toHaveLength(threads - 1);

    // the app still works under require-corp: the dataset, the model and the evaluation load
    const clean = page.getByTestId('clean-accuracy');
    await expect
      .poll(() => clean.getAttribute('data-state'), { timeout: 240_000, interval: 250 })
      .toBe('ready');
    expect(await clean.textContent()).toMatch(/\d+(\.\d+)?\s*%/);
    expect(errors).toEqual([]);
    await page.close();
  }, 420_000);
});
