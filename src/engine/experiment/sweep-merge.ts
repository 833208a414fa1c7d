/**
 * Merging the shard reports of one sweep (`npm run merge`): the shards must describe the same
 * sweep (name, axes with their values and labels, cell count, target); every run's params must be
 * those of its grid index; a cell reported twice must be reported identically (the same shard
 * file given twice is fine, two different runs of one cell are refused). The merged report lists
 * the cells still missing and recomputes the summary. Pure: the caller reads the files.
 */
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

/** Checks that `value` looks like a sweep report (format, version, the arrays it needs). */
export function asSweepReport(value: unknown, source: string): SweepReport {
  const r = value as Partial<SweepReport> | null;
  if (typeof r !== 'object' || r === null || r.format !== SWEEP_REPORT_FORMAT)
    throw new SweepMergeError(`${source}: not a sweep report (format '${String(r?.format)}')`);
  if (r.version !== SWEEP_REPORT_VERSION)
    throw new SweepMergeError(`${source}: sweep report version ${String(r.version)} unsupported`);
  if (
    typeof r.name !== 'string' ||
    !Array.isArray(r.axes) ||
    !Array.isArray(r.runs) ||
    !Array.isArray(r.shards) ||
    !Number.isInteger(r.cells)
  )
    throw new SweepMergeError(`${source}: sweep report lacks name, axes, cells, shards or runs`);
  return r as SweepReport;
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
    if (JSON.stringify(r.axes) !== axesJson)
      throw new SweepMergeError(
        `${source} and ${first.source} are not shards of the same sweep: their axes (names, paths, values or labels) differ`,
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
    { name: first.r.name, axes: first.r.axes, cells: first.r.cells, target: first.r.target },
    [...shards.values()],
    [...runs.values()].map((v) => v.cell),
    seedAxis,
  );
}
