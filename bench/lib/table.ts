/** Plain-text and Markdown tables of the result rows (figures only, never pass/fail). */
import type { MemoryReport, ResultRow } from './results';

const HEAD = ['task', 'model', 'backend', 'batch', 'median ms', 'p95 ms', 'PyTorch ms', 'ratio'];

function cells(r: ResultRow): string[] {
  const f = (v: number | null, d = 1) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(d));
  return [
    r.task,
    r.model,
    r.backend,
    String(r.batch),
    f(r.median_ms),
    f(r.p95_ms),
    f(r.pytorch_ms),
    r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`,
  ];
}

/** Fixed-width table for the terminal. */
export function textTable(rows: readonly ResultRow[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const w = HEAD.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all
    .map((r) => r.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '))
    .join('\n');
}

/** GitHub Markdown table (docs/benchmarks.md). */
export function markdownTable(rows: readonly ResultRow[]): string {
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  return [
    line(HEAD),
    line(HEAD.map((_, i) => (i < 3 ? '---' : '---:'))),
    ...rows.map((r) => line(cells(r))),
  ].join('\n');
}

/** One line per memory report. */
export function memoryLines(m: readonly MemoryReport[]): string {
  return m
    .map(
      (r) =>
        `${r.backend} ${r.model} ${r.task} b${r.batch}: tensors ${r.tensorsBefore} → ${r.tensorsAfter} over ${r.steps} steps, ` +
        `bytes ${r.bytesBefore} → ${r.bytesAfter}; peak rss ${r.peakRssMiB.toFixed(0)} MiB, ` +
        `arrayBuffers ${r.peakArrayBuffersMiB.toFixed(0)} MiB, OS maxRSS ${r.maxRssMiB.toFixed(0)} MiB`,
    )
    .join('\n');
}
