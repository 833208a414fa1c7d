// Regression tests of the bugs the fuzzers found, each reduced to its smallest input.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '@/engine/data/errors';
import { ConfigError, parseExperimentConfigText } from '@/engine/experiment/config';
import { expandSweep } from '@/engine/experiment/sweep';
import {
  checkShardSize,
  MAX_SHARD_BYTES,
  MAX_SHARD_SECONDS,
  mergeSweepReports,
  parseShardText,
  SweepMergeError,
} from '@/engine/experiment/sweep-merge';
import type { SweepReport } from '@/engine/experiment/sweep-types';
import { ModelFormatError } from '@/engine/model/errors';
import { MAX_JSON_DEPTH, describeValue, jsonDepth } from '@/engine/model/serialize/json-guard';
import { loadModelSafetensors } from '@/engine/model/serialize/model-io';
import { decodeSafetensors } from '@/engine/model/serialize/safetensors';
import { loadModelTfjs } from '@/engine/model/serialize/tfjs';
import { MAX_CLASSES, datasetFromFiles } from '@/engine/session/datasets';
import { ReportFileError, validateReport } from '@/ui/report/parse';
import { deepValue, toJsonText } from './mutate-json';
import { idxFile } from './seeds';
import { modelSeeds } from './model-seeds';
import { shardSeeds, sweepReportSeeds } from './report-seeds';

/** A safetensors file with the given header text and no data. */
function safetensors(header: string, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const DEEP = 20_000; // JSON.stringify overflows the stack at about 5,000 levels

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ModelFormatError) return e.problem;
    throw e;
  }
  throw new Error('accepted');
}

describe('json-guard', () => {
  it('jsonDepth counts nesting without recursion and stops past the limit', () => {
    expect(jsonDepth(3)).toBe(0);
    expect(jsonDepth({ a: [1, { b: [] }] })).toBe(4);
    expect(jsonDepth(deepValue(10, true))).toBe(11);
    expect(jsonDepth(deepValue(DEEP, false))).toBe(MAX_JSON_DEPTH + 1);
    expect(jsonDepth(deepValue(DEEP, false), 10)).toBe(11);
  });

  it('describeValue never throws and stays short', () => {
    expect(describeValue([1, 2])).toBe('[1,2]');
    expect(describeValue(deepValue(DEEP, true))).toMatch(/too deeply/);
    expect(describeValue('x'.repeat(1000)).length).toBeLessThanOrEqual(81);
    expect(describeValue(undefined)).toBe('undefined');
  });
});

describe('bug: deeply nested JSON in model files gave a RangeError (stack overflow)', () => {
  it('safetensors header: a deep dtype, shape or offsets value is a ModelFormatError', () => {
    for (const key of ['dtype', 'shape', 'data_offsets']) {
      const entry = {
        dtype: 'F32',
        shape: [0],
        data_offsets: [0, 0],
        [key]: deepValue(DEEP, false),
      };
      const file = safetensors(toJsonText({ t: entry }));
      expect(problemOf(() => decodeSafetensors(file, 'x.safetensors'))).toBe('bad-header');
    }
  });

  it('safetensors __metadata__.spec nested deeply is a ModelFormatError', () => {
    const meta = {
      format: 'advprune-lab',
      format_version: '1',
      spec: toJsonText(deepValue(DEEP, true)),
    };
    const file = safetensors(JSON.stringify({ __metadata__: meta }));
    expect(problemOf(() => loadModelSafetensors(file, 'x.safetensors'))).toBe('bad-metadata');
  });

  it('tfjs model.json nested deeply (format, shape, spec) is a ModelFormatError', async () => {
    const { tfjs } = await modelSeeds();
    const { modelJson, weightsBin } = tfjs[0];
    const deepFormat = { ...modelJson, format: deepValue(DEEP, false) };
    expect(problemOf(() => loadModelTfjs(deepFormat, weightsBin, 'model.json'))).toBe('bad-json');
    const deepSpec = structuredClone(modelJson) as {
      userDefinedMetadata: { advprune: { spec: unknown } };
    };
    deepSpec.userDefinedMetadata.advprune.spec = { inputShape: deepValue(DEEP, false) };
    expect(problemOf(() => loadModelTfjs(deepSpec, weightsBin, 'model.json'))).toBe('bad-json');
  });
});

