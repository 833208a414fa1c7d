/**
 * Browser backends for `npm run bench -- --browser`: a Vite dev server on a free loopback port
 * serves bench/browser/index.html; Debian's Chromium (playwright-core, headless,
 * --enable-unsafe-webgpu: a SwiftShader software adapter where there is no GPU) opens it once
 * per backend (webgpu, webgl, wasm, cpu: a fresh page each) and calls `runBench` (page.ts), which
 * times the standard and FGSM-RS training steps of the MLP and LeNet (batch 64; also 128 without
 * --quick; cpu: MLP only). PGD-7 AT, the evaluation and the slider are Node-only for now.
 */
import { chromiumAvailable, launchChromium, startApp } from '../tests/e2e/browser';
import type { BenchArgs } from './lib/args';
import type { ResultRow } from './lib/results';

const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

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
    for (const b of BACKENDS) {
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
          ([backend, quick]) =>
            (
              globalThis as unknown as {
                runBench(b: string, q: boolean): Promise<PageResult>;
              }
            ).runBench(backend, quick),
          [b, a.quick] as const,
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
