/**
 * A study's markdown table from its merged sweep report: `npx tsx scripts/study-table.ts
 * <merged.json> --sparsity 0.9 [--metrics clean-full,pgd-linf,apgd-ce,square,worst-case]
 * [--axis method] [--compact]`. One row per value of `axis` (in the config's order), the
 * pruned variant at that sparsity (its label ends in `@<sparsity>`), each metric as mean ± sample
 * std in % over the cells done, with the number of cells in the first column; a row whose cells
 * are all missing reads "pending". `--compact` prints "clean / PGD-20" pairs instead, for the
 * 50/70/99% table. Regenerates the tables of docs/experiments.md study 2 after a merge.
 */
import { readFileSync } from 'node:fs';

interface Row {
  params: Record<string, string>;
  variant: string;
  metric: string;
  n: number;
  mean: number | null;
  std: number | null;
}
interface Merged {
  axes: { name: string; labels?: string[]; values: unknown[] }[];
  summary: Row[];
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const file = process.argv[2];
if (!file || file.startsWith('--')) {
  console.error('usage: npx tsx scripts/study-table.ts <merged.json> --sparsity 0.9 [...]');
  process.exit(2);
}
const r = JSON.parse(readFileSync(file, 'utf8')) as Merged;
const axis = arg('axis', 'method') as string;
const sparsities = (arg('sparsity', '0.9') as string).split(',').map(Number);
const metrics = (arg('metrics', 'clean-full,pgd-linf,apgd-ce,square,worst-case') as string).split(
  ',',
);
const compact = process.argv.includes('--compact');
const ax = r.axes.find((a) => a.name === axis);
if (!ax) throw new Error(`${file}: no axis '${axis}' (axes: ${r.axes.map((a) => a.name)})`);
const labels = ax.labels ?? ax.values.map(String);

const pct = (v: number) => (100 * v).toFixed(1);
/** column headings of the metrics the studies report */
const HEADINGS: Record<string, string> = {
  'clean-full': 'clean (10,000)',
  clean: 'clean',
  'pgd-linf': 'PGD-20',
  'apgd-ce': 'APGD-CE',
  square: 'Square',
  'worst-case': 'worst case',
};
const heading = (m: string) => HEADINGS[m] ?? m;
const rowHeading = axis === 'method' ? 'criterion' : axis;
function cell(label: string, s: number, metric: string): { text: string; n: number } {
  const row = r.summary.find(
    (x) => x.params[axis] === label && x.variant.endsWith(`@${s}`) && x.metric === metric,
  );
  if (!row || row.mean === null || row.n === 0) return { text: 'pending', n: 0 };
  const text = row.n > 1 ? `${pct(row.mean)} ± ${pct(row.std ?? 0)}` : pct(row.mean);
  return { text, n: row.n };
}

const md = (s: string) => s.replace(/\|/g, '\\|');
if (compact) {
  console.log(
    `| ${rowHeading} | ${sparsities.map((s) => `${pct(s).replace('.0', '')}%: clean/PGD-20`).join(' | ')} |`,
  );
  console.log(`|---|${sparsities.map(() => '---').join('|')}|`);
  for (const l of labels) {
    const parts = sparsities.map((s) => {
      const c = cell(l, s, metrics[0]);
      const p = cell(l, s, metrics[1] ?? 'pgd-linf');
      return c.n === 0 ? 'pending' : `${c.text} / ${p.text} (n=${c.n})`;
    });
    console.log(`| ${md(l)} | ${parts.join(' | ')} |`);
  }
} else {
  for (const s of sparsities) {
    console.log(`| ${rowHeading} (n bases) | ${metrics.map(heading).join(' | ')} |`);
    console.log(`|---|${metrics.map(() => '---').join('|')}|`);
    for (const l of labels) {
      const cells = metrics.map((m) => cell(l, s, m));
      const n = Math.max(...cells.map((c) => c.n));
      console.log(`| ${md(l)} (${n}) | ${cells.map((c) => c.text).join(' | ')} |`);
    }
    console.log('');
  }
}
