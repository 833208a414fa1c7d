/**
 * Seeds of the report fuzzers: the committed CLI reports in docs/results, trimmed so that one
 * mutation, one parse and one check take about a millisecond (at most 3 epochs, 2 learning-rate
 * changes, 2 pruned variants with 2 fine-tuning epochs each, 6 transfer cells; the smallest
 * report is also kept whole); a sweep report built from them by the viewer's test fixture
 * (tests/ui/report-fixtures.ts); and shard reports of a 2 seeds × 2 learning rates grid as the CLI
 * writes them (makeSweepReport over cells whose params are their grid coordinates; their cells
 * trimmed further, to one pruned variant, to keep a merge of three shards fast). Each trimmed
 * report is still a valid report (the fuzz tests assert that the seeds are accepted).
 */
import type { ExperimentReport } from '@/engine/experiment/report';
import { cellParams } from '@/engine/experiment/sweep';
import { makeSweepReport } from '@/engine/experiment/sweep-summary';
import type { SweepAxis, SweepReport } from '@/engine/experiment/sweep-types';
import { committedReports, sweepOf } from '../ui/report-fixtures';

/**
 * A copy of `r` with its lists cut to a few items (still a valid report): at most `n + 1`
 * epochs, 2 learning-rate changes, `n` pruned variants with 2 fine-tuning epochs, `3n` transfer
 * cells.
 */
export function trimReport(r: ExperimentReport, n = 2): ExperimentReport {
  const t = structuredClone(r);
  if (t.training) {
    t.training.epochs = t.training.epochs.slice(0, n + 1);
    t.training.lrChanges = t.training.lrChanges.slice(0, 2);
  }
  if (t.pruning) {
    t.pruning = t.pruning.slice(0, n);
    for (const p of t.pruning) p.fineTune.epochs = p.fineTune.epochs.slice(0, 2);
  }
  if (t.transfer) {
    t.transfer.cells = t.transfer.cells.slice(0, 3 * n);
    t.transfer.table = t.transfer.table.split('\n').slice(0, 4).join('\n');
  }
  return t;
}

/** The committed reports, trimmed, plus the smallest one whole. */
export function singleReportSeeds(): ExperimentReport[] {
  const all = committedReports().map((c) => JSON.parse(c.text) as ExperimentReport);
  const smallest = committedReports().sort((a, b) => a.text.length - b.text.length)[0];
  return [...all.map(trimReport), JSON.parse(smallest.text) as ExperimentReport];
}

/** The sweep grid of the shard seeds: seed × lr, 4 cells, row-major (seed slowest). */
export const SHARD_AXES: SweepAxis[] = [
  { name: 'seed', path: 'seed,train.seed', values: [0, 1], labels: [0, 1] },
  { name: 'lr', path: 'train.schedule.lr', values: [0.01, 0.003], labels: [0.01, 0.003] },
];
/** The epochs-to-target threshold of the shard seeds (validation adversarial accuracy). */
export const SHARD_TARGET = 0.5;

/**
 * Shard reports of one sweep as `npm run experiment -- <sweep> --shard i/2` writes them: shard 0
 * holds cells 0 and 2, shard 1 cells 1 and 3 (each cell a trimmed committed report), plus a
 * 1-shard report of the whole grid; all share name, axes, cell count and target.
 */
export function shardSeeds(): SweepReport[] {
  const reports = committedReports().map((c) =>
    trimReport(JSON.parse(c.text) as ExperimentReport, 1),
  );
  const sweep = { name: 'fuzz-sweep', axes: SHARD_AXES, cells: 4, target: SHARD_TARGET };
  const cell = (i: number) => ({
    index: i,
    params: cellParams(SHARD_AXES, i),
    report: reports[i % reports.length],
  });
  return [
    makeSweepReport(sweep, [{ index: 0, count: 2 }], [cell(0), cell(2)]),
    makeSweepReport(sweep, [{ index: 1, count: 2 }], [cell(1), cell(3)]),
    makeSweepReport(sweep, [{ index: 0, count: 1 }], [0, 1, 2, 3].map(cell)),
  ];
}

/** Sweep reports for the viewer: the fixture's seed sweep (with a missing cell) and the shards. */
export function sweepReportSeeds(): SweepReport[] {
  const singles = singleReportSeeds();
  return [sweepOf('fuzz-seeds', [singles[0], singles[1]], 1), ...shardSeeds()];
}
