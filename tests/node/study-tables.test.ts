/**
 * The study tables in docs/experiments.md are the scripts' output on the committed merged reports
 * (scripts/study-table.ts, scripts/protocols-table.ts): a table edited by hand, or a report merged
 * without regenerating its table, fails here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const TSX = path.resolve('node_modules', '.bin', 'tsx');
const doc = readFileSync('docs/experiments.md', 'utf8');

function tableLines(script: string, args: string[]): string[] {
  const out = execFileSync(TSX, [script, ...args], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.startsWith('|'));
}

describe('docs/experiments.md carries the tables its scripts print', () => {
  const cases: [string, string, string[]][] = [
    [
      'study 2 at 90% and 95%',
      'scripts/study-table.ts',
      ['docs/experiments/prune-lenet-robust.sweep.json', '--sparsity', '0.9,0.95'],
    ],
    [
      'study 2 at 50/70/99%',
      'scripts/study-table.ts',
      [
        'docs/experiments/prune-lenet.sweep.json',
        '--sparsity',
        '0.5,0.7,0.99',
        '--compact',
        '--metrics',
        'clean-full,pgd-linf',
      ],
    ],
    [
      'study 1, protocols (live curve)',
      'scripts/protocols-table.ts',
      ['docs/experiments/accelat-protocols.sweep.json'],
    ],
    [
      'study 1, offline protocol on its fixed set',
      'scripts/protocols-table.ts',
      ['docs/experiments/accelat-protocols.sweep.json', '--fixed'],
    ],
  ];
  for (const [name, script, args] of cases)
    it(
      name,
      () => {
        const lines = tableLines(script, args);
        expect(lines.length).toBeGreaterThan(4);
        const missing = lines.filter((l) => !doc.includes(`${l}\n`));
        expect(missing, `regenerate with: npx tsx ${script} ${args.join(' ')}`).toEqual([]);
      },
      60_000,
    );
});
