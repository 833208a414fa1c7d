/**
 * The CLI end to end in this process: a synthetic config runs, writes report.json and a
 * model.safetensors that loads back; a bad config is refused before any work with exit code 2.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_CONFIG_BYTES, main, parseArgs } from '@/cli/experiment';
import { reportMarkdown } from '@/cli/report';
import type { ExperimentReport } from '@/engine/experiment';
import { disposeModel } from '@/engine/model/init';
import { loadModelSafetensors } from '@/engine/model/serialize/model-io';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'advprune-cli-'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('experiment CLI', () => {
  it('parses arguments and refuses bad ones', () => {
    expect(parseArgs(['c.json', '--out', 'o'])).toEqual({
      config: 'c.json',
      out: 'o',
      quiet: false,
      backend: undefined,
    });
    expect(() => parseArgs(['--out', 'o'])).toThrow(/missing the config/);
    expect(() => parseArgs(['c.json'])).toThrow(/--out/);
    expect(() => parseArgs(['c.json', '--out', 'o', '--backend', 'webgpu'])).toThrow(/wasm or cpu/);
    expect(parseArgs(['c.json', '--out', 'o', '--threads', '2']).threads).toBe(2);
    for (const bad of ['0', '1.5', 'two', '65'])
      expect(() => parseArgs(['c.json', '--out', 'o', '--threads', bad])).toThrow(/--threads/);
    expect(() => parseArgs(['c.json', '--out', 'o', '--threads'])).toThrow(/--threads/);
    expect(() => parseArgs(['c.json', '--out', 'o', '--fast'])).toThrow(/unknown option --fast/);
  });

  it('runs the smoke config and writes a complete report and a loadable model', async () => {
    const out = path.join(dir, 'smoke');
    const code = await main(['configs/smoke.json', '--out', out, '--quiet']);
    expect(code).toBe(0);
    const report = JSON.parse(
      await readFile(path.join(out, 'report.json'), 'utf8'),
    ) as ExperimentReport;
    expect(report.format).toBe('advprune-report');
    expect(report.environment.backend.name).toBe('wasm');
    expect(report.config.train?.epochs).toBe(2);
    expect(report.training?.status).toBe('completed');
    expect(report.training?.epochs).toHaveLength(2);
    expect(report.training?.epochs[1].valAdvAcc).not.toBeNull();
    const ev = report.evaluation;
    expect(ev.n).toBe(128);
    expect(ev.attacks.map((a) => a.name)).toEqual(['fgsm', 'pgd-linf']);
    // the synthetic task is learnable: clean accuracy well above chance (4 classes)
    expect(ev.cleanAccuracy).toBeGreaterThan(0.5);
    for (const a of ev.attacks) expect(a.robustAccuracy).toBeLessThanOrEqual(ev.cleanAccuracy);
    expect(ev.worstCaseAccuracy).toBeLessThanOrEqual(
      Math.min(...ev.attacks.map((a) => a.robustAccuracy)),
    );
    expect(report.model.params).toBeGreaterThan(0);
    // the markdown summary shows every epoch and every attack with its figure
    const md = reportMarkdown(report);
    expect(md).toContain(`| 2 | ${report.training?.epochs[1].trainLoss.toFixed(4)} |`);
    expect(md).toContain(`| pgd-linf | eps 0.1, steps 10,`);
    expect(md).toContain(
      `| worst case per sample | | ${(100 * ev.worstCaseAccuracy).toFixed(1)}% |`,
    );
    expect(report.wallSeconds).toBeGreaterThan(0);

    const bytes = new Uint8Array(await readFile(path.join(out, 'model.safetensors')));
    const { model } = loadModelSafetensors(bytes, 'model.safetensors');
    expect(model.spec.name).toBe('lenet');
    expect(model.spec.inputShape).toEqual([16, 16, 1]);
    disposeModel(model);
  });

  it('is reproducible: the same config gives the same report figures', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    expect(await main(['configs/smoke.json', '--out', a, '--quiet'])).toBe(0);
    expect(await main(['configs/smoke.json', '--out', b, '--quiet'])).toBe(0);
    const ra = JSON.parse(await readFile(path.join(a, 'report.json'), 'utf8')) as ExperimentReport;
    const rb = JSON.parse(await readFile(path.join(b, 'report.json'), 'utf8')) as ExperimentReport;
    expect(rb.training?.epochs.map((e) => e.trainLoss)).toEqual(
      ra.training?.epochs.map((e) => e.trainLoss),
    );
    expect(rb.evaluation.attacks.map((x) => x.robustAccuracy)).toEqual(
      ra.evaluation.attacks.map((x) => x.robustAccuracy),
    );
  });

  it('refuses a bad config before any work, with exit code 2', async () => {
    const bad = path.join(dir, 'bad.json');
    const cfg = JSON.parse(await readFile('configs/smoke.json', 'utf8')) as {
      train: { batchSize: number };
    };
    cfg.train.batchSize = 0;
    await writeFile(bad, JSON.stringify(cfg));
    const before = tf.memory().numTensors;
    const errors: string[] = [];
    vi.mocked(console.error).mockImplementation((m: unknown) => void errors.push(String(m)));
    expect(await main([bad, '--out', path.join(dir, 'never')])).toBe(2);
    expect(errors.join('\n')).toMatch(/train\.batchSize/);
    expect(tf.memory().numTensors).toBe(before);
    await expect(readFile(path.join(dir, 'never', 'report.json'))).rejects.toThrow();
    // a file far larger than any config is refused from its size, before it is read
    const huge = path.join(dir, 'huge.json');
    await writeFile(huge, Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
    errors.length = 0;
    expect(await main([huge, '--out', path.join(dir, 'never')])).toBe(2);
    expect(errors.join('\n')).toMatch(/more than the \d+ a config may have/);
  });

  it('leaks no tensors across runs', async () => {
    const before = tf.memory().numTensors;
    expect(await main(['configs/smoke.json', '--out', path.join(dir, 'leak'), '--quiet'])).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
