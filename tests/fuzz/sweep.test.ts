// Fuzz: sweeps. (1) `npm run merge`'s reading of shard reports (parseShardText, the reader of
// src/cli/merge.ts, then mergeSweepReports): seeds are shard reports as the CLI writes them
// (report-seeds.ts: a 2 seeds × 2 learning rates grid whose cells are trimmed committed reports);
// each input is one or two shard files, one of them mutated as a JSON tree or as text. A merge
// must equal what its runs imply (runs by index on the grid, missing cells, the summary
// recomputed) and, when every shard opens in the dashboard, the merged report must too; else a
// SweepMergeError. (2) Sweep configs (expandSweep, as `npm run experiment` calls it on a config
// with a `sweep` field; parseExperimentConfigText too): seeds are the shipped configs with sweep
// fields added; every expanded cell must be the grid's and re-validate to itself; else ConfigError.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  MAX_SWEEP_CELLS,
  parseExperimentConfig,
  parseExperimentConfigText,
} from '@/engine/experiment/config';
import { cellParams, expandSweep, type SweepPlan } from '@/engine/experiment/sweep';
import {
  mergeSweepReports,
  parseShardText,
  SweepMergeError,
} from '@/engine/experiment/sweep-merge';
import { NON_ACCURACY_METRICS, summarizeSweep } from '@/engine/experiment/sweep-summary';
import type { SweepReport } from '@/engine/experiment/sweep-types';
import type { Rng } from '@/engine/rng';
import { ReportFileError, validateReport } from '@/ui/report/parse';
import { FUZZ_TIMEOUT_MS, runFuzz } from './harness';
import { mutateJson, mutateJsonText, toJsonText } from './mutate-json';
import { shardSeeds } from './report-seeds';

/** Texts known to open in the dashboard (the unmutated seeds): not validated again per input. */
const opensInViewer = new Set<string>();

/** Whether the dashboard's viewer opens `value` (a ReportFileError is a no; anything else throws). */
function viewerOpens(value: unknown): boolean {
  try {
    validateReport('x.json', value);
    return true;
  } catch (e) {
    if (e instanceof ReportFileError) return false;
    throw e;
  }
}

/** JSON text of `value`: the native writer, or toJsonText where it overflows (deep values). */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? toJsonText(value);
  } catch {
    return toJsonText(value);
  }
}

/** A mutated text of `value`: a JSON-tree mutation, sometimes text damage on top. */
function mutatedText(rng: Rng, value: unknown): { text: string; how: string } {
  const m = mutateJson(rng, value);
  const text = jsonText(m.value);
  if (rng.next() < 0.15) {
    const t = mutateJsonText(rng, text);
    return { text: t.text, how: `${m.how}; text: ${t.how}` };
  }
  return { text, how: m.how };
}

/** Throws `what` unless `ok` (plain checks: `expect` is too slow for thousands per input). */
function ensure(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

function checkMerged(files: string[], m: SweepReport): void {
  const indices = m.runs.map((r) => r.index);
  indices.forEach((i, k) => {
    ensure(Number.isInteger(i) && i >= 0 && i < m.cells, `run index ${i} outside the grid`);
    ensure(k === 0 || i > indices[k - 1], 'runs not sorted by index, or a cell twice');
  });
  const have = new Set(indices);
  const missing = Array.from({ length: m.cells }, (_, i) => i).filter((i) => !have.has(i));
  ensure(JSON.stringify(m.missing) === JSON.stringify(missing), 'missing cells wrong');
  ensure(m.cells === m.axes.reduce((n, a) => n * a.values.length, 1), 'cells ≠ grid size');
  for (const r of m.runs)
    ensure(
      JSON.stringify(r.params) === JSON.stringify(cellParams(m.axes, r.index)),
      `cell ${r.index}: params not the grid's`,
    );
  const again = summarizeSweep(m.runs, 'seed', { target: m.target });
  ensure(JSON.stringify(m.summary) === JSON.stringify(again), 'summary ≠ summarizeSweep(runs)');
  for (const row of m.summary) {
    ensure(row.n === row.values.length && row.std >= 0, `summary row ${row.metric}: n or std`);
    if (!NON_ACCURACY_METRICS.has(row.metric))
      ensure(
        row.values.every((v) => v >= 0 && v <= 1),
        `summary ${row.metric}: accuracy out of [0, 1]`,
      );
  }
  // what the merge writes opens in the dashboard when every shard did
  const out = JSON.stringify(m);
  const written = JSON.parse(out) as unknown;
  if (files.every((f) => opensInViewer.has(f) || viewerOpens(JSON.parse(f))))
    validateReport('merged.json', written); // throws the viewer's reason
  const input = files.reduce((n, f) => n + f.length, 0);
  ensure(out.length <= 2 * input + 100_000, 'merged report larger than its inputs');
}

const CONFIG_DIR = fileURLToPath(new URL('../../configs/', import.meta.url));
const config = (f: string) => JSON.parse(readFileSync(CONFIG_DIR + f, 'utf8')) as object;

/** Sweep configs: the shipped smoke configs with grids over seeds, schedules, sparsities, ε. */
function sweepConfigSeeds(): object[] {
  const seedAxis = { name: 'seed', path: ['seed', 'train.seed'], values: [0, 1] };
  return [
    {
      ...config('smoke.json'),
      sweep: {
        axes: [
          seedAxis,
          {
            name: 'schedule',
            path: 'train.schedule',
            values: [
              { kind: 'constant', lr: 0.003 },
              { kind: 'multistep', lr: 0.003, milestones: [1], gamma: 0.5 },
            ],
          },
        ],
        target: 0.3,
      },
    },
    {
      ...config('smoke-prune.json'),
      sweep: {
        axes: [
          { name: 'sparsity', path: 'prune.sparsities', values: [[0.5], [0.9]] },
          {
            name: 'eps',
            path: 'eval.attacks.0.options.eps',
            values: [0.05, 0.1],
            labels: ['a', 'b'],
          },
        ],
      },
    },
    {
      ...config('smoke.json'),
      sweep: { axes: [{ name: 'lr', path: 'train.schedule.lr', values: [0.01, 0.003, 0.001] }] },
    },
  ];
}

/** `npm run experiment`'s reading of a config's text (src/cli/experiment.ts parseJson). */
function parseJsonLikeCli(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError('fuzz.json', [`not valid JSON: ${(e as Error).message}`]);
  }
}

