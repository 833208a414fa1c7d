/**
 * A real tiny sweep through the CLI: a synthetic-data MLP config with 2 seeds × 2 learning rates
 * run as 2 shards, each cell into <out>/cells/<index>/, merged (`npm run merge`, spawned through
 * tsx once) into a sweep report whose summary equals mean/std computed from the cell reports;
 * a rerun skips finished cells; a changed config, a mismatched shard and a bad --shard are
 * refused; `npm run report -- <sweep.json> --plots` prints the table and writes the SVGs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main, parseArgs } from '@/cli/experiment';
import { main as mergeMain } from '@/cli/merge';
import { main as reportMain } from '@/cli/report';
import type { ExperimentReport, SweepReport } from '@/engine/experiment';

const config = {
  name: 'tiny-sweep',
  data: { kind: 'synthetic', trainSize: 128, testSize: 64, shape: [8, 8, 1], numClasses: 4 },
  model: { architecture: 'mlp' },
  train: {
    epochs: 2,
    batchSize: 64,
    optimizer: { kind: 'adam' },
    schedule: { kind: 'constant', lr: 0.01 },
    validation: { subsetSize: 32, steps: 2 },
  },
  eval: { n: 64, batchSize: 64, attacks: [{ name: 'fgsm' }] },
  sweep: {
    axes: [
      { name: 'seed', path: ['seed', 'train.seed'], values: [0, 1] },
      { name: 'lr', path: 'train.schedule.lr', values: [0.01, 0.003] },
    ],
    target: 0.05,
  },
};

let dir: string;
let cfg: string;
let out: string;
const logs: string[] = [];
let tensorsBefore = 0;
let tensorsAfter = 0;
const readJson = async <T>(f: string) => JSON.parse(await readFile(f, 'utf8')) as T;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'advprune-sweep-'));
  cfg = path.join(dir, 'sweep.json');
  out = path.join(dir, 'out');
  await writeFile(cfg, JSON.stringify(config));
  vi.spyOn(console, 'log').mockImplementation((m: unknown) => void logs.push(String(m)));
  vi.spyOn(console, 'error').mockImplementation((m: unknown) => void logs.push(String(m)));
  expect(await main([cfg, '--out', out, '--shard', '0/2', '--quiet'])).toBe(0);
  tensorsBefore = tf.memory().numTensors;
  expect(await main([cfg, '--out', out, '--shard', '1/2', '--quiet'])).toBe(0);
  tensorsAfter = tf.memory().numTensors;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('sweep CLI', () => {
  it('validates --shard', () => {
    expect(parseArgs(['c.json', '--out', 'o', '--shard', '1/4']).shard).toEqual({
      index: 1,
      count: 4,
    });
    expect(() => parseArgs(['c.json', '--out', 'o', '--shard', '4/4'])).toThrow(/0 ≤ i < N/);
    expect(() => parseArgs(['c.json', '--out', 'o', '--shard'])).toThrow(/i\/N/);
  });

  it('runs each shard into cells/<index>/ and writes its shard report, leaking no tensors', async () => {
    expect(tensorsAfter).toBe(tensorsBefore);
    expect((await readdir(path.join(out, 'cells'))).sort()).toEqual(['0', '1', '2', '3']);
    const s0 = await readJson<SweepReport>(path.join(out, 'shard-0-of-2.json'));
    const s1 = await readJson<SweepReport>(path.join(out, 'shard-1-of-2.json'));
    expect(s0.runs.map((r) => r.index)).toEqual([0, 2]);
    expect(s1.runs.map((r) => r.index)).toEqual([1, 3]);
    expect(s0.missing).toEqual([1, 3]);
    expect(s0.shards).toEqual([{ index: 0, count: 2 }]);
    expect(s0.runs[1].params).toEqual({ seed: 1, lr: 0.01 });
    const r2 = await readJson<ExperimentReport>(path.join(out, 'cells', '2', 'report.json'));
    expect(r2.name).toBe('tiny-sweep/1/0.01');
    expect(r2.config.seed).toBe(1);
    expect(r2.config.train?.seed).toBe(1);
    expect(r2.config.train?.schedule).toMatchObject({ kind: 'constant', lr: 0.01 });
    expect('sweep' in r2.config).toBe(false);
    await stat(path.join(out, 'cells', '2', 'model.safetensors'));
  });

  it('merges the shards: the summary is the mean and sample std of the cell reports', async () => {
    const merged = path.join(dir, 'merged.json');
    logs.length = 0;
    expect(await mergeMain([merged, out])).toBe(0);
    const m = await readJson<SweepReport>(merged);
    expect(m.runs.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(m.missing).toEqual([]);
    expect(m.target).toBe(0.05);
    const cells = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        readJson<ExperimentReport>(path.join(out, 'cells', String(i), 'report.json')),
      ),
    );
    for (const [lr, idx] of [
      [0.01, [0, 2]],
      [0.003, [1, 3]],
    ] as const)
      for (const [metric, get] of [
        ['clean', (r: ExperimentReport) => r.evaluation.cleanAccuracy],
        ['fgsm', (r: ExperimentReport) => r.evaluation.attacks[0].robustAccuracy],
        ['train-seconds', (r: ExperimentReport) => r.training?.wallSeconds ?? NaN],
      ] as const) {
        const v = idx.map((i) => get(cells[i]));
        const mean = (v[0] + v[1]) / 2;
        const std = Math.abs(v[0] - v[1]) / Math.SQRT2;
        const row = m.summary.find(
          (s) => s.params.lr === lr && s.variant === 'base' && s.metric === metric,
        );
        expect(row?.params).toEqual({ lr });
        expect(row?.n).toBe(2);
        expect(row?.values).toEqual(v);
        expect(row?.mean).toBeCloseTo(mean, 12);
        expect(row?.std).toBeCloseTo(std, 12);
      }
    const md = logs.join('\n');
    expect(md).toContain('| lr | variant | seeds | clean |');
    const clean = m.summary.find((s) => s.params.lr === 0.01 && s.metric === 'clean');
    expect(md).toContain(
      `| 0.01 | base | 2 | ${(100 * (clean?.mean ?? 0)).toFixed(1)}% ± ${(100 * (clean?.std ?? 0)).toFixed(1)}`,
    );
  });

  it('resumes: a rerun skips finished cells without retraining', async () => {
    const before = (await stat(path.join(out, 'cells', '0', 'report.json'))).mtimeMs;
    const shardBefore = await readJson<SweepReport>(path.join(out, 'shard-0-of-2.json'));
    logs.length = 0;
    expect(await main([cfg, '--out', out, '--shard', '0/2', '--quiet'])).toBe(0);
    expect(logs.filter((l) => /skipped/.test(l))).toHaveLength(2);
    expect((await stat(path.join(out, 'cells', '0', 'report.json'))).mtimeMs).toBe(before);
    expect(await readJson<SweepReport>(path.join(out, 'shard-0-of-2.json'))).toEqual(shardBefore);
  });

  it('refuses a changed config over finished cells, --shard without a sweep, a bad cell', async () => {
    const changed = path.join(dir, 'changed.json');
    await writeFile(changed, JSON.stringify({ ...config, eval: { ...config.eval, n: 32 } }));
    logs.length = 0;
    expect(await main([changed, '--out', out, '--shard', '0/2', '--quiet'])).toBe(2);
    expect(logs.join('\n')).toMatch(/holds another config than cell 0/);
    const single = path.join(dir, 'single.json');
    const { sweep: _s, ...plain } = config;
    await writeFile(single, JSON.stringify(plain));
    expect(await main([single, '--out', path.join(dir, 'x'), '--shard', '0/2'])).toBe(2);
    const bad = path.join(dir, 'bad.json');
    const axes = [...config.sweep.axes, { name: 'bs', path: 'train.batchSize', values: [0] }];
    await writeFile(bad, JSON.stringify({ ...config, sweep: { axes } }));
    logs.length = 0;
    expect(await main([bad, '--out', path.join(dir, 'never')])).toBe(2);
    expect(logs.join('\n')).toMatch(/cell 0 \(seed=0, lr=0\.01, bs=0\): train\.batchSize/);
    await expect(stat(path.join(dir, 'never'))).rejects.toThrow();
  });

  it('merge refuses shards of different sweeps and reports missing cells', async () => {
    const other = await readJson<SweepReport>(path.join(out, 'shard-1-of-2.json'));
    other.name = 'another';
    const otherFile = path.join(dir, 'shard-1-of-2.json');
    await writeFile(otherFile, JSON.stringify(other));
    logs.length = 0;
    expect(
      await mergeMain([path.join(dir, 'm.json'), path.join(out, 'shard-0-of-2.json'), otherFile]),
    ).toBe(2);
    expect(logs.join('\n')).toMatch(/not shards of the same sweep: names differ/);
    // one shard alone: written, with the other shard's cells listed as missing (exit 4)
    const run = promisify(execFile);
    const part = path.join(dir, 'part.json');
    const r = await run('npx', [
      'tsx',
      'src/cli/merge.ts',
      part,
      path.join(out, 'shard-0-of-2.json'),
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code?: number }).code).toBe(4);
    expect((r as { stderr: string }).stderr).toMatch(/missing cells: 1, 3/);
    expect((await readJson<SweepReport>(part)).missing).toEqual([1, 3]);
  });

  it('report prints the sweep summary and writes well-formed SVG plots', async () => {
    const plots = path.join(dir, 'plots');
    logs.length = 0;
    expect(await reportMain([path.join(out, 'shard-0-of-2.json'), '--plots', plots])).toBe(0);
    expect(logs.join('\n')).toContain('### tiny-sweep (sweep)');
    const files = (await readdir(plots)).sort();
    // shard 0 holds lr 0.01 only: one point per line
    expect(files).toEqual([
      'accuracy.svg',
      'clean-vs-lr.svg',
      'epochs-to-target-vs-lr.svg',
      'training-curves.svg',
      'worst-case-vs-lr.svg',
    ]);
    for (const f of files) {
      const svg = await readFile(path.join(plots, f), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    }
    expect(await reportMain([path.join(dir, 'merged.json'), '--plots', plots])).toBe(0);
    const lines = await readFile(path.join(plots, 'worst-case-vs-lr.svg'), 'utf8');
    expect(lines.match(/<circle /g)).toHaveLength(2);
    expect(lines).toContain('<polygon ');
  });
});