describe('bug: experiment configs', () => {
  const smoke = readFileSync(
    fileURLToPath(new URL('../../configs/smoke-prune.json', import.meta.url)),
    'utf8',
  );
  const base = JSON.parse(smoke) as {
    train: { objective: Record<string, unknown>; validation: Record<string, unknown> };
    prune: {
      scoringAttack: { options: Record<string, unknown> };
      fineTune: { objective: Record<string, unknown> };
    };
    transfer: { attacks: { options?: Record<string, unknown> }[] };
  };
  const issuesOf = (value: unknown): string[] => {
    try {
      parseExperimentConfigText(toJsonText(value), 'c.json');
    } catch (e) {
      if (e instanceof ConfigError) return e.issues;
      throw e;
    }
    return [];
  };

  it('the base config is valid', () => {
    expect(issuesOf(base)).toEqual([]);
  });

  it('a deeply nested value is refused up front (it was accepted and broke JSON.stringify of the report)', () => {
    const c = structuredClone(base);
    c.prune.scoringAttack.options.stepSize = deepValue(DEEP, true);
    expect(issuesOf(c)).toEqual([expect.stringMatching(/nested deeper than/)]);
  });

  it('prune.scoringAttack and transfer.attacks options are validated like eval.attacks', () => {
    const c = structuredClone(base);
    c.prune.scoringAttack.options.steps = -1;
    expect(issuesOf(c).some((i) => i.startsWith('prune.scoringAttack.options:'))).toBe(true);
    const d = structuredClone(base);
    d.transfer.attacks[1].options = { steps: 'ten' };
    expect(issuesOf(d).some((i) => i.startsWith('transfer.attacks.1.options:'))).toBe(true);
  });

  it('a step size of 0 with ε > 0 is refused, naming the step (ε = 5e-324 derived steps that underflow to 0: an attack that cannot move)', () => {
    const TINY = 5e-324; // the smallest positive double: ε/4 and 2.5·ε/steps underflow to 0
    const refused = (edit: (c: typeof base) => void, field: string) => {
      const c = structuredClone(base);
      edit(c);
      expect(issuesOf(c).filter((i) => i.startsWith(`${field}: `))).toHaveLength(1);
    };
    const pgd = { kind: 'pgd-at', eps: TINY, steps: 10 }; // 2.5·ε/10 underflows (2.5·ε/3 does not)
    refused((c) => (c.train.objective = pgd), 'train.objective.stepSize');
    refused((c) => (c.prune.fineTune.objective = pgd), 'prune.fineTune.objective.stepSize');
    refused((c) => (c.train.objective = { kind: 'trades', eps: TINY }), 'train.objective.stepSize');
    refused(
      (c) => (c.train.objective = { kind: 'fgsm-rs', eps: TINY }),
      'train.objective.guard.pgdStepSize',
    );
    refused((c) => (c.train.validation.eps = TINY), 'train.validation.stepSize');
    refused(
      (c) => (c.train.objective = { kind: 'pgd-at', eps: 0.1, stepSize: 0 }),
      'train.objective.stepSize',
    );
    // ε = 0 (no perturbation) keeps its step of 0, and the resolved config reads back
    const zero = structuredClone(base);
    zero.train.objective.eps = 0;
    zero.train.validation.eps = 0;
    expect(issuesOf(zero)).toEqual([]);
  });
});

