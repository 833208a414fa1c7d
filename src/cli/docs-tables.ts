/**
 * The docs tables generated from the catalogs: each is the block between
 * `<!-- generated: ID -->` and `<!-- end generated: ID -->` in its page, rendered from the
 * engine's catalog of that kind, so adding an attack (or architecture, objective, schedule) to
 * its catalog updates the docs. `npm run docs:tables` rewrites the blocks; `--check` lists the
 * stale ones and exits 1 (tests/cli/docs-tables.test.ts does the same check).
 */
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attackTableMarkdown } from '../engine/attacks/docs-table';
import { generatedBlock, replaceGeneratedBlock } from '../engine/markdown-table';
import { architectureTableMarkdown } from '../engine/model/catalog';
import { objectiveTableMarkdown } from '../engine/train/objectives/catalog';
import { scheduleTableMarkdown } from '../engine/train/schedules/catalog';
import { runIfMain } from './run-main';

/** One generated table: the page it sits in (from the repo root), its id and its renderer. */
export interface DocTable {
  page: string;
  id: string;
  render(): string;
}

export const DOC_TABLES: readonly DocTable[] = [
  { page: 'docs/attacks.md', id: 'attacks', render: attackTableMarkdown },
  { page: 'docs/format.md', id: 'architectures', render: architectureTableMarkdown },
  { page: 'docs/training.md', id: 'objectives', render: objectiveTableMarkdown },
  { page: 'docs/training.md', id: 'schedules', render: scheduleTableMarkdown },
];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Each table with the block its page holds now (null: markers missing) and the generated one. */
export async function docTableStates(
  root = ROOT,
): Promise<{ table: DocTable; current: string | null; generated: string }[]> {
  return Promise.all(
    DOC_TABLES.map(async (table) => ({
      table,
      current: generatedBlock(await readFile(path.join(root, table.page), 'utf8'), table.id),
      generated: table.render(),
    })),
  );
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  let stale = 0;
  for (const { table, current, generated } of await docTableStates()) {
    if (current === generated) continue;
    stale++;
    if (check) {
      console.error(`${table.page}: table '${table.id}' is stale (npm run docs:tables)`);
      continue;
    }
    const file = path.join(ROOT, table.page);
    await writeFile(file, replaceGeneratedBlock(await readFile(file, 'utf8'), table.id, generated));
    console.error(`${table.page}: table '${table.id}' rewritten`);
  }
  return check && stale > 0 ? 1 : 0;
}

runIfMain(import.meta.url, main);
