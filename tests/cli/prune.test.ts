/**
 * The pruning pipeline through the CLI: pretrain → score → one-shot prune → adversarial
 * fine-tune → evaluate, for three criteria × two sparsities, then the transfer benchmark; the
 * saved pruned models have their masked weights exactly zero; a saved model can be loaded back
 * by a config and pruned again.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '@/cli/experiment';
import type { ExperimentReport } from '@/engine/experiment';
import { disposeModel } from '@/engine/model/init';
import { loadModelSafetensors } from '@/engine/model/serialize/model-io';

let dir: string;
let report: ExperimentReport;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'advprune-prune-'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await main(['configs/smoke-prune.json', '--out', path.join(dir, 'run'), '--quiet'])).toBe(
    0,
  );
  report = JSON.parse(
    await readFile(path.join(dir, 'run', 'report.json'), 'utf8'),
  ) as ExperimentReport;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('pruning pipeline (configs/smoke-prune.json)', () => {
  it('reports every criterion × sparsity at the requested sparsity, robust ≤ clean', () => {
    const p = report.pruning ?? [];
    expect(p.map((v) => `${v.method}@${v.sparsity}`)).toEqual([
      'anomaly-activation@0.5',
      'anomaly-activation@0.9',
      'magnitude@0.5',
      'magnitude@0.9',
      'random@0.5',
      'random@0.9',
    ]);
    for (const v of p) {
      const g = v.sparsityReport.global;
      // global unstructured ranking over every prunable kernel: exact within one weight
      expect(Math.abs(g.weightsRemoved - v.sparsity * g.weights)).toBeLessThanOrEqual(1);
      expect(g.paramsAfter).toBeLessThan(g.paramsBefore);
      expect(v.fineTune.status).toBe('completed');
      for (const a of v.evaluation.attacks)
        expect(a.robustAccuracy).toBeLessThanOrEqual(v.evaluation.cleanAccuracy);
      expect(v.scoring.seconds).toBeGreaterThanOrEqual(0);
    }
    // scores are computed once per criterion: both sparsities report the same scoring time
    expect(p[0].scoring.seconds).toBe(p[1].scoring.seconds);
  });

  it('runs the transfer benchmark over every pruned model and attack', () => {
    const t = report.transfer;
    expect(t).toBeDefined();
    if (!t) return;
    expect(t.cells).toHaveLength(6 * 2);
    for (const c of t.cells) {
      expect(c.whiteBoxRobust).toBeLessThanOrEqual(c.clean);
      expect(c.transferRobust).toBeLessThanOrEqual(c.clean);
      expect(c.inferenceMs).toBeGreaterThan(0);
    }
    expect(t.table).toMatch(/\| magnitude \| 90\.0% \| pgd-linf \|/);
  });

  it('saves pruned models with masked weights exactly zero and their masks beside them', async () => {
    const bytes = new Uint8Array(
      await readFile(path.join(dir, 'run', 'pruned', 'magnitude-s90.safetensors')),
    );
    const { model, masks } = loadModelSafetensors(bytes, 'magnitude-s90.safetensors');
    expect(masks.size).toBeGreaterThan(0);
    let removed = 0;
    let total = 0;
    for (const [kernel, mask] of masks) {
      const w = await model.params.get(kernel)?.data();
      const m = await mask.data();
      if (!w) throw new Error(`no ${kernel}`);
      total += m.length;
      for (let i = 0; i < m.length; i++)
        if (m[i] === 0) {
          removed++;
          expect(w[i] === 0).toBe(true); // -0 counts as zero
        }
    }
    expect(Math.abs(removed - 0.9 * total)).toBeLessThanOrEqual(1);
    tf.dispose([...masks.values()]);
    disposeModel(model);
  });

  it('loads a saved model from a config and prunes it without retraining', async () => {
    const cfg = JSON.parse(await readFile('configs/smoke-prune.json', 'utf8')) as Record<
      string,
      unknown
    >;
    delete cfg.train;
    delete cfg.transfer;
    cfg.model = { load: path.join(dir, 'run', 'model.safetensors') };
    const prune = cfg.prune as Record<string, unknown>;
    prune.methods = [{ name: 'magnitude' }];
    prune.sparsities = [0.5];
    const file = path.join(dir, 'load.json');
    await writeFile(file, JSON.stringify(cfg));
    const before = tf.memory().numTensors;
    expect(await main([file, '--out', path.join(dir, 'load'), '--quiet'])).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const r = JSON.parse(
      await readFile(path.join(dir, 'load', 'report.json'), 'utf8'),
    ) as ExperimentReport;
    expect(r.training).toBeNull();
    expect(r.modelSource).toContain('model.safetensors');
    // the loaded model is the trained base: same clean accuracy as the first run's evaluation
    expect(r.evaluation.cleanAccuracy).toBe(report.evaluation.cleanAccuracy);
    expect(r.pruning?.[0].method).toBe('magnitude');
  });

  it('structured pruning also exports a compacted model that computes the same logits', async () => {
    const cfg = JSON.parse(await readFile('configs/smoke-prune.json', 'utf8')) as Record<
      string,
      unknown
    >;
    delete cfg.train;
    cfg.model = { load: path.join(dir, 'run', 'model.safetensors') };
    const prune = cfg.prune as Record<string, unknown>;
    prune.methods = [{ name: 'magnitude' }];
    prune.sparsities = [0.5];
    prune.granularity = 'structured';
    cfg.transfer = { attacks: [{ name: 'fgsm' }], n: 64, timingBatch: 16, timingRepeats: 2 };
    const file = path.join(dir, 'structured.json');
    await writeFile(file, JSON.stringify(cfg));
    expect(await main([file, '--out', path.join(dir, 'structured'), '--quiet'])).toBe(0);
    const r = JSON.parse(
      await readFile(path.join(dir, 'structured', 'report.json'), 'utf8'),
    ) as ExperimentReport;
    // the transfer benchmark ran on the compacted model, whose size is the report's paramsAfter
    expect(r.transfer?.compacted).toBe(true);
    expect(r.transfer?.cells[0].params).toBe(r.pruning?.[0].sparsityReport.global.paramsAfter);
    const read = async (f: string) =>
      loadModelSafetensors(
        new Uint8Array(await readFile(path.join(dir, 'structured', 'pruned', f))),
        f,
      );
    const masked = await read('magnitude-s50.safetensors');
    const compact = await read('magnitude-s50.compact.safetensors');
    expect(compact.model.spec.name).toBe('lenet (compacted)');
    const size = (m: typeof masked) => [...m.model.params.values()].reduce((a, p) => a + p.size, 0);
    expect(size(compact)).toBeLessThan(size(masked) * 0.7);
    const { forward } = await import('@/engine/model/forward');
    const x = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const a = forward(masked.model, x, { masks: masked.masks }).logits;
    const b = forward(compact.model, x, {
      masks: compact.masks.size ? compact.masks : undefined,
    }).logits;
    const diff = tf.max(tf.abs(tf.sub(a, b)));
    expect((await diff.data())[0]).toBeLessThan(1e-4);
    tf.dispose([x, a, b, diff, ...masked.masks.values(), ...compact.masks.values()]);
    disposeModel(masked.model);
    disposeModel(compact.model);
  });
});
