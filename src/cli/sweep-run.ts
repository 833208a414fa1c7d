/**
 * The sweep half of `npm run experiment`: expands and validates the grid (every cell before any
 * run), runs the cells of one shard (index % N == i) each into `<out>/cells/<index>/`, skips cells
 * whose report.json is already there (a resumed array job), and writes the shard's sweep report
 * `<out>/shard-<i>-of-<N>.json`. A finished cell whose report holds another config is refused
 * (exit 2): the output folder belongs to a different sweep. See docs/sweeps.md.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExperimentConfig, ExperimentReport } from '../engine/experiment';
import { expandSweep, shardIndices, type SweepPlanCell } from '../engine/experiment/sweep';
import { makeSweepReport } from '../engine/experiment/sweep-summary';
import type { SweepCell } from '../engine/experiment/sweep-types';
import type { Args, RunSignal } from './experiment';

type RunOne = (
  config: ExperimentConfig,
  out: string,
  args: Args,
  signal: RunSignal,
) => Promise<{ code: number; report: ExperimentReport }>;

/** A finished report of `cell` in `dir`, null when absent, unreadable or stopped by Ctrl-C. */
async function finished(dir: string, cell: SweepPlanCell): Promise<ExperimentReport | null> {
  let r: ExperimentReport;
  try {
    r = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as ExperimentReport;
  } catch {
    return null;
  }
  if (r?.format !== 'advprune-report' || typeof r.evaluation !== 'object') return null;
  if (JSON.stringify(r.config) !== JSON.stringify(cell.config))
    throw new Error(
      `${path.join(dir, 'report.json')} holds another config than cell ${cell.index} (${cell.config.name}): the sweep changed; use a new --out or delete that folder`,
    );
  const stopped =
    r.training?.status === 'stopped' ||
    (r.pruning ?? []).some((p) => p.fineTune.status === 'stopped');
  return stopped ? null : r;
}

/**
 * Runs shard `args.shard` (default 0/1) of the sweep config `raw` with `runOne` per cell.
 * @returns the exit code: 2 the folder holds another sweep's cells, 1 a cell failed, 3 a cell
 *   did not complete or Ctrl-C stopped the shard, else 0
 * @throws ConfigError when the sweep or any cell is invalid (nothing has run)
 */
export async function runSweep(
  raw: unknown,
  args: Args,
  signal: RunSignal,
  runOne: RunOne,
): Promise<number> {
  const plan = expandSweep(raw, args.config);
  const shard = args.shard ?? { index: 0, count: 1 };
  const indices = shardIndices(plan.cells.length, shard);
  console.error(
    `sweep ${plan.name}: ${plan.cells.length} cells (${plan.axes.map((a) => `${a.name} × ${a.values.length}`).join(', ')}); shard ${shard.index}/${shard.count} runs ${indices.length}`,
  );
  const done = new Map<number, ExperimentReport>();
  try {
    for (const i of indices) {
      const r = await finished(path.join(args.out, 'cells', String(i)), plan.cells[i]);
      if (r) done.set(i, r);
    }
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const runs: SweepCell[] = [];
  let failed = false;
  let incomplete = false;
  for (const [k, i] of indices.entries()) {
    const cell = plan.cells[i];
    const dir = path.join(args.out, 'cells', String(i));
    const prev = done.get(i);
    if (prev) {
      console.log(`cell ${i} (${cell.config.name}): skipped, ${dir}/report.json exists`);
      runs.push({ index: i, params: cell.params, report: prev });
      continue;
    }
    if (signal.aborted) {
      incomplete = true;
      break;
    }
    console.error(`\n[cell ${i}] ${k + 1} of ${indices.length} in this shard: ${cell.config.name}`);
    try {
      const { code, report } = await runOne(cell.config, dir, args, signal);
      runs.push({ index: i, params: cell.params, report });
      if (code !== 0) incomplete = true;
    } catch (e) {
      failed = true;
      console.error(`cell ${i} (${cell.config.name}) failed: ${(e as Error).message}`);
    }
  }
  const report = makeSweepReport(
    {
      name: plan.name,
      axes: plan.axes,
      cells: plan.cells.length,
      target: plan.target,
      settle: plan.settle,
    },
    [shard],
    runs,
  );
  await mkdir(args.out, { recursive: true });
  const file = path.join(args.out, `shard-${shard.index}-of-${shard.count}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  const left = indices.length - runs.length;
  console.log(
    `wrote ${file}: ${runs.length} of ${indices.length} cells of this shard${left ? ` (${left} not finished)` : ''}`,
  );
  return failed ? 1 : incomplete ? 3 : 0;
}
