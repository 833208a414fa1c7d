/**
 * Opening a report file in the browser: a size bound checked before reading, `JSON.parse`, a
 * nesting-depth guard, then the format/version discriminator and the zod schema of that format.
 * Every failure is a ReportFileError whose message names the file and what is wrong, with the
 * JSON path of the first bad field (e.g. `bad.json: evaluation.attacks[1].robustAccuracy: …`).
 * Pure: no DOM, so it is tested in Node.
 */
import type { z } from 'zod';
import { describeValue, jsonDepth } from '../../workers/protocol';
import { experimentReportSchema, type ReportView } from './schema';
import { sweepReportSchema, type SweepView } from './sweep-schema';

/** Largest report file accepted, bytes (64 MiB: a sweep of hundreds of runs is a few MiB). */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;
/** Deepest JSON nesting accepted (reports nest about 10 levels, sweeps about 14). */
export const MAX_REPORT_DEPTH = 48;

export const SINGLE_FORMAT = 'advprune-report';
export const SWEEP_FORMAT = 'advprune-sweep-report';

export type ParsedReport =
  { kind: 'single'; report: ReportView } | { kind: 'sweep'; report: SweepView };

/** A report file that cannot be opened; `message` starts with the file's name. */
export class ReportFileError extends Error {
  override name = 'ReportFileError';
}

/** Refuse a file over MAX_REPORT_BYTES (or `max`) before reading it; `bytes` is its size. */
export function checkReportSize(fileName: string, bytes: number, max = MAX_REPORT_BYTES): void {
  if (!(bytes <= max)) {
    const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
    throw new ReportFileError(
      `${fileName}: the file is ${mib(bytes)}, more than the ${mib(max)} a report may have`,
    );
  }
}

/** `a.b[2].c` from a zod issue path. */
function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : `${s ? '.' : ''}${String(k)}`;
  return s || '(top level)';
}

function firstIssue(fileName: string, error: z.ZodError): ReportFileError {
  const issue = error.issues[0];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
  return new ReportFileError(
    `${fileName}: ${pathText(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}${more}`,
  );
}

/** Validate an already parsed JSON value as a single or a sweep report. */
export function validateReport(fileName: string, value: unknown): ParsedReport {
  if (jsonDepth(value, MAX_REPORT_DEPTH) > MAX_REPORT_DEPTH)
    throw new ReportFileError(`${fileName}: nested more than ${MAX_REPORT_DEPTH} levels deep`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ReportFileError(`${fileName}: not a report (a JSON object is expected)`);
  const format = (value as { format?: unknown }).format;
  const version = (value as { version?: unknown }).version;
  if (format !== SINGLE_FORMAT && format !== SWEEP_FORMAT)
    throw new ReportFileError(
      `${fileName}: not an AdvPrune report: format is ${describeValue(format, 40)}, expected '${SINGLE_FORMAT}' or '${SWEEP_FORMAT}'`,
    );
  if (version !== 1)
    throw new ReportFileError(
      `${fileName}: ${format} version ${describeValue(version, 20)} is not supported (this viewer reads version 1)`,
    );
  if (format === SINGLE_FORMAT) {
    const r = experimentReportSchema.safeParse(value);
    if (!r.success) throw firstIssue(fileName, r.error);
    return { kind: 'single', report: r.data };
  }
  const r = sweepReportSchema.safeParse(value);
  if (!r.success) throw firstIssue(fileName, r.error);
  return { kind: 'sweep', report: r.data };
}

/** Parse a report file's text: JSON syntax, depth, format, version, schema. */
export function parseReportText(fileName: string, text: string): ParsedReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ReportFileError(`${fileName}: not valid JSON (${why})`);
  }
  return validateReport(fileName, value);
}
