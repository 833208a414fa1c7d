/**
 * Method × sparsity matrices of a transfer benchmark report for the heat map (the engine's
 * transferMatrix: transfer-table.ts imports no tfjs), and parsing of the form's sparsity list.
 */
import {
  transferMatrix,
  type TransferFigure,
  type TransferMatrix,
  type TransferReport,
} from '../../workers/protocol';

export type CellFigure = TransferFigure;
export type Matrix = TransferMatrix;

/** The matrix of `figure` under the attack labelled `attack` (empty if the report has none). */
export function matrixOf(report: TransferReport, attack: string, figure: CellFigure): Matrix {
  if (!report.attacks.some((a) => a.label === attack))
    return { methods: [], sparsities: [], values: [] };
  return transferMatrix(report, attack, figure);
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
