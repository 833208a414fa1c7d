/**
 * The app in real Chromium: the engine worker starts, a backend is live and shown, and the
 * bundled Fashion-MNIST loads inside the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium, startApp } from './browser';

describe('app in Chromium', () => {
  let server: ViteDevServer;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!chromiumAvailable()) {
      throw new Error(`Chromium not found at ${CHROMIUM_PATH}: .ci/run installs Debian's chromium`);
    }
    ({ server, url } = await startApp());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each(['wasm', 'cpu'] as const)(
    'runs the engine worker on the forced %s backend',
    async (backend) => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}?backend=${backend}`);
      const shown = page.getByTestId('backend');
      await expect.poll(() => shown.textContent(), { timeout: 60_000 }).toBe(backend);
      const dataset = page.getByTestId('dataset');
      await expect
        .poll(() => dataset.textContent(), { timeout: 90_000 })
        .toContain('10000 images of 28×28×1, 10 classes');
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('trains and attacks in the worker: the smoke experiment on wasm', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?backend=wasm`);
    await expect
      .poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 })
      .toBe('wasm');
    await page.getByRole('button', { name: 'Run smoke experiment' }).click();
    const status = page.getByTestId('smoke-status');
    await status.waitFor({ timeout: 120_000 });
    expect(await status.textContent()).toBe('completed');
    const clean = parseFloat((await page.getByTestId('smoke-clean').textContent()) ?? 'NaN');
    const pgd = parseFloat((await page.getByTestId('smoke-pgd-linf').textContent()) ?? 'NaN');
    const fgsm = parseFloat((await page.getByTestId('smoke-fgsm').textContent()) ?? 'NaN');
    expect(clean).toBeGreaterThan(50); // 4 classes: chance is 25%
    expect(pgd).toBeLessThanOrEqual(clean);
    expect(fgsm).toBeLessThanOrEqual(clean);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('picks a backend by itself and names it', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const shown = page.getByTestId('backend');
    await expect
      .poll(() => shown.textContent(), { timeout: 60_000 })
      .toMatch(/^(webgpu|webgl|wasm|cpu)$/);
    await page.close();
  });
});
