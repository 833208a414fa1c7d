// Transfer benchmark: an unpruned variant reproduces the base's white-box figures, cells are
// complete and consistent with sparsityReport, the table and the heat-map matrix, cancellation,
// bad input, inference timing, and no leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticDataset } from '@/engine/data/synthetic';
import { EvalInputError } from '@/engine/eval/accuracy';
import { latencyStats, measureInference, quantile } from '@/engine/eval/timing';
import {
  formatTransferTable,
  transferBenchmark,
  transferMatrix,
  type TransferAttackSpec,
  type TransferBenchmarkOptions,
  type TransferReport,
} from '@/engine/eval/transfer';
import { logitsFn } from '@/engine/model/forward';
import { cloneModel, disposeModel, initModel } from '@/engine/model/init';
import { prunableLayers } from '@/engine/model/params';
import type { Model } from '@/engine/model/types';
import { rankScores } from '@/engine/prune/ranking';
import { sparsityReport } from '@/engine/prune/sparsity';
import type { LayerScores, ScoreSet } from '@/engine/prune/types';
import { K, SHAPE, tinyMlpSpec, trainedModel } from '../../fixtures/models';

const N = 32;
const SPEC = tinyMlpSpec(16);
const ATTACKS: TransferAttackSpec[] = [
  { name: 'fgsm', options: { eps: 0.1 } },
  { name: 'pgd-linf', label: 'pgd-rs', options: { eps: 0.1, steps: 3, stepSize: 0.04, seed: 7 } },
];

let base: Model;
let same: Model;
let data: { x: Float32Array; y: Int32Array; shape: [number, number, number] };
let o: TransferBenchmarkOptions;

function magnitude(w: Map<string, Float32Array>): ScoreSet {
  const layers = new Map<string, LayerScores>();
  for (const l of prunableLayers(SPEC)) {
    const data = Float32Array.from(w.get(l.kernelName)!, Math.abs);
    layers.set(l.kernelName, {
      kernelName: l.kernelName,
      layer: l.name,
      shape: l.kernelShape,
      data,
    });
  }
  return {
    method: 'magnitude',
    granularity: 'unstructured',
    order: 'prune-lowest',
    layers,
    meta: {},
  };
}

beforeAll(async () => {
  const train = syntheticDataset({ n: 128, shape: SHAPE, numClasses: K, seed: 6, noise: 0.2 });
  const test = syntheticDataset({ n: N, shape: SHAPE, numClasses: K, seed: 6, noise: 0.35 });
  base = await trainedModel(SPEC, 4, train);
  data = { x: test.images, y: test.labels, shape: SHAPE };
  same = cloneModel(base);
  const w = new Map<string, Float32Array>();
  for (const l of prunableLayers(SPEC))
    w.set(l.kernelName, new Float32Array(await base.params.get(l.kernelName)!.data()));
  const ranking = rankScores(SPEC, magnitude(w), {});
  o = {
    base,
    variants: [
      { method: 'none', sparsity: 0, model: same },
      { method: 'magnitude', sparsity: 0, model: same, masks: ranking.masksAt(0) },
      { method: 'magnitude', sparsity: 0.5, model: base, masks: ranking.masksAt(0.5) },
      { method: 'magnitude', sparsity: 0.9, model: base, masks: ranking.masksAt(0.9) },
    ],
    attacks: ATTACKS,
    data,
    batchSize: 12,
    timing: { batch: 40, repeats: 3, warmup: 1 },
  };
});

afterAll(() => {
  disposeModel(base);
  disposeModel(same);
});

let report: TransferReport;

