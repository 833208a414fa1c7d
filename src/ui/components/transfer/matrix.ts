/**
 * Method × sparsity matrices of a transfer benchmark report for the heat map, and parsing of the
 * form's sparsity list. A UI copy of transferMatrix in src/engine/eval/transfer-table.ts (that
 * module's error class pulls tfjs into the import chain, so the UI cannot import it).
 */
import type { TransferCell, TransferReport } from '../../../engine/eval/transfer';

/** A figure of a cell that a heat map can show (fractions in [0, 1]). */
export type CellFigure = 'transferRobust' | 'transferAccuracy' | 'whiteBoxRobust' | 'clean';

export interface Matrix {
  /** rows, in first-appearance order */
  methods: string[];
  /** columns, ascending */
  sparsities: number[];
  /** values[row][col] in [0, 1]; null where that method was not run at that sparsity */
  values: (number | null)[][];
}

/** The matrix of `figure` under the attack labelled `attack` (empty if the report has none). */
export function matrixOf(report: TransferReport, attack: string, figure: CellFigure): Matrix {
  const cells = report.cells.filter((c: TransferCell) => c.attack === attack);
  const methods = [...new Set(cells.map((c) => c.method))];
  const sparsities = [...new Set(cells.map((c) => c.sparsity))].sort((a, b) => a - b);
  const values = methods.map(() => sparsities.map((): number | null => null));
  for (const c of cells)
    values[methods.indexOf(c.method)][sparsities.indexOf(c.sparsity)] = c[figure];
  return { methods, sparsities, values };
}

/**
 * Parse a list of sparsities typed as percentages ("50, 80, 90, 95") into sorted, distinct
 * fractions in [0, 1). Returns an error message naming the bad entry instead when one is not a
 * number in [0, 100).
 */
export function parseSparsities(text: string): number[] | string {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.replace(/%$/, ''))
    .filter((p) => p !== '');
  if (parts.length === 0) return 'give at least one sparsity, in percent (e.g. 50, 90)';
  const out = new Set<number>();
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isFinite(v) || v < 0 || v >= 100)
      return `sparsity '${p}' is not a percentage in [0, 100)`;
    out.add(Math.round(v * 100) / 10000);
  }
  return [...out].sort((a, b) => a - b);
}

/** A percentage with one decimal, e.g. 0.9234 → "92.3%". */
export function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}
