/**
 * The scaling plots and the "predict your wait" tables (issue 13, item 3):
 *   npm run bench:plots [-- [bench/scaling.json] [--dir docs/benchmarks] [--subtitle text]
 *                          [--docs docs/benchmarks.md]]
 * reads the scaling rows written by `npm run bench -- --tasks scaling` (rows with an `axis`),
 * writes scaling-batch.svg, scaling-images.svg and scaling-model.svg under --dir, and prints the
 * fits (ms ≈ a + b·n) and the predicted epoch times as Markdown; with --docs it also replaces the
 * page's `<!-- generated: scaling-fits -->` block with them. The subtitle of every plot defaults to
 * the load average the run recorded ("load 4.1 on 2 cores"), so a busy run says so.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceGeneratedBlock } from '../src/engine/markdown-table';
import {
  scalingFits,
  scalingMarkdown,
  scalingPlots,
  type ScalingRow,
} from '../src/engine/experiment/scaling';
import type { BenchResults } from './lib/results';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let file = 'bench/scaling.json';
  let dir = 'docs/benchmarks';
  let subtitle: string | undefined;
  let docs: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${f} needs a value`);
      return v;
    };
    if (f === '--dir') dir = value();
    else if (f === '--subtitle') subtitle = value();
    else if (f === '--docs') docs = value();
    else if (f.startsWith('--'))
      throw new Error(`unknown option '${f}' (see bench/scaling-plots.ts)`);
    else file = f;
  }
  const results = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
  const rows: ScalingRow[] = results.rows.filter((r) => r.axis !== undefined);
  if (rows.length === 0)
    throw new Error(`${file} has no scaling rows: run npm run bench -- --tasks scaling first`);
  const m = results.machine as { loadAverage?: number[]; cpus?: number };
  subtitle ??=
    m.loadAverage && m.cpus
      ? `load ${m.loadAverage[0].toFixed(1)} on ${m.cpus} cores, ${results.date.slice(0, 10)}`
      : '';
  await mkdir(dir, { recursive: true });
  for (const p of scalingPlots(rows, subtitle)) {
    await writeFile(path.join(dir, p.file), p.svg);
    process.stderr.write(`wrote ${path.join(dir, p.file)}\n`);
  }
  const md = scalingMarkdown(scalingFits(rows));
  console.log(md);
  if (docs) {
    const page = await readFile(docs, 'utf8');
    await writeFile(docs, replaceGeneratedBlock(page, 'scaling-fits', md));
    process.stderr.write(`updated the scaling-fits block of ${docs}\n`);
  }
}

await main();
