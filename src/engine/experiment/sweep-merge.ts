/**
 * Merging the shard reports of one sweep (`npm run merge`): the shards must describe the same
 * sweep (name, axes with their values and labels, cell count, target, settle rule); every run's params must be
 * those of its grid index; a cell reported twice must be reported identically (the same shard
 * file given twice is fine, two different runs of one cell are refused). The merged report lists
 * the cells still missing and recomputes the summary. Every shard is validated first (size before
 * reading, nesting depth, a schema of the fields used), so a hostile file is a SweepMergeError,
 * never a TypeError or a stack overflow. Pure: the caller reads the files.
 */
import { z } from 'zod';
import { describeValue, jsonDepth } from '../model/serialize/json-guard';
import { MAX_SWEEP_CELLS } from './config';
import { cellParams } from './sweep';
import { makeSweepReport } from './sweep-summary';
import {
  SWEEP_REPORT_FORMAT,
  SWEEP_REPORT_VERSION,
  type SweepCell,
  type SweepReport,
} from './sweep-types';

/** Shard reports that cannot be merged; the message names the files and what differs. */
export class SweepMergeError extends Error {
  override readonly name = 'SweepMergeError';
}

/** Largest shard report file read, bytes (64 MiB, as the dashboard's viewer; checked first). */
export const MAX_SHARD_BYTES = 64 * 1024 * 1024;
/** Deepest JSON nesting accepted in a shard report (ours nest about 14 levels). */
export const MAX_SHARD_DEPTH = 48;
/** Longest list accepted in a shard report (runs, attacks, epochs, variants, cells). */
const MAX_ITEMS = 100_000;

const text = z.string().max(10_000);
const frac = z.number().min(0).max(1);
/** Longest time accepted, seconds (about 32 years): a mean or std of larger ones may overflow. */
export const MAX_SHARD_SECONDS = 1e9;
const seconds = z.number().min(0).max(MAX_SHARD_SECONDS);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_ITEMS);
const label = z.union([z.string().max(10_000), z.number()]);
const epochs = list(
  z.looseObject({ valAdvAcc: frac.nullable(), valFixedAdvAcc: frac.optional(), wallSec: seconds }),
);
const evaluation = z.looseObject({
  cleanAccuracy: frac,
  attacks: list(z.looseObject({ name: text, robustAccuracy: frac })),
  worstCaseAccuracy: frac,
  cleanFull: z.strictObject({ n: z.number().int().min(1), accuracy: frac }).optional(),
});

/** What the summary reads of a run's report (reportMetrics in sweep-summary.ts). */
const runReportSchema = z.looseObject({
  evaluation,
  wallSeconds: seconds,
  training: z
    .looseObject({
      wallSeconds: seconds,
      epochs,
      offlineSets: z.looseObject({ seconds }).optional(),
    })
    .nullable(),
  pruning: list(
    z.looseObject({
      method: text,
      sparsity: frac,
      evaluation,
      sparsityReport: z.looseObject({ global: z.looseObject({ sparsity: frac }) }),
      fineTune: z.looseObject({ seconds, epochs }),
    }),
  ).optional(),
  transfer: z
    .looseObject({
      base: z.looseObject({ inferenceMs: seconds }),
      cells: list(
        z.looseObject({
          method: text,
          sparsity: frac,
          attack: text,
          transferRobust: frac,
          transferAccuracy: frac,
          inferenceMs: seconds,
        }),
      ),
    })
    .optional(),
});

const axisSchema = z
  .looseObject({
    name: text,
    path: text,
    values: z.array(z.unknown()).min(1).max(MAX_SWEEP_CELLS),
    labels: z.array(label).max(MAX_SWEEP_CELLS),
  })
  .refine((a) => a.labels.length === a.values.length, 'one label per value is needed')
  .refine((a) => new Set(a.labels.map(String)).size === a.labels.length, 'labels must differ');

/** A shard report's fields that the merge uses; the summary and `missing` are recomputed. */
const shardSchema = z.looseObject({
  format: z.literal(SWEEP_REPORT_FORMAT),
  version: z.literal(SWEEP_REPORT_VERSION),
  name: text,
  axes: z.array(axisSchema).min(1).max(8),
  cells: z.number().int().min(1).max(MAX_SWEEP_CELLS),
  target: frac.optional(),
  settle: z.looseObject({ axis: text, margin: frac, baseline: label.optional() }).optional(),
  shards: list(
    z
      .looseObject({ index: z.number().int().min(0), count: z.number().int().min(1) })
      .refine((s) => s.index < s.count, 'a shard index must be below the shard count'),
  ),
  runs: list(
    z.looseObject({
      index: z.number().int().min(0),
      params: z.record(z.string().max(10_000), label),
      report: runReportSchema,
    }),
  ),
});

/** `a.b[2].c` of a zod issue path. */
function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : `${s ? '.' : ''}${String(k)}`;
  return s || '(top level)';
}

