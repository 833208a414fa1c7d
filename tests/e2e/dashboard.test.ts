/**
 * The dashboard end to end, as a user gets it: the production build (`vite build`, `vite
 * preview`) in Debian's headless Chromium with --enable-unsafe-webgpu (a software WebGPU adapter
 * on machines without a GPU). Contract: README's test ids and accessible names (issue 4).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { loadFashionMnist } from '@/engine/data/fashion-mnist';
import { evaluateRobustness } from '@/engine/eval/robustness';
import { logitsFn } from '@/engine/model/forward';
import { disposeModel } from '@/engine/model/init';
import { decodeSafetensors } from '@/engine/model/serialize/safetensors';
import { loadModelSafetensors } from '@/engine/model/serialize/model-io';
import { disposeMasks } from '@/engine/prune/masks';
import { Session } from '@/engine/session';
import { EVAL_BATCH, evalData } from '@/engine/session/slider';
import { recordPageErrors, useProductionApp } from './browser';
import { README_VIEW, waitForReadmeView } from './readme-view';

const app = useProductionApp('dist-e2e');

/** A page that records console errors and page errors. */
async function open(query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await app.browser.newPage({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  // Content-Security-Policy violations count as errors too
  const errors = await recordPageErrors(page);
  await page.goto(`${app.url}?${query}`);
  return { page, errors };
}

const figure = (page: Page, id: string) => page.getByTestId(id);

async function readyFigure(page: Page, id: string, timeout = 240_000): Promise<number> {
  const el = figure(page, id);
  await expect.poll(() => el.getAttribute('data-state'), { timeout, interval: 250 }).toBe('ready');
  const text = (await el.textContent()) ?? '';
  const m = /(\d+(?:\.\d+)?)\s*%/.exec(text);
  if (!m) throw new Error(`${id} shows no percentage: '${text}'`);
  return Number(m[1]);
}

async function setSlider(page: Page, pct: number): Promise<void> {
  const slider = page.getByRole('slider', { name: 'Sparsity' });
  await slider.fill(String(pct));
  await expect.poll(() => slider.inputValue()).toBe(String(pct));
}

describe('dashboard (production build, Chromium)', () => {
  it('opens on WebGPU with the default model; the slider moves the accuracies', async () => {
    // software WebGPU (SwiftShader) is slow: a cheap criterion, 100 evaluation images and an FGSM
    // white-box keep this test to a minute or two; the anomaly path is covered on WASM below
    const { page, errors } = await open(
      'backend=webgpu&sparsity=0&evalN=100&criterion=magnitude&whitebox=fgsm',
    );
    await expect
      .poll(() => figure(page, 'backend').textContent(), { timeout: 60_000 })
      .toBe('webgpu');
    const clean0 = await readyFigure(page, 'clean-accuracy');
    const transfer0 = await readyFigure(page, 'transfer-accuracy');
    const robust0 = await readyFigure(page, 'robust-accuracy');
    // the default model is adversarially trained: robust well above zero, below clean
    expect(clean0).toBeGreaterThan(60);
    expect(robust0).toBeGreaterThan(20);
    expect(robust0).toBeLessThanOrEqual(clean0);
    expect(transfer0).toBeLessThanOrEqual(clean0);

    await setSlider(page, 95);
    // the figures go stale at once, then belong to the new value
    await expect
      .poll(() => figure(page, 'clean-accuracy').getAttribute('data-state'))
      .not.toBe('ready');
    const clean95 = await readyFigure(page, 'clean-accuracy');
    await readyFigure(page, 'transfer-accuracy');
    const robust95 = await readyFigure(page, 'robust-accuracy');
    expect(robust95).toBeLessThanOrEqual(clean95);
    // removing 95% of the weights without fine-tuning changes what the model computes
    expect(clean95).not.toBe(clean0);
    expect(errors).toEqual([]);
    await page.close();
  }, 420_000);

  it('opens on the anomaly end-to-end path at 90%: a fine-tuned checkpoint near the dense model', async () => {
    const { page, errors } = await open('backend=wasm&evalN=500');
    const where = page.getByTestId('path-position');
    await expect.poll(() => where.textContent(), { timeout: 120_000 }).toMatch(/checkpoint at 90/);
    expect(await where.getAttribute('data-fine-tuned')).toBe('true');
    expect(await page.getByRole('slider', { name: 'Sparsity' }).inputValue()).toBe('90');
    const clean90 = await readyFigure(page, 'clean-accuracy');
    const robust90 = await readyFigure(page, 'robust-accuracy');
    await readyFigure(page, 'transfer-accuracy');
    expect(robust90).toBeLessThanOrEqual(clean90);
    // the dense figures of the same page, for comparison
    await setSlider(page, 0);
    await expect.poll(() => where.textContent(), { timeout: 60_000 }).toMatch(/dense model/);
    const clean0 = await readyFigure(page, 'clean-accuracy');
    const robust0 = await readyFigure(page, 'robust-accuracy');
    // docs/experiments.md, study 2: the path at 90% is within a few points of the dense model
    expect(clean90).toBeGreaterThan(clean0 - 5);
    expect(robust90).toBeGreaterThan(robust0 - 5);
    // beyond a checkpoint the slider says it is one-shot, not fine-tuned
    await setSlider(page, 92);
    await expect
      .poll(() => where.getAttribute('data-fine-tuned'), { timeout: 60_000 })
      .toBe('false');
    await expect.poll(() => where.textContent()).toMatch(/one-shot/);
    await readyFigure(page, 'clean-accuracy');
    // dead units are measured and shown
    await expect.poll(() => page.getByTestId('dead-units').textContent()).toMatch(/fc1 \d+\/120/);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('serves a Content-Security-Policy without unsafe-eval and makes no request off its origin', async () => {
    const page = await app.browser.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (
        !r.url().startsWith(app.url) &&
        !r.url().startsWith('blob:') &&
        !r.url().startsWith('data:')
      )
        foreign.push(r.url());
    });
    await page.goto(`${app.url}?backend=wasm&evalN=100`);
    const csp = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/(^|[^-])unsafe-eval/);
    // and the browser enforces it: an injected inline script does not run and is reported
    const outcome = await page.evaluate(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) =>
        resolve({ ran: window.__injected === true, directive: e.effectiveDirective }));
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.head.appendChild(s);
    })`);
    expect(outcome).toEqual({ ran: false, directive: 'script-src-elem' });
    await readyFigure(page, 'clean-accuracy');
    expect(foreign).toEqual([]);
    await page.close();
  }, 240_000);

  it('a tiny training run streams its charts', async () => {
    const { page, errors } = await open(
      'backend=wasm&tab=train&objective=standard&epochs=1&batch=64',
    );
    await expect
      .poll(() => figure(page, 'backend').textContent(), { timeout: 60_000 })
      .toBe('wasm');
    const steps = figure(page, 'train-step');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect
      .poll(async () => Number(await steps.textContent()), { timeout: 120_000 })
      .toBeGreaterThan(3);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.waitForTimeout(500);
    const paused = Number(await steps.textContent());
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect
      .poll(async () => Number(await steps.textContent()), { timeout: 60_000 })
      .toBe(paused + 1);
    // the loss chart has drawn a line from the streamed ticks
    await expect
      .poll(() => page.locator('.recharts-line-curve').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await expect.poll(async () => Number(await steps.textContent()), { timeout: 60_000 }).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('exports a valid safetensors file whose sparsity matches the slider, and the same model as ONNX', async () => {
    const { page, errors } = await open('backend=wasm&criterion=magnitude&sparsity=0.6&evalN=200');
    await readyFigure(page, 'clean-accuracy');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Export pruned weights' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.safetensors$/);
    const path = await download.path();
    const file = decodeSafetensors(
      new Uint8Array(await readFile(path)),
      download.suggestedFilename(),
    );
    const masks = file.tensors.filter((t) => t.name.startsWith('mask/'));
    expect(masks.length).toBeGreaterThan(0);
    let removed = 0;
    let total = 0;
    for (const m of masks) {
      const kernel = file.tensors.find((t) => t.name === m.name.slice('mask/'.length));
      if (!kernel) throw new Error(`no kernel for ${m.name}`);
      for (let i = 0; i < m.data.length; i++) {
        total++;
        if (m.data[i] === 0) {
          removed++;
          expect(kernel.data[i] === 0).toBe(true); // pruned weights are exactly zero
        }
      }
    }
    expect(Math.abs(removed / total - 0.6)).toBeLessThan(0.01);

    // the ONNX download of the Export view (its protobuf code is a lazily loaded worker chunk):
    // same model, masks baked in, so each kernel has at least its mask's zeros, and it runs
    await page.getByRole('tab', { name: 'Export / import' }).click();
    const [onnxDownload] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Export ONNX model' }).click(),
    ]);
    expect(onnxDownload.suggestedFilename()).toMatch(/\.onnx$/);
    const onnxBytes = new Uint8Array(await readFile(await onnxDownload.path()));
    const decoded = onnxProto.onnx.ModelProto.decode(onnxBytes);
    const meta = Object.fromEntries(decoded.metadataProps.map((p) => [p.key, p.value]));
    expect([meta.input_name, meta.input_layout, meta.input_range]).toEqual([
      'input',
      'NHWC',
      '[0, 1]',
    ]);
    for (const m of masks) {
      const init = (decoded.graph?.initializer ?? []).find(
        (t) => t.name === m.name.slice('mask/'.length),
      );
      if (!init?.rawData) throw new Error(`no initializer for ${m.name}`);
      const raw = init.rawData.slice();
      const w = new Float32Array(raw.buffer, 0, raw.byteLength / 4);
      const zeros = (d: ArrayLike<number>) => Array.from(d).filter((v) => v === 0).length;
      expect(zeros(w)).toBeGreaterThanOrEqual(zeros(m.data));
    }
    const session = await ort.InferenceSession.create(onnxBytes);
    const { logits } = await session.run({
      input: new ort.Tensor('float32', new Float32Array(2 * 784).fill(0.5), [2, 28, 28, 1]),
    });
    expect(logits.dims).toEqual([2, 10]);
    await session.release();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the white-box figure follows a drag: computing with an estimate, then ready and exact at each stop', async () => {
    const query = 'backend=wasm&criterion=magnitude&sparsity=0&evalN=200';
    const { page, errors } = await open(query);
    await readyFigure(page, 'robust-accuracy');
    // every state and text the white-box figure goes through, recorded in the page
    await page.evaluate(`(() => {
      const el = document.querySelector('[data-testid="robust-accuracy"]');
      window.__robust = [];
      const log = () => window.__robust.push([el.getAttribute('data-state'), el.textContent]);
      new MutationObserver(log).observe(el, {
        attributes: true, childList: true, characterData: true, subtree: true,
      });
    })()`);
    const log = () => page.evaluate('window.__robust') as Promise<[string, string][]>;
    const stops = [30, 50, 70];
    const seen: number[] = [];
    let estimates = 0;
    for (const stop of stops) {
      const mark = (await log()).length;
      // a drag: several positions in quick succession, the last one held
      for (const pct of [stop - 12, stop - 6, stop]) await setSlider(page, pct);
      await expect
        .poll(async () => (await log()).slice(mark).some(([state]) => state === 'computing'))
        .toBe(true);
      seen.push(await readyFigure(page, 'robust-accuracy'));
      const states = (await log()).slice(mark);
      expect(states.at(-1)?.[0]).toBe('ready');
      // while computing, the figure never claims to be final: '…', or an estimate '≈ x%'
      for (const [state, text] of states.slice(0, -1))
        if (state === 'computing') expect(text).toMatch(/^(…|≈ \d+(\.\d)?%|\d+(\.\d)?%)$/);
      if (states.some(([, text]) => text.startsWith('≈'))) estimates++;
      await expect
        .poll(() => page.getByTestId('robust-basis').textContent())
        .toMatch(/pgd-linf, 10 steps, on all \d+ clean-correct of 200 images/);
    }
    // the first estimate (50 of ≥ 100 clean-correct images) was shown on the way
    expect(estimates).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();

    // a direct evaluation of the same default model, masks and images in Node (tfjs WASM):
    // evaluateRobustness of the pruned model with the white-box attack the slider resolved
    const read = async (p: string) => new Uint8Array(await readFile(`public/${p}`));
    const session = new Session({ readPublic: read });
    await session.loadBundledDataset();
    await session.loadDefaultModel();
    const info = await session.prepareSlider({
      criterion: 'magnitude',
      granularity: 'unstructured',
      evalN: 200,
    });
    const test = await loadFashionMnist((f) => read(`datasets/fashion-mnist/${f}`), 'test');
    for (const [i, stop] of stops.entries()) {
      const r = await session.evaluateSparsity(stop / 100);
      if (r.status !== 'done') throw new Error(r.status);
      const [file] = await session.exportFiles('safetensors');
      const { model, masks } = loadModelSafetensors(new Uint8Array(file.bytes), file.name);
      const direct = await evaluateRobustness(
        logitsFn(model, { masks }),
        evalData(test, 200),
        [info.whiteBoxAttack!],
        { batchSize: EVAL_BATCH },
      );
      disposeMasks(masks);
      disposeModel(model);
      const node = 100 * direct.perAttack[0].robustAccuracy;
      expect(100 * r.point.whiteBox!).toBeCloseTo(node, 9);
      // Chromium's WASM (threaded) against Node's: the same figure (200 images: steps of 0.5%,
      // shown exactly with one decimal)
      expect(seen[i]).toBeCloseTo(node, 6);
    }
    await session.dispose();

    // and the same position re-evaluated from scratch in a fresh page gives the same figure
    const fresh = await open(query.replace('sparsity=0', 'sparsity=0.5'));
    expect(await readyFigure(fresh.page, 'robust-accuracy')).toBe(seen[1]);
    expect(fresh.errors).toEqual([]);
    await fresh.page.close();
  }, 420_000);

  it('a corrupt dropped file gives a readable error and the app keeps working', async () => {
    // the default criterion (anomaly degree, activation form) on WASM
    const { page, errors } = await open('backend=wasm&tab=setup&evalN=200');
    await expect
      .poll(() => figure(page, 'backend').textContent(), { timeout: 60_000 })
      .toBe('wasm');
    await page.getByLabel('Dataset file').setInputFiles({
      name: 'train-images-idx3-ubyte',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]),
    });
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.textContent(), { timeout: 30_000 })
      .toMatch(/train-images-idx3-ubyte/);
    // the app keeps working: the prune view still evaluates the default model
    await page.getByRole('tab', { name: 'Prune' }).click();
    await readyFigure(page, 'clean-accuracy');
    expect(errors.filter((e) => !e.includes('train-images-idx3-ubyte'))).toEqual([]);
    await page.close();
  }, 240_000);

  it('renders the prune view as the README shows it (npm run screenshot takes the picture)', async () => {
    // as a new user opens it: the anomaly end-to-end path at 90%, every figure a percentage
    const { page, errors } = await open(README_VIEW.query);
    await waitForReadmeView(page);
    for (const id of ['clean-accuracy', 'robust-accuracy', 'transfer-accuracy'])
      expect(await readyFigure(page, id)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it("a researcher's tour: own data, AccelAT training, neurons, histograms, examples", async () => {
    const { page, errors } = await open(
      'backend=wasm&tab=setup&objective=standard&schedule=accelat&lr=0.05&ftEp=1&sdEp=0&pw=0.5&paLr=0.5&epochs=4&batch=64&valn=64&evalN=100',
    );
    await expect
      .poll(() => figure(page, 'backend').textContent(), { timeout: 60_000 })
      .toBe('wasm');
    await expect
      .poll(() => page.getByTestId('model-info').textContent(), { timeout: 60_000 })
      .toMatch(/lenet/i);
    // a small IDX pair of the user's own: ten classes of 28×28 bar patterns, gzip-free
    const n = 320;
    const images = Buffer.alloc(16 + n * 784);
    images.writeUInt32BE(0x00000803, 0);
    images.writeUInt32BE(n, 4);
    images.writeUInt32BE(28, 8);
    images.writeUInt32BE(28, 12);
    const labels = Buffer.alloc(8 + n);
    labels.writeUInt32BE(0x00000801, 0);
    labels.writeUInt32BE(n, 4);
    for (let i = 0; i < n; i++) {
      const y = i % 10;
      labels[8 + i] = y;
      for (let p = 0; p < 784; p++) {
        const band = Math.floor(Math.floor(p / 28) / 2.8); // 10 horizontal bands
        images[16 + i * 784 + p] = band === y ? 200 + ((i * 7 + p) % 55) : (i * 13 + p * 3) % 40;
      }
    }
    await page.getByLabel('Dataset file').setInputFiles([
      { name: 'mine-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: images },
      { name: 'mine-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: labels },
    ]);
    await expect
      .poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 30_000 })
      .toMatch(/mine/);
    expect(await page.getByRole('alert').count()).toBe(0);

    // AccelAT with a hair trigger (window 1, no wait, pw 0.5): the rate drops and is marked
    await page.getByRole('tab', { name: 'Train' }).click();
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    const lr = page.getByTestId('lr-changes');
    await expect.poll(() => lr.locator('li').count(), { timeout: 180_000 }).toBeGreaterThan(0);
    await expect.poll(() => lr.textContent()).toMatch(/accelat/i);

    await page.getByRole('tab', { name: 'Neurons' }).click();
    const layers = page.getByTestId('neuron-layers');
    await expect.poll(() => layers.getAttribute('data-state'), { timeout: 120_000 }).toBe('ready');
    await expect
      .poll(() => layers.locator('canvas').count(), { timeout: 60_000 })
      .toBeGreaterThan(5);

    await page.getByRole('tab', { name: 'Distributions' }).click();
    await expect
      .poll(() => page.locator('[data-testid^="distribution-"] .recharts-bar-rectangle').count(), {
        timeout: 180_000,
      })
      .toBeGreaterThan(10);

    await page.getByRole('tab', { name: 'Adversarial examples' }).click();
    await expect
      .poll(() => page.getByTestId('examples-summary').textContent(), { timeout: 120_000 })
      .toMatch(/\d/);

    expect(await page.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 420_000);
});