describe('bug: dropped IDX files', () => {
  const images = (n: number) => ({
    name: 'imgs',
    bytes: idxFile(
      [n, 2, 2],
      Array.from({ length: 4 * n }, (_, i) => i % 256),
      'uint8',
    ),
  });
  const labels = (values: number[]) => ({
    name: 'labels',
    bytes: idxFile([values.length], values, 'int32'),
  });

  it('a label of 2^31 − 1 is refused quickly (it made 2^31 class names: out of memory)', async () => {
    const t0 = performance.now();
    const err = await datasetFromFiles([images(3), labels([0, 1, 2 ** 31 - 1])]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).problem).toBe('label-out-of-range');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it(`classes are bounded by MAX_CLASSES (${MAX_CLASSES})`, async () => {
    const ok = await datasetFromFiles([images(4), labels([0, 1, 0, MAX_CLASSES - 1])]);
    expect(ok.train.numClasses).toBe(MAX_CLASSES);
    await expect(
      datasetFromFiles([images(4), labels([0, 1, 0, MAX_CLASSES])]),
    ).rejects.toBeInstanceOf(DatasetError);
  });

  it('a small single pair still gets a non-empty test set (the stratified split gave none)', async () => {
    // 8 samples in 3 classes: round(count / 7) is 0 in every class
    const r = await datasetFromFiles([images(8), labels([0, 1, 2, 0, 1, 2, 0, 1])]);
    expect(r.test.labels.length).toBeGreaterThan(0);
    expect(r.train.labels.length + r.test.labels.length).toBe(8);
    // a larger set keeps the stratified split of 1/7
    const big = await datasetFromFiles([
      images(70),
      labels(Array.from({ length: 70 }, (_, i) => i % 2)),
    ]);
    expect(big.test.labels.length).toBe(10);
  });
});

describe('bug: sweep reports opened by the dashboard (tests/fuzz/report.test.ts)', () => {
  const base = sweepReportSeeds()[1]; // shard 0 of 2 of a 2 × 2 grid, as the CLI writes it
  const refusal = (mutate: (s: SweepReport) => void): string => {
    const s = structuredClone(base);
    mutate(s);
    try {
      validateReport('s.json', s);
    } catch (e) {
      if (e instanceof ReportFileError) return e.message;
      throw e;
    }
    return 'accepted';
  };

  it('the base sweep opens', () => {
    expect(refusal(() => undefined)).toBe('accepted');
  });

  it('a summary row that contradicts its own values is refused (it was shown as is)', () => {
    expect(refusal((s) => void (s.summary[0].n = 7))).toMatch(/summary\[0\]\.n: n is 7/);
    expect(refusal((s) => void (s.summary[0].mean = 1.5))).toMatch(/summary\[0\]\.mean/);
    expect(refusal((s) => void (s.summary[0].std = 0.5))).toMatch(/summary\[0\]\.std/);
    const clean = base.summary.findIndex((r) => r.metric === 'clean');
    const accuracyOver1 = (s: SweepReport) => {
      s.summary[clean].values = [1.5];
      s.summary[clean].n = 1;
      s.summary[clean].mean = 1.5;
      s.summary[clean].std = 0;
    };
    expect(refusal(accuracyOver1)).toMatch(
      new RegExp(`summary\\[${clean}\\]\\.values: clean is an accuracy`),
    );
  });

  it('an axis with fewer labels than values, or a cell count off the grid, is refused', () => {
    expect(refusal((s) => void s.axes[0].values.push(2))).toMatch(/axes\[0\]\.labels/);
    expect(refusal((s) => void (s.cells = 5))).toMatch(
      /cells: 5 cells, but the axes make a grid of 4/,
    );
    expect(refusal((s) => void (s.runs[0].index = 9))).toMatch(/outside the grid/);
    expect(refusal((s) => void s.missing.push(s.runs[0].index))).toMatch(/listed twice/);
  });
});

describe('bug: shard reports read by `npm run merge` (tests/fuzz/sweep.test.ts)', () => {
  const shard = shardSeeds()[0];
  const merged = (report: unknown) => mergeSweepReports([{ source: 'x.json', report }]);
  const message = (report: unknown): string => {
    try {
      merged(report);
    } catch (e) {
      if (e instanceof SweepMergeError) return e.message;
      throw e;
    }
    return 'accepted';
  };

  it('the base shard merges', () => {
    expect(merged(structuredClone(shard)).runs).toHaveLength(2);
  });

  it('a deep value (RangeError), a null run or shard, a run without evaluation (TypeError) are refused', () => {
    const deep = { ...shard, axes: [{ ...shard.axes[0], values: [deepValue(DEEP, false), 1] }] };
    expect(message(deep)).toMatch(/nested more than 48 levels/);
    expect(message({ ...shard, runs: [null] })).toMatch(/runs\[0\]/);
    expect(message({ ...shard, shards: [null] })).toMatch(/shards\[0\]/);
    const bare = { ...shard, runs: [{ ...shard.runs[0], report: { format: 'advprune-report' } }] };
    expect(message(bare)).toMatch(/runs\[0\]\.report\.evaluation/);
  });

  it('a cell count of 5·10^7 is refused at once (it listed 5·10^7 missing cells, seconds of work)', () => {
    const t0 = performance.now();
    expect(message({ ...shard, cells: 5e7, runs: [] })).toMatch(/cells/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('a time of 1e308 s is refused (the merged summary got a std of null the dashboard refuses)', () => {
    const s = structuredClone(shard);
    s.runs[0].report.wallSeconds = 1e308;
    expect(message(s)).toMatch(/runs\[0\]\.report\.wallSeconds/);
    expect(MAX_SHARD_SECONDS).toBeLessThan(1e150);
  });

  it('a file is bounded before reading and its text parsed to a typed error', () => {
    expect(() => checkShardSize('x.json', MAX_SHARD_BYTES)).not.toThrow();
    expect(() => checkShardSize('x.json', MAX_SHARD_BYTES + 1)).toThrow(SweepMergeError);
    expect(() => parseShardText('{"format":', 'x.json')).toThrow(/x\.json: not valid JSON/);
  });
});

describe('bug: sweep configs nested deeply gave a RangeError in expandSweep', () => {
  const config = (sweep: unknown, name: unknown = 'n') => ({
    name,
    data: { kind: 'synthetic' },
    model: { architecture: 'mlp' },
    train: {},
    sweep,
  });
  const issuesOf = (raw: unknown): string[] => {
    try {
      expandSweep(raw, 'c.json');
    } catch (e) {
      if (e instanceof ConfigError) return e.issues;
      throw e;
    }
    return [];
  };
  const axes = (values: unknown[]) => ({ axes: [{ name: 'seed', path: 'seed', values }] });

  it('a shallow sweep expands', () => {
    expect(expandSweep(config(axes([0, 1])), 'c.json').cells).toHaveLength(2);
  });

  it('a deep base field or a deep axis value is a ConfigError', () => {
    expect(issuesOf(config(axes([0, 1]), deepValue(DEEP, false)))).toEqual([
      expect.stringMatching(/nested deeper than/),
    ]);
    expect(issuesOf(config(axes([deepValue(DEEP, false), 1])))).toEqual([
      expect.stringMatching(/nested deeper than/),
    ]);
  });
});
