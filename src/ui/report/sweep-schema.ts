/**
 * Zod schema of a merged sweep report (`advprune-sweep-report`, version 1; types in
 * src/engine/experiment/sweep-types.ts): the axes, the finished cells each with a full single-run
 * report (checked by the single report's schema), the missing cells and the mean ± std summary.
 */
import { z } from 'zod';
import { experimentReportSchema, MAX_ITEMS, MAX_TEXT } from './schema';

const text = z.string().max(MAX_TEXT);
const count = z.number().int().min(0);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_ITEMS);
/** a scalar axis label: 'accelat', 3, 0.9 */
const label = z.union([text, z.number()]);
const params = z.record(z.string().max(MAX_TEXT), label);

export const sweepAxisSchema = z.looseObject({
  name: text,
  path: text,
  values: list(z.unknown()),
  labels: list(label),
});

export const sweepCellSchema = z.looseObject({
  index: count,
  params,
  report: experimentReportSchema,
});

export const summaryRowSchema = z.looseObject({
  params,
  variant: text,
  metric: text,
  n: count,
  mean: z.number(),
  std: z.number().min(0),
  values: list(z.number()),
});

/** A merged sweep report, format 'advprune-sweep-report', version 1. */
export const sweepReportSchema = z.looseObject({
  format: z.literal('advprune-sweep-report'),
  version: z.literal(1),
  name: text,
  axes: list(sweepAxisSchema),
  cells: count,
  shards: list(z.looseObject({ index: count, count })).optional(),
  runs: list(sweepCellSchema),
  missing: list(count),
  summary: list(summaryRowSchema),
});

export type AxisLabelView = z.infer<typeof label>;
export type SweepAxisView = z.infer<typeof sweepAxisSchema>;
export type SweepCellView = z.infer<typeof sweepCellSchema>;
export type SummaryRowView = z.infer<typeof summaryRowSchema>;
export type SweepView = z.infer<typeof sweepReportSchema>;
