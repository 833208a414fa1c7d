/**
 * Views of a transfer benchmark report (transfer.ts, Vora et al. 2023, arXiv 2308.08160): a
 * markdown table with one row per cell, and a method × sparsity matrix of one figure under one
 * attack for a heat map. Pure functions on plain data.
 */
import { EvalInputError } from './errors';
import type { TransferCell, TransferReport } from './transfer';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => v.toFixed(2);

/**
 * Markdown table: the base's rows first (method 'base', sparsity 0, transfer = its own white-box
 * figure), then one row per cell. Accuracies in percent, params and MACs as integers, ms to 0.01.
 */
export function formatTransferTable(report: TransferReport): string {
  const head =
    '| method | sparsity | attack | clean | transfer acc. | transfer robust | white-box robust | params | MACs | ms |';
  const rule = '|' + ' --- |'.repeat(10);
  const rows: string[] = [head, rule];
  const b = report.base;
  for (const a of b.perAttack)
    rows.push(
      `| base | 0.0% | ${a.attack} | ${pct(b.clean)} | — | ${pct(a.whiteBox)} | ${pct(a.whiteBox)} | ${int(b.params)} | ${int(b.macs)} | ${ms(b.inferenceMs)} |`,
    );
  for (const c of report.cells)
    rows.push(
      `| ${c.method} | ${pct(c.sparsity)} | ${c.attack} | ${pct(c.clean)} | ${pct(c.transferAccuracy)} | ${pct(c.transferRobust)} | ${pct(c.whiteBoxRobust)} | ${int(c.params)} | ${int(c.macs)} | ${ms(c.inferenceMs)} |`,
    );
  return rows.join('\n') + '\n';
}

/** A figure of a cell that a heat map can show. */
export type TransferFigure = 'transferRobust' | 'transferAccuracy' | 'whiteBoxRobust' | 'clean';

export interface TransferMatrix {
  /** rows, in first-appearance order */
  methods: string[];
  /** columns, ascending */
  sparsities: number[];
  /** values[row][col] in [0, 1]; null where that method was not run at that sparsity */
  values: (number | null)[][];
}

/**
 * Method × sparsity matrix of `figure` (default transferRobust) under the attack labelled
 * `attack`. Throws EvalInputError for an attack the report does not hold.
 */
export function transferMatrix(
  report: TransferReport,
  attack: string,
  figure: TransferFigure = 'transferRobust',
): TransferMatrix {
  if (!report.attacks.some((a) => a.label === attack))
    throw new EvalInputError(
      `the report has no attack '${attack}' (has: ${report.attacks.map((a) => a.label).join(', ')})`,
    );
  const cells = report.cells.filter((c: TransferCell) => c.attack === attack);
  const methods = [...new Set(cells.map((c) => c.method))];
  const sparsities = [...new Set(cells.map((c) => c.sparsity))].sort((a, b) => a - b);
  const values = methods.map(() => sparsities.map((): number | null => null));
  for (const c of cells)
    values[methods.indexOf(c.method)][sparsities.indexOf(c.sparsity)] = c[figure];
  return { methods, sparsities, values };
}
