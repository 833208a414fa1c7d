/**
 * Real reports for the Reports view's tests: the committed CLI outputs in docs/results, a fresh
 * report made here by the engine headless (runExperiment on a tiny synthetic config: MLP,
 * PGD-AT, magnitude pruning at two sparsities), and a sweep report assembled from real reports
 * with its mean ± std summary computed here, independently of the viewer's helpers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '@/engine/backend';
import { parseExperimentConfig } from '@/engine/experiment/config';
import type { ExperimentReport } from '@/engine/experiment/report';
import { runExperiment } from '@/engine/experiment/run';
import { disposeModel } from '@/engine/model/init';
import type { SweepReport, SweepSummaryRow } from '@/engine/experiment/sweep-types';

export const RESULTS_DIR = path.resolve('docs/results');

/** The committed CLI reports: file name → text. */
export function committedReports(): { file: string; text: string }[] {
  return readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.report.json'))
    .sort()
    .map((file) => ({ file, text: readFileSync(path.join(RESULTS_DIR, file), 'utf8') }));
}

export function committed(file: string): ExperimentReport {
  return JSON.parse(readFileSync(path.join(RESULTS_DIR, file), 'utf8')) as ExperimentReport;
}

/** A fresh report of a tiny synthetic run (a few seconds on WASM), pruned at 0.5 and 0.8. */
export async function freshReport(seed: number): Promise<ExperimentReport> {
  const config = parseExperimentConfig({
    name: `tiny-${seed}`,
    seed,
    data: { kind: 'synthetic', trainSize: 128, testSize: 32, shape: [8, 8, 1], numClasses: 3 },
    model: { architecture: 'mlp' },
    train: {
      epochs: 2,
      batchSize: 32,
      objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
      optimizer: { kind: 'adam' },
      schedule: { kind: 'multistep', lr: 0.01, milestones: [1], gamma: 0.5 },
      validation: { subsetSize: 32, steps: 2 },
    },
    eval: { n: 32, batchSize: 32, attacks: [{ name: 'fgsm' }] },
    prune: {
      scoringSamples: 32,
      methods: [{ name: 'magnitude' }],
      sparsities: [0.5, 0.8],
      fineTune: {
        epochs: 1,
        batchSize: 32,
        objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
        optimizer: { kind: 'adam' },
        schedule: { kind: 'constant', lr: 0.001 },
        validation: { subsetSize: 32, steps: 2 },
      },
    },
  });
  const backend = await initBackend({ prefer: 'wasm' });
  const environment = {
    platform: 'node',
    runtime: `node ${process.version} ${process.platform} ${process.arch}`,
    cpus: os.cpus().length,
    tfjsVersion,
    backend,
    backendDetails: await describeBackend(),
  };
  const noFiles = () => Promise.reject(new Error('no files in this test'));
  const { report, model, variants } = await runExperiment(
    config,
    {
      fashionMnist: noFiles,
      file: noFiles,
    },
    environment,
  );
  disposeModel(model);
  for (const v of variants ?? []) disposeModel(v.model);
  return report;
}

/** Mean and sample std (n − 1), written out here so the tests do not trust the viewer's. */
function stats(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const v =
    values.length > 1
      ? values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (values.length - 1)
      : 0;
  return { mean, std: Math.sqrt(v) };
}

/** The scalars of a report: the base's clean, per-attack, worst case; each variant's too. */
function metrics(r: ExperimentReport): { variant: string; metric: string; value: number }[] {
  const of = (variant: string, e: ExperimentReport['evaluation']) => [
    { variant, metric: 'clean', value: e.cleanAccuracy },
    ...e.attacks.map((a) => ({ variant, metric: a.name, value: a.robustAccuracy })),
    { variant, metric: 'worst-case', value: e.worstCaseAccuracy },
  ];
  return [
    ...of('base', r.evaluation),
    ...(r.pruning ?? []).flatMap((v) => of(`${v.method}@${v.sparsity}`, v.evaluation)),
  ];
}

/** A sweep over the axis `seed` whose cells are `reports` (one per seed), with its summary. */
export function sweepOf(name: string, reports: ExperimentReport[], missing = 0): SweepReport {
  const seeds = reports.map((_, i) => i);
  const all = [...seeds, ...Array.from({ length: missing }, (_, i) => seeds.length + i)];
  const runs = reports.map((report, i) => ({ index: i, params: { seed: i }, report }));
  const groups = new Map<string, SweepSummaryRow>();
  for (const run of runs) {
    for (const m of metrics(run.report)) {
      const key = `${m.variant}|${m.metric}`;
      const row = groups.get(key) ?? {
        params: {},
        variant: m.variant,
        metric: m.metric,
        n: 0,
        mean: 0,
        std: 0,
        values: [],
      };
      row.values.push(m.value);
      groups.set(key, row);
    }
  }
  const summary = [...groups.values()].map((r) => ({
    ...r,
    n: r.values.length,
    ...stats(r.values),
  }));
  return {
    format: 'advprune-sweep-report',
    version: 1,
    name,
    axes: [{ name: 'seed', path: 'seed', values: all, labels: all }],
    cells: all.length,
    shards: [{ index: 0, count: 1 }],
    runs,
    missing: all.slice(reports.length),
    summary,
  };
}