function checkPlan(text: string, plan: SweepPlan): void {
  const raw = JSON.parse(text) as { name?: unknown };
  const size = plan.axes.reduce((n, a) => n * a.values.length, 1);
  expect(size).toBeLessThanOrEqual(MAX_SWEEP_CELLS);
  expect(plan.cells.length).toBe(size);
  for (const a of plan.axes) {
    expect(a.labels.length).toBe(a.values.length);
    expect(new Set(a.labels.map(String)).size).toBe(a.labels.length);
  }
  plan.cells.forEach((c, i) => {
    expect(c.index).toBe(i);
    expect(c.params).toEqual(cellParams(plan.axes, i));
    expect('sweep' in c.config).toBe(false);
    expect(c.config.name).toBe(
      [raw.name, ...plan.axes.map((a) => String(c.params[a.name]))].join('/'),
    );
    try {
      expect(parseExperimentConfig(structuredClone(c.config), 'again')).toEqual(c.config);
    } catch (e) {
      // the known gap of tests/fuzz/config.test.ts: an ε of 0 derives a step size of 0
      const issues = e instanceof ConfigError ? e.issues : [String(e)];
      if (!issues.every((s) => /stepSize: Too small/.test(s))) throw e;
    }
  });
}

describe('fuzz: sweeps', () => {
  it(
    'merge of shard files: a merge consistent with its runs, or SweepMergeError',
    async () => {
      // shards 0/2 and 1/2 (the 1-shard report of the whole grid is fuzzed by report.test.ts)
      const seeds = shardSeeds().slice(0, 2);
      const texts = seeds.map((s) => JSON.stringify(s));
      for (const t of texts) {
        expect(viewerOpens(JSON.parse(t))).toBe(true);
        opensInViewer.add(t);
      }
      checkMerged(
        texts.slice(0, 2),
        mergeSweepReports(
          texts
            .slice(0, 2)
            .map((t, i) => ({ source: `s${i}`, report: parseShardText(t, `s${i}`) })),
        ),
      );
      const stats = await runFuzz<string[], SweepReport>({
        name: 'merge (parseShardText + mergeSweepReports)',
        salt: 801,
        generate: (rng) => {
          // one shard most often, else two (now and then the same file twice)
          const n = rng.next() < 0.6 ? 1 : 2;
          const picks = Array.from({ length: n }, () => rng.int(seeds.length));
          const files = picks.map((k) => texts[k]);
          const target = rng.int(n);
          const m = mutatedText(rng, seeds[picks[target]]);
          files[target] = m.text;
          return { input: files, how: `shards ${picks.join(',')}; #${target}: ${m.how}` };
        },
        call: (files) =>
          mergeSweepReports(
            files.map((f, i) => ({
              source: `shard-${i}.json`,
              report: parseShardText(f, `shard-${i}.json`),
            })),
          ),
        isTyped: (e) => e instanceof SweepMergeError,
        code: (e) =>
          (e as Error).message
            .replace(/^shard-\d\.json: /, '')
            .split(/[:(]/)[0]
            .replace(/\[\d+\]/g, '[]')
            .slice(0, 40),
        check: checkMerged,
        describe: (files) => files.map((f) => f.slice(0, 300)).join(' | '),
      });
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'sweep configs: expandSweep gives the grid of valid cells, or ConfigError',
    async () => {
      const seeds = sweepConfigSeeds();
      for (const s of seeds) checkPlan(JSON.stringify(s), expandSweep(s, 'seed'));
      const stats = await runFuzz<string, SweepPlan>({
        name: 'expandSweep',
        salt: 802,
        generate: (rng) => {
          const seed = seeds[rng.int(seeds.length)] as { sweep: unknown };
          if (rng.next() < 0.5) {
            // most mutations land in the sweep field
            const m = mutateJson(rng, seed.sweep);
            return { input: jsonText({ ...seed, sweep: m.value }), how: `sweep: ${m.how}` };
          }
          const m = mutatedText(rng, seed);
          return { input: m.text, how: m.how };
        },
        call: (text) => {
          // the single-run parser must not crash on a sweep config either
          try {
            parseExperimentConfigText(text, 'fuzz.json');
          } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
          }
          return expandSweep(parseJsonLikeCli(text), 'fuzz.json');
        },
        isTyped: (e) => e instanceof ConfigError,
        code: (e) => ((e as ConfigError).issues[0] ?? '').split(/: | \(/)[0].slice(0, 40),
        check: checkPlan,
        describe: (text) => (text.length > 400 ? text.slice(0, 400) + '…' : text),
      });
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});
