/**
 * Study 1's protocol table (issue 17) from the merged sweep report of
 * configs/studies/accelat-protocols.json: `npx tsx scripts/protocols-table.ts <merged.json>`.
 * One row per (model, protocol, schedule) in the config's order: clean, PGD-20 and worst case on
 * the test set, epochs and seconds to settle on the live validation PGD-10 curve, the speed-up
 * against the constant schedule (epochs, per seed), the epochs to hold the constant schedule's own
 * level and the speed-up to it, and the learning-rate cuts per run, each as
 * mean ± sample std over the seeds done (n); "(k of n)" where only k seeds got there, "—" where
 * none did, "pending" where no cell ran.
 * `--fixed` prints instead the offline protocol's table read on the curve AccelAT watches there,
 * the fixed adversarial validation set (the `-fixed` metrics), with each seed's speed-up to the
 * constant schedule's level listed beside the mean.
 */
import { readFileSync } from 'node:fs';
import { settleRows } from '../src/engine/experiment/sweep-summary';
import type { SweepReport } from '../src/engine/experiment/sweep-types';

interface Row {
  params: Record<string, string>;
  metric: string;
  n: number;
  mean: number | null;
  std: number | null;
}
interface Run {
  index: number;
  params: Record<string, string>;
  report: { training?: { lrChanges?: unknown[] } };
}
interface Merged {
  axes: { name: string; labels?: string[]; values: unknown[] }[];
  summary: Row[];
  runs: Run[];
  settle?: { axis: string; margin: number; baseline?: string };
}

const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx scripts/protocols-table.ts <merged.json>');
  process.exit(2);
}
const r = JSON.parse(readFileSync(file, 'utf8')) as Merged;
const labels = (name: string) => {
  const a = r.axes.find((x) => x.name === name);
  if (!a) throw new Error(`${file}: no axis '${name}'`);
  return a.labels ?? a.values.map(String);
};
const same = (p: Record<string, string>, q: Record<string, string>) =>
  Object.entries(q).every(([k, v]) => p[k] === v);

function fmt(mean: number, std: number, n: number, percent: boolean, digits = 1): string {
  const k = percent ? 100 : 1;
  const m = (mean * k).toFixed(digits);
  return n > 1 ? `${m} ± ${(std * k).toFixed(digits)}` : m;
}
function metric(q: Record<string, string>, name: string, percent: boolean, digits = 1): string {
  const row = r.summary.find((x) => x.metric === name && same(x.params, q));
  if (!row || row.n === 0 || row.mean === null) return '—';
  return fmt(row.mean, row.std ?? 0, row.n, percent, digits);
}

/** ' (k of n)' when only k of the n seeds run got a figure (the others never got there). */
function partial(q: Record<string, string>, name: string, n: number): string {
  const row = r.summary.find((x) => x.metric === name && same(x.params, q));
  return row && row.n > 0 && row.n < n ? ` (${row.n} of ${n})` : '';
}

if (process.argv.includes('--fixed')) fixedTable();
else liveTable();

function liveTable(): void {
  console.log(
    "| model | protocol | schedule | n | clean | PGD-20 | worst case | epochs to settle | speed-up vs constant (epochs) | seconds to settle | epochs to constant's level | speed-up to it | lr cuts |",
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const model of labels('model'))
    for (const protocol of labels('protocol'))
      for (const schedule of labels('schedule')) {
        const q = { model, protocol, schedule };
        const runs = r.runs.filter((x) => same(x.params, q));
        if (runs.length === 0) {
          console.log(
            `| ${model} | ${protocol} | ${schedule} | 0 | pending |  |  |  |  |  |  |  |  |`,
          );
          continue;
        }
        const cuts = runs.map((x) => x.report.training?.lrChanges?.length ?? 0);
        console.log(
          `| ${model} | ${protocol} | ${schedule} | ${runs.length} | ${metric(q, 'clean', true)} | ${metric(q, 'pgd-linf', true)} | ${metric(q, 'worst-case', true)} | ${metric(q, 'epochs-to-settle', false)}${partial(q, 'epochs-to-settle', runs.length)} | ${metric(q, 'speedup-epochs', false, 2)} | ${metric(q, 'seconds-to-settle', false, 0)} | ${metric(q, 'epochs-to-baseline', false)}${partial(q, 'epochs-to-baseline', runs.length)} | ${metric(q, 'speedup-to-baseline', false, 2)} | ${schedule === 'one-cycle' ? '— (cyclic)' : `${Math.min(...cuts)}–${Math.max(...cuts)}`} |`,
        );
      }
}

/** The offline protocol on its fixed adversarial validation set, with per-seed speed-ups. */
function fixedTable(): void {
  if (!r.settle) throw new Error(`${file}: the report has no settle rule`);
  const perCell = settleRows(
    r.runs as unknown as SweepReport['runs'],
    r.settle as NonNullable<SweepReport['settle']>,
  );
  const seedsOf = (q: Record<string, string>, name: string) =>
    r.runs
      .filter((x) => same(x.params, q))
      .map((x) => perCell.get(x.index)?.find((m) => m.metric === name)?.value ?? NaN)
      .map((v) => (Number.isFinite(v) ? v.toFixed(1) : '—'))
      .join(', ');
  console.log(
    "| model | schedule | n | epochs to settle | seconds to settle | epochs to constant's level | speed-up to it | per seed |",
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const model of labels('model'))
    for (const schedule of labels('schedule')) {
      const q = { model, protocol: 'offline', schedule };
      const runs = r.runs.filter((x) => same(x.params, q));
      if (runs.length === 0) {
        console.log(`| ${model} | ${schedule} | 0 | pending |  |  |  |  |`);
        continue;
      }
      console.log(
        `| ${model} | ${schedule} | ${runs.length} | ${metric(q, 'epochs-to-settle-fixed', false)}${partial(q, 'epochs-to-settle-fixed', runs.length)} | ${metric(q, 'seconds-to-settle-fixed', false, 0)} | ${metric(q, 'epochs-to-baseline-fixed', false)}${partial(q, 'epochs-to-baseline-fixed', runs.length)} | ${metric(q, 'speedup-to-baseline-fixed', false, 2)} | ${seedsOf(q, 'speedup-to-baseline-fixed')} |`,
      );
    }
}
