/**
 * Zod schema of a merged sweep report (`advprune-sweep-report`, version 1; types in
 * src/engine/experiment/sweep-types.ts): the axes, the finished cells each with a full single-run
 * report (checked by the single report's schema), the missing cells and the mean ± std summary.
 * Beyond types it checks what the charts trust: one label per axis value, a cell count equal to
 * the grid's size, run and missing indices inside the grid and distinct, and summary rows that
 * agree with their own values (n, mean, sample std; accuracy metrics in [0, 1]).
 */
import { z } from 'zod';
import { isAccuracyMetric } from '../../workers/protocol';
import { experimentReportSchema, MAX_ITEMS, MAX_TEXT } from './schema';

const text = z.string().max(MAX_TEXT);
const count = z.number().int().min(0);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_ITEMS);
/** a scalar axis label: 'accelat', 3, 0.9 */
const label = z.union([text, z.number()]);
const params = z.record(z.string().max(MAX_TEXT), label);

export const sweepAxisSchema = z
  .looseObject({
    name: text,
    path: text,
    values: list(z.unknown()).min(1),
    labels: list(label),
  })
  .refine((a) => a.labels.length === a.values.length, {
    message: 'an axis needs exactly one label per value',
    path: ['labels'],
  });

export const sweepCellSchema = z.looseObject({
  index: count,
  params,
  report: experimentReportSchema,
});

/** |a − b| within a relative 1e-9 (the summary is written with full float precision). */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

export const summaryRowSchema = z
  .looseObject({
    params,
    variant: text,
    metric: text,
    n: count.min(1),
    mean: z.number(),
    std: z.number().min(0),
    values: list(z.number()),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (r.n !== r.values.length)
      return issue('n', `n is ${r.n} but there are ${r.values.length} values`);
    if (isAccuracyMetric(r.metric) && !r.values.every((v) => v >= 0 && v <= 1))
      return issue('values', `${r.metric} is an accuracy: every value must be in [0, 1]`);
    const mean = r.values.reduce((a, b) => a + b, 0) / r.n;
    const ss = r.values.reduce((a, b) => a + (b - mean) ** 2, 0);
    const std = r.n > 1 ? Math.sqrt(ss / (r.n - 1)) : 0;
    if (!close(r.mean, mean) || (isAccuracyMetric(r.metric) && !(r.mean >= 0 && r.mean <= 1)))
      issue('mean', `mean ${r.mean} is not the mean of the values (${mean})`);
    if (!close(r.std, std))
      issue('std', `std ${r.std} is not the sample std of the values (${std})`);
  });

/** A merged sweep report, format 'advprune-sweep-report', version 1. */
export const sweepReportSchema = z
  .looseObject({
    format: z.literal('advprune-sweep-report'),
    version: z.literal(1),
    name: text,
    axes: list(sweepAxisSchema),
    cells: count,
    shards: list(z.looseObject({ index: count, count })).optional(),
    runs: list(sweepCellSchema),
    missing: list(count),
    summary: list(summaryRowSchema),
  })
  .superRefine((s, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const size = s.axes.reduce((n, a) => n * a.labels.length, 1);
    if (s.cells !== size)
      return issue(['cells'], `${s.cells} cells, but the axes make a grid of ${size}`);
    const seen = new Set<number>();
    const place = (i: number, path: (string | number)[]) => {
      if (i >= s.cells) issue(path, `cell ${i} is outside the grid of ${s.cells}`);
      else if (seen.has(i)) issue(path, `cell ${i} is listed twice`);
      seen.add(i);
    };
    s.runs.forEach((r, k) => place(r.index, ['runs', k, 'index']));
    s.missing.forEach((i, k) => place(i, ['missing', k]));
  });

export type AxisLabelView = z.infer<typeof label>;
export type SweepAxisView = z.infer<typeof sweepAxisSchema>;
export type SweepCellView = z.infer<typeof sweepCellSchema>;
export type SummaryRowView = z.infer<typeof summaryRowSchema>;
export type SweepView = z.infer<typeof sweepReportSchema>;