/**
 * Checks that `value` (parsed JSON) is a sweep report the merge can use: nesting ≤
 * MAX_SHARD_DEPTH, format and version, axes (≤ 8, one distinct label per value), a cell count
 * ≤ MAX_SWEEP_CELLS (mergeSweepReports checks it is the grid's size), shards, and runs whose
 * reports hold in-range figures where the summary reads them (accuracies in [0, 1], seconds in
 * [0, MAX_SHARD_SECONDS]).
 * @throws SweepMergeError naming `source` and the first bad field
 */
export function asSweepReport(value: unknown, source: string): SweepReport {
  if (jsonDepth(value, MAX_SHARD_DEPTH) > MAX_SHARD_DEPTH)
    throw new SweepMergeError(`${source}: nested more than ${MAX_SHARD_DEPTH} levels deep`);
  const r = value as Partial<SweepReport> | null;
  if (typeof r !== 'object' || r === null || r.format !== SWEEP_REPORT_FORMAT)
    throw new SweepMergeError(
      `${source}: not a sweep report (format ${describeValue(r?.format, 40)})`,
    );
  if (r.version !== SWEEP_REPORT_VERSION)
    throw new SweepMergeError(
      `${source}: sweep report version ${describeValue(r.version, 20)} unsupported`,
    );
  const p = shardSchema.safeParse(value);
  if (!p.success) {
    const issue = p.error.issues[0];
    throw new SweepMergeError(
      `${source}: ${pathText(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return p.data as unknown as SweepReport;
}

/** Refuses a shard file of `bytes` over MAX_SHARD_BYTES (or not a size) before it is read. */
export function checkShardSize(source: string, bytes: number): void {
  if (!(bytes <= MAX_SHARD_BYTES))
    throw new SweepMergeError(
      `${source}: ${bytes} bytes, more than the ${MAX_SHARD_BYTES} a shard report may have`,
    );
}

/** Parses a shard file's text (JSON syntax, then asSweepReport). @throws SweepMergeError */
export function parseShardText(text: string, source: string): SweepReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SweepMergeError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  return asSweepReport(value, source);
}

/**
 * Merges shard reports of one sweep into one report (runs by index, missing cells listed).
 * @param inputs the parsed JSON of each file with its name, for messages
 * @param seedAxis the replicate axis of the summary (default 'seed')
 * @throws SweepMergeError when the reports are not of the same sweep or disagree on a cell
 */
export function mergeSweepReports(
  inputs: readonly { source: string; report: unknown }[],
  seedAxis = 'seed',
): SweepReport {
  if (inputs.length === 0) throw new SweepMergeError('no shard reports to merge');
  const reports = inputs.map((i) => ({ source: i.source, r: asSweepReport(i.report, i.source) }));
  const first = reports[0];
  const axesJson = JSON.stringify(first.r.axes);
  const runs = new Map<number, { source: string; cell: SweepCell; json: string }>();
  const shards = new Map<string, { index: number; count: number }>();
  for (const { source, r } of reports) {
    const differs = (what: string, a: unknown, b: unknown) =>
      new SweepMergeError(
        `${source} and ${first.source} are not shards of the same sweep: ${what} differ (${JSON.stringify(b)} vs ${JSON.stringify(a)})`,
      );
    if (r.name !== first.r.name) throw differs('names', first.r.name, r.name);
    if (r.cells !== first.r.cells) throw differs('cell counts', first.r.cells, r.cells);
    if (r.target !== first.r.target) throw differs('targets', first.r.target, r.target);
    if (JSON.stringify(r.settle) !== JSON.stringify(first.r.settle))
      throw differs('settle rules', first.r.settle, r.settle);
    if (JSON.stringify(r.axes) !== axesJson)
      throw new SweepMergeError(
        `${source} and ${first.source} are not shards of the same sweep: their axes (names, paths, values or labels) differ`,
      );
    const size = r.axes.reduce((n, a) => n * a.values.length, 1);
    if (r.cells !== size)
      throw new SweepMergeError(
        `${source}: cells: ${r.cells} cells, but its axes make a grid of ${size}`,
      );
    for (const s of r.shards) shards.set(`${s.index}/${s.count}`, s);
    for (const cell of r.runs) {
      const i = cell.index;
      if (!Number.isInteger(i) || i < 0 || i >= r.cells)
        throw new SweepMergeError(
          `${source}: a run has index ${String(i)}, outside 0..${r.cells - 1}`,
        );
      const want = JSON.stringify(cellParams(r.axes, i));
      if (JSON.stringify(cell.params) !== want)
        throw new SweepMergeError(
          `${source}: cell ${i} has params ${JSON.stringify(cell.params)}, the grid says ${want}`,
        );
      const json = JSON.stringify(cell);
      const prev = runs.get(i);
      if (prev && prev.json !== json)
        throw new SweepMergeError(
          `cell ${i} is reported differently by ${prev.source} and ${source} (two runs of one cell?): keep one`,
        );
      if (!prev) runs.set(i, { source, cell, json });
    }
  }
  return makeSweepReport(
    {
      name: first.r.name,
      axes: first.r.axes,
      cells: first.r.cells,
      target: first.r.target,
      settle: first.r.settle,
    },
    [...shards.values()],
    [...runs.values()].map((v) => v.cell),
    seedAxis,
  );
}