describe('transferBenchmark', () => {
  it('an unpruned variant reproduces the base’s white-box figures; cells are complete', async () => {
    const progress: number[] = [];
    report = await transferBenchmark({ ...o, onProgress: (p) => progress.push(p.done) });
    expect(progress).toEqual([0, 1, 2, 3, 4]);
    expect(report.n).toBe(N);
    expect(report.attacks.map((a) => a.label)).toEqual(['fgsm', 'pgd-rs']);
    expect(report.cells).toHaveLength(o.variants.length * ATTACKS.length);
    expect(report.base.clean).toBeGreaterThan(0.5);
    for (const [i, a] of report.base.perAttack.entries()) {
      expect(a.attack).toBe(report.attacks[i].label);
      expect(a.whiteBox).toBeLessThan(report.base.clean); // the attacks bite
      for (const c of report.cells
        .slice(0, 2 * ATTACKS.length)
        .filter((c) => c.attack === a.attack)) {
        expect(c.clean).toBe(report.base.clean);
        expect(c.transferRobust).toBe(a.whiteBox);
        expect(c.whiteBoxRobust).toBe(a.whiteBox);
      }
    }
    report.cells.forEach((c, j) => {
      const v = o.variants[Math.floor(j / ATTACKS.length)];
      expect(c.method).toBe(v.method);
      expect(c.sparsity).toBe(v.sparsity);
      expect(c.attack).toBe(report.attacks[j % ATTACKS.length].label);
      const g = sparsityReport(SPEC, v.masks).global;
      expect([c.params, c.macs]).toEqual([g.paramsAfter, g.macsAfter]);
      expect(c.transferRobust).toBeLessThanOrEqual(c.clean);
      expect(c.transferRobust).toBeLessThanOrEqual(c.transferAccuracy);
      expect(c.whiteBoxRobust).toBeLessThanOrEqual(c.clean);
      expect(c.inferenceMs).toBeGreaterThan(0);
    });
    expect(report.cells[6].params).toBeLessThan(report.cells[4].params);
    expect(report.cells[4].params).toBeLessThan(report.base.params);
    expect(report.cells[0].params).toBe(report.base.params);
  });

  it('formats a markdown table and a heat-map matrix', () => {
    const t = formatTransferTable(report);
    const lines = t.trim().split('\n');
    expect(lines).toHaveLength(2 + ATTACKS.length + report.cells.length);
    expect(lines.every((l) => l.split('|').length === 12)).toBe(true);
    expect(lines[2]).toContain('| base | 0.0% | fgsm |');
    const c = report.cells[7];
    expect(lines.at(-1)).toBe(
      `| magnitude | 90.0% | pgd-rs | ${(100 * c.clean).toFixed(1)}% | ${(100 * c.transferAccuracy).toFixed(1)}% | ` +
        `${(100 * c.transferRobust).toFixed(1)}% | ${(100 * c.whiteBoxRobust).toFixed(1)}% | ` +
        `${c.params.toLocaleString('en-US')} | ${c.macs.toLocaleString('en-US')} | ${c.inferenceMs.toFixed(2)} |`,
    );
    const m = transferMatrix(report, 'pgd-rs', 'whiteBoxRobust');
    expect(m.methods).toEqual(['none', 'magnitude']);
    expect(m.sparsities).toEqual([0, 0.5, 0.9]);
    expect(m.values[0]).toEqual([report.cells[1].whiteBoxRobust, null, null]);
    expect(m.values[1]).toEqual([3, 5, 7].map((j) => report.cells[j].whiteBoxRobust));
    expect(transferMatrix(report, 'fgsm').values[1][2]).toBe(report.cells[6].transferRobust);
    expect(() => transferMatrix(report, 'square')).toThrow(EvalInputError);
  });

  it('leaks no tensor, also when cancelled', async () => {
    const small = { ...o, variants: o.variants.slice(2, 3) };
    await transferBenchmark(small);
    const before = tf.memory().numTensors;
    await transferBenchmark(small);
    await transferBenchmark(small);
    const flag = { aborted: false };
    const run = transferBenchmark({
      ...small,
      signal: flag,
      onProgress: () => (flag.aborted = true),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad input before any work', async () => {
    const before = tf.memory().numTensors;
    const dup = [ATTACKS[0], { name: 'fgsm', options: { eps: 0.2 } }];
    await expect(transferBenchmark({ ...o, attacks: dup })).rejects.toThrow(/labelled 'fgsm'/);
    await expect(transferBenchmark({ ...o, attacks: [] })).rejects.toThrow(EvalInputError);
    await expect(transferBenchmark({ ...o, timing: { batch: 0, repeats: 1 } })).rejects.toThrow(
      /timing.batch/,
    );
    const other = initModel(
      { ...SPEC, numClasses: 3, layers: [SPEC.layers[0], { kind: 'dense', name: 'fc', units: 3 }] },
      1,
    );
    await expect(
      transferBenchmark({ ...o, variants: [{ method: 'x', sparsity: 0, model: other }] }),
    ).rejects.toThrow(/variant 0/);
    disposeModel(other);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('timing', () => {
  it('measures a forward with its read, without leaks', async () => {
    const x = tf.zeros([4, ...SHAPE]) as tf.Tensor4D;
    const f = logitsFn(base);
    await measureInference(f, x, { repeats: 1 });
    const before = tf.memory().numTensors;
    const t = await measureInference(f, x, { repeats: 5, warmup: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(t.samples).toHaveLength(5);
    expect(t.batch).toBe(4);
    expect(t.median).toBe(quantile(t.samples, 0.5));
    expect(t.min).toBeLessThanOrEqual(t.median);
    expect(t.p95).toBeLessThanOrEqual(t.max);
    await expect(measureInference(f, x, { repeats: 0 })).rejects.toThrow(EvalInputError);
    x.dispose();
  });

  it('computes quantiles by linear interpolation', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 12);
    expect(latencyStats([2, 4])).toMatchObject({ runs: 2, median: 3, mean: 3, min: 2, max: 4 });
    expect(Number.isNaN(latencyStats([]).median)).toBe(true);
    expect(() => quantile([1], 2)).toThrow(EvalInputError);
  });
});
