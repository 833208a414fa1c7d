/**
 * `npm run merge -- <out.json> <shard files or folders...>`
 *
 * Combines the shard reports of one sweep (`shard-<i>-of-<N>.json`, written by
 * `npm run experiment -- <sweep config> --shard i/N`; a folder is searched for them, three levels
 * deep) into one sweep report: checks they are shards of the same sweep, refuses a cell reported
 * differently twice, lists the missing cells, recomputes the summary, writes `<out.json>` and
 * prints the summary as markdown. Exit codes: 0 merged, every cell present; 2 bad arguments or
 * shards that do not fit together (also a file over 64 MiB, not JSON, nested too deeply, or not a
 * valid sweep report: each refused before merging); 4 merged, but cells are missing (the report is written).
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  checkShardSize,
  mergeSweepReports,
  parseShardText,
  SweepMergeError,
} from '../engine/experiment/sweep-merge';
import type { SweepReport } from '../engine/experiment/sweep-types';
import { sweepSummaryMarkdown } from './sweep-markdown';
import { runIfMain } from './run-main';

const USAGE = 'usage: npm run merge -- <out.json> <shard-i-of-N.json or folder> [...]';
const SHARD_FILE = /^shard-\d+-of-\d+\.json$/;

/** Shard files in `dir` and its subfolders (depth ≤ 3, skipping cells/), sorted. */
async function findShards(dir: string, depth = 3): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isFile() && SHARD_FILE.test(e.name)) out.push(p);
    else if (e.isDirectory() && depth > 1 && e.name !== 'cells')
      out.push(...(await findShards(p, depth - 1)));
  }
  return out.sort();
}

/** A shard file's size bounded before reading, its JSON parsed and validated (SweepMergeError). */
async function readShard(file: string): Promise<SweepReport> {
  let text: string;
  try {
    checkShardSize(file, (await stat(file)).size);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof SweepMergeError) throw e;
    throw new SweepMergeError(`${file}: cannot read a sweep report: ${(e as Error).message}`);
  }
  return parseShardText(text, file);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [outFile, ...inputs] = argv;
  if (!outFile || inputs.length === 0 || argv.some((a) => a.startsWith('--'))) {
    console.error(USAGE);
    return 2;
  }
  const files: string[] = [];
  for (const i of inputs) {
    try {
      if ((await stat(i)).isDirectory()) {
        const found = await findShards(i);
        if (found.length === 0) throw new Error('no shard-<i>-of-<N>.json in it');
        files.push(...found);
      } else files.push(i);
    } catch (e) {
      console.error(`${i}: ${(e as Error).message}`);
      return 2;
    }
  }
  let merged;
  try {
    const parsed: { source: string; report: unknown }[] = [];
    for (const f of files) parsed.push({ source: f, report: await readShard(f) });
    merged = mergeSweepReports(parsed);
  } catch (e) {
    if (e instanceof SweepMergeError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  await writeFile(outFile, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(sweepSummaryMarkdown(merged));
  console.error(
    `wrote ${outFile}: ${merged.runs.length} of ${merged.cells} cells from ${files.length} shard reports`,
  );
  if (merged.missing.length > 0) {
    console.error(`missing cells: ${merged.missing.join(', ')}`);
    return 4;
  }
  return 0;
}

runIfMain(import.meta.url, main);
