/**
 * `npm run report -- <report.json | sweep.json> [...] [--plots <dir>]`: prints a markdown summary
 * of CLI reports (training curve per epoch, clean and robust accuracy per attack, pruning and
 * transfer tables), the way docs/results.md shows them; for a sweep report (a shard's or a
 * merged one) the summary table (mean ± std over seeds), and with `--plots` its SVG plots
 * (sweep-plots.ts chooses them from the axes; docs/sweeps.md).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExperimentReport } from '../engine/experiment';
import { asSweepReport } from '../engine/experiment/sweep-merge';
import { sweepPlots } from '../engine/experiment/sweep-plots';
import { sweepSummaryMarkdown } from './sweep-markdown';
import { SWEEP_REPORT_FORMAT } from '../engine/experiment/sweep-types';
import { runIfMain } from './run-main';

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`;

export function reportMarkdown(r: ExperimentReport): string {
  const out: string[] = [];
  const env = r.environment;
  out.push(`### ${r.name}`);
  out.push('');
  out.push(
    `${r.model.architecture} (${r.model.params.toLocaleString('en')} parameters, ${r.model.macs.toLocaleString('en')} MACs per image), ` +
      `${r.data.train.toLocaleString('en')} training / ${r.data.val.toLocaleString('en')} validation / ${r.data.test.toLocaleString('en')} test images; ` +
      `backend ${env.backend.name} on ${env.runtime}, ${env.cpus ?? '?'} CPUs; wall time ${(r.wallSeconds / 60).toFixed(1)} min.`,
  );
  out.push('');
  if (r.training) {
    out.push(
      '| epoch | train loss | train clean | train adv | val clean | val PGD | lr | seconds |',
    );
    out.push('|---|---|---|---|---|---|---|---|');
    for (const e of r.training.epochs)
      out.push(
        `| ${e.epoch + 1} | ${e.trainLoss.toFixed(4)} | ${pct(e.trainCleanAcc)} | ${pct(e.trainAdvAcc)} | ${pct(e.valCleanAcc)} | ${pct(e.valAdvAcc)} | ${e.lr.toPrecision(3)} | ${e.wallSec.toFixed(0)} |`,
      );
    out.push('');
    for (const c of r.training.lrChanges)
      out.push(
        `- learning rate ${c.from.toPrecision(3)} → ${c.to.toPrecision(3)} from epoch ${c.epoch + 1}: ${c.reason}`,
      );
    if (r.training.lrChanges.length) out.push('');
  } else out.push(`Model loaded from \`${r.modelSource}\`, not retrained.\n`);
  const ev = r.evaluation;
  out.push(`Evaluation on the first ${ev.n} test images:`);
  out.push('');
  out.push('| attack | settings | robust accuracy |');
  out.push('|---|---|---|');
  out.push(`| none (clean) | | ${pct(ev.cleanAccuracy)} |`);
  for (const a of ev.attacks) {
    const o = a.options;
    const settings = ['eps', 'steps', 'stepSize', 'restarts', 'nQueries']
      .filter((k) => o[k] !== undefined)
      .map(
        (k) => `${k} ${typeof o[k] === 'number' ? +(o[k] as number).toPrecision(4) : String(o[k])}`,
      )
      .join(', ');
    out.push(`| ${a.name} | ${settings} | ${pct(a.robustAccuracy)} |`);
  }
  out.push(`| worst case per sample | | ${pct(ev.worstCaseAccuracy)} |`);
  out.push('');
  if (r.pruning?.length) {
    const names = r.pruning[0].evaluation.attacks.map((a) => a.name);
    out.push(
      `| method | target sparsity | weights removed | params | MACs | clean | ${names.join(' | ')} | worst case |`,
    );
    out.push(`|---|---|---|---|---|---|${names.map(() => '---|').join('')}---|`);
    for (const p of r.pruning) {
      const g = p.sparsityReport.global;
      out.push(
        `| ${p.method} | ${pct(p.sparsity)} | ${pct(g.sparsity)} | ${g.paramsAfter.toLocaleString('en')} | ${g.macsAfter.toLocaleString('en')} | ${pct(p.evaluation.cleanAccuracy)} | ${p.evaluation.attacks.map((a) => pct(a.robustAccuracy)).join(' | ')} | ${pct(p.evaluation.worstCaseAccuracy)} |`,
      );
    }
    out.push('');
  }
  if (r.transfer) {
    out.push(r.transfer.table);
    out.push('');
  }
  return out.join('\n');
}

const USAGE = 'usage: npm run report -- <report.json | sweep.json> [...] [--plots <dir>]';

/** Prints each report's markdown; writes a sweep's plots under `plots` (a folder per file if several). */
export async function main(argv: readonly string[]): Promise<number> {
  const files: string[] = [];
  let plots: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--plots') {
      plots = argv[++i];
      if (!plots) {
        console.error(`--plots needs a folder\n${USAGE}`);
        return 2;
      }
    } else if (argv[i].startsWith('--')) {
      console.error(`unknown option ${argv[i]}\n${USAGE}`);
      return 2;
    } else files.push(argv[i]);
  }
  if (files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  for (const f of files) {
    const r = JSON.parse(await readFile(f, 'utf8')) as { format?: unknown };
    if (r.format === SWEEP_REPORT_FORMAT) {
      const sweep = asSweepReport(r, f);
      console.log(sweepSummaryMarkdown(sweep));
      if (plots === undefined) continue;
      const dir = files.length > 1 ? path.join(plots, path.basename(f, '.json')) : plots;
      await mkdir(dir, { recursive: true });
      for (const p of sweepPlots(sweep)) {
        await writeFile(path.join(dir, p.file), p.svg);
        console.error(`wrote ${path.join(dir, p.file)}: ${p.title}`);
      }
      continue;
    }
    if (r.format !== 'advprune-report') {
      console.error(`${f}: not an AdvPrune Lab report (format ${String(r.format)})`);
      return 2;
    }
    console.log(reportMarkdown(r as ExperimentReport));
  }
  return 0;
}

runIfMain(import.meta.url, main);
