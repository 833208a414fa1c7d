/**
 * Issue 6 end to end in real Chromium (production build): a reload in the middle of training
 * offers `Resume`, which goes on from the last checkpoint's step (not from zero); a killed worker
 * and a lost WebGPU device are noticed, the worker restarted (off WebGPU) and the run restored;
 * a full storage quota is reported while training goes on; a diverging run pauses with a message.
 * Runs are checkpointed every second here (`ckptSec=1`) so the test need not wait for an epoch.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useProductionApp } from './browser';

const app = useProductionApp('dist-e2e-reliability');

/** Standard training of the default LeNet on Fashion-MNIST, checkpointed every second. */
const TRAIN = 'tab=train&objective=standard&epochs=2&batch=32&valn=0&schedule=constant&ckptSec=1';

async function open(query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${app.url}?${query}`);
  return { page, errors };
}

const num = async (page: Page, id: string) => Number(await page.getByTestId(id).textContent());
const text = async (page: Page, id: string) =>
  (await page.getByTestId(id).count()) > 0
    ? ((await page.getByTestId(id).textContent()) ?? '')
    : '';

/** Wait until the element `id` shows text matching `re`. */
async function shows(page: Page, id: string, re: RegExp, timeout = 120_000): Promise<void> {
  await expect.poll(() => text(page, id), { timeout }).toMatch(re);
}

async function ready(page: Page, backend: string): Promise<void> {
  await expect
    .poll(() => page.getByTestId('backend').textContent(), { timeout: 90_000 })
    .toBe(backend);
  // the default model is loaded when the Play button is enabled
  await expect
    .poll(() => page.getByRole('button', { name: 'Play', exact: true }).isEnabled(), {
      timeout: 90_000,
    })
    .toBe(true);
}

/** Play, then wait for a save at step > `after`; returns the saved step. */
async function trainUntilSaved(page: Page, after = 0): Promise<number> {
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect
    .poll(() => num(page, 'train-saved').catch(() => 0), { timeout: 120_000 })
    .toBeGreaterThan(after);
  return num(page, 'train-saved');
}

/** The checkpoint step the resume offer names. */
async function offeredStep(page: Page): Promise<number> {
  await shows(page, 'run-offer', /checkpoint is at step \d+/);
  const t = await text(page, 'run-offer');
  const m = /checkpoint is at step (\d+)/.exec(t);
  if (!m) throw new Error(`the offer names no checkpoint: ${t}`);
  return Number(m[1]);
}

/** Click Resume; the step counter must start at the checkpoint and go on from there. */
async function resumeFrom(page: Page, checkpoint: number): Promise<void> {
  const seen: number[] = [];
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect
    .poll(
      async () => {
        // the counter shows the default model's 0 until the checkpoint has loaded (a worker
        // call: a poll can land before it under load); from its first other value on, every
        // value counts, so a run that restarted from zero (1, 2, …) still fails below
        const v = await num(page, 'train-step');
        if (v !== 0 || seen.length > 0) seen.push(v);
        return v;
      },
      { timeout: 120_000, interval: 100 },
    )
    .toBeGreaterThan(checkpoint + 2);
  // never back at zero: every value seen after Resume is at or beyond the checkpoint
  expect(Math.min(...seen)).toBeGreaterThanOrEqual(checkpoint);
  expect(await page.locator('.train-status').getAttribute('data-status')).toBe('running');
}

describe('reliability (production build, Chromium)', () => {
  it('a reload in the middle of training offers Resume, which goes on from the checkpoint', async () => {
    const { page, errors } = await open(`backend=wasm&${TRAIN}`);
    await ready(page, 'wasm');
    const saved = await trainUntilSaved(page);
    await page.reload();
    await ready(page, 'wasm');
    const checkpoint = await offeredStep(page);
    expect(checkpoint).toBeGreaterThanOrEqual(saved);
    // before Resume the app is on the default model with no run: the counter shows 0
    expect(await num(page, 'train-step')).toBe(0);
    await resumeFrom(page, checkpoint);
    // the panel states the checkpoint interval this page runs with (?ckptSec=1)
    expect(await text(page, 'runs-checkpoint-every')).toBe('1 s');
    // the run is listed among the past runs as the current one
    await expect
      .poll(() => page.getByTestId('run-row').filter({ hasText: '(current)' }).count())
      .toBe(1);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect
      .poll(() => page.locator('.train-status').getAttribute('data-status'), { timeout: 60_000 })
      .toBe('paused');
    // Past runs: a second, short run; compare both; delete the second
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await expect.poll(() => num(page, 'train-step'), { timeout: 60_000 }).toBe(0);
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    const rows = page.getByTestId('run-row');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(2);
    for (const box of await page.getByRole('checkbox', { name: /^compare / }).all())
      await box.check();
    // neither run has finished an epoch: the comparison says so instead of drawing empty curves
    await expect
      .poll(() => page.getByTestId('runs-compare-empty').count(), { timeout: 30_000 })
      .toBe(1);
    await rows.filter({ hasText: '(current)' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 420_000);

  it('a killed worker is restarted and the run restored from its last checkpoint', async () => {
    const { page, errors } = await open(`backend=wasm&${TRAIN}`);
    await ready(page, 'wasm');
    const saved = await trainUntilSaved(page);
    await page.evaluate('window.advpruneFaults.crashWorker()');
    await shows(page, 'notice', /the engine worker stopped unexpectedly/);
    await shows(page, 'notice', /restarted on wasm/);
    const checkpoint = await offeredStep(page);
    expect(checkpoint).toBeGreaterThanOrEqual(saved);
    expect(await num(page, 'train-step')).toBe(checkpoint);
    await resumeFrom(page, checkpoint);
    // the restarted worker answers other calls too: the Prune view computes its figures
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    expect(errors).toEqual([]);
    await page.close();
  }, 420_000);

  it('a lost WebGPU device: the worker restarts on WASM and the run goes on', async () => {
    const { page, errors } = await open(`backend=webgpu&${TRAIN}`);
    await ready(page, 'webgpu');
    const saved = await trainUntilSaved(page);
    expect(await page.evaluate('window.advpruneFaults.loseDevice()')).toBe(true);
    await shows(page, 'notice', /WebGPU device was lost/);
    await shows(page, 'notice', /restarted on wasm/);
    await expect.poll(() => page.getByTestId('backend').textContent()).toBe('wasm');
    const checkpoint = await offeredStep(page);
    expect(checkpoint).toBeGreaterThanOrEqual(saved);
    await resumeFrom(page, checkpoint);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    // tfjs may log the failing WebGPU calls of the dying worker; nothing else may fail
    expect(errors.filter((e) => !/webgpu|device|GPU/i.test(e))).toEqual([]);
    await page.close();
  }, 420_000);

  it('a full storage quota is reported and training goes on unsaved', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', {
      origin: new URL(app.url).origin,
      quotaSize: 64 * 1024,
    });
    await page.goto(`${app.url}?backend=wasm&${TRAIN}`);
    await ready(page, 'wasm');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect
      .poll(
        async () =>
          (await page.getByRole('alert').count()) > 0
            ? await page.getByRole('alert').textContent()
            : '',
        { timeout: 120_000 },
      )
      .toMatch(/quota/i);
    await shows(page, 'storage-error', /quota/i);
    const step = await num(page, 'train-step');
    await expect.poll(() => num(page, 'train-step'), { timeout: 60_000 }).toBeGreaterThan(step + 2);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.close();
  }, 300_000);

  it('a diverging run stops within one step with a message and keeps the last good weights', async () => {
    const { page, errors } = await open(
      'backend=wasm&tab=train&objective=standard&epochs=1&batch=64&valn=0&opt=sgd&schedule=constant&lr=10',
    );
    await ready(page, 'wasm');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect
      .poll(() => page.locator('.train-status').getAttribute('data-status'), { timeout: 120_000 })
      .toBe('diverged');
    await shows(page, 'train-message', /diverged.*step \d+/);
    await shows(page, 'train-message', /learning rate/);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});
