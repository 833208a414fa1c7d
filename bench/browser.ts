/**
 * Browser backends for `npm run bench -- --browser`: a Vite dev server on a free loopback port
 * serves bench/browser/index.html; Debian's Chromium (playwright-core, headless,
 * --enable-unsafe-webgpu: a SwiftShader software adapter where there is no GPU) opens it once
 * per backend of --browser-backends (webgpu, webgl, wasm, wasm with one thread, cpu: a fresh page
 * each). The page's `runBench` (page.ts) runs the benchmark in a dedicated module worker, as the
 * app runs its engine (bench-core.ts), for the --tasks groups it has: train (standard, FGSM-RS
 * and, on the CPU path, PGD-7 training steps of the MLP and LeNet, batch 64, also 128 without
 * --quick; cpu: MLP only), pgd-eval and slider (WASM). The dev server sends COOP/COEP, so the
 * page is cross-origin isolated and WASM runs its threaded build ('wasm': the default thread
 * count, 'wasm-1thread': one thread, for comparison).
 */
import { chromiumAvailable, launchChromium, startApp } from '../tests/e2e/browser';
import { BROWSER_TASKS, type BenchArgs, type BrowserBackend, type BrowserTask } from './lib/args';
import type { ResultRow } from './lib/results';
import type { BenchOptions } from './browser/bench-core';

/** label → [backend, WASM threads]: 'wasm' uses the default thread count, 'wasm-1thread' one. */
const BACKENDS: [BrowserBackend, string, number | undefined][] = [
  ['webgpu', 'webgpu', undefined],
  ['webgl', 'webgl', undefined],
  ['wasm', 'wasm', undefined],
  ['wasm-1thread', 'wasm', 1],
  ['cpu', 'cpu', undefined],
];

interface PageResult {
  rows: Omit<ResultRow, 'pytorch_ms' | 'ratio'>[];
  description: unknown;
  error?: string;
}

/** Rows of every browser backend that starts; notes for those that do not. */
export async function runBrowserSuite(
  a: BenchArgs,
): Promise<{ rows: ResultRow[]; notes: string[]; descriptions: Record<string, unknown> }> {
  const notes: string[] = [];
  const descriptions: Record<string, unknown> = {};
  if (!chromiumAvailable())
    return { rows: [], notes: ['--browser: no Chromium found'], descriptions };
  const { server, url } = await startApp();
  const browser = await launchChromium();
  const rows: ResultRow[] = [];
  try {
    const tasks = a.tasks.filter((t): t is BrowserTask => BROWSER_TASKS.includes(t as BrowserTask));
    for (const [b, backend, threads] of BACKENDS.filter(([l]) => a.browserBackends.includes(l))) {
      process.stderr.write(`browser ${b}\n`);
      const page = await browser.newPage();
      try {
        await page.goto(`${url}bench/browser/index.html`);
        await page.waitForFunction(
          () => (globalThis as { benchReady?: boolean }).benchReady,
          null,
          {
            timeout: 120_000,
          },
        );
        const r = (await page.evaluate(
          ([name, quick, label, t, ts]) =>
            (
              globalThis as unknown as {
                runBench(b: string, o: BenchOptions): Promise<PageResult>;
              }
            ).runBench(name, { quick, label, wasmThreads: t ?? undefined, tasks: ts }),
          [backend, a.quick, b, threads ?? null, tasks] as const,
        )) as PageResult;
        if (r.error) notes.push(`chromium-${b}: ${r.error}`);
        descriptions[`chromium-${b}`] = r.description;
        for (const row of r.rows) {
          rows.push({ ...row, pytorch_ms: null, ratio: null });
          process.stderr.write(
            `  ${row.backend} ${row.task} ${row.model} b${row.batch}: ${row.median_ms.toFixed(1)} ms\n`,
          );
        }
      } catch (e) {
        notes.push(`chromium-${b}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return { rows, notes, descriptions };
}
