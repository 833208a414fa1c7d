/**
 * The benchmark's result rows and the JSON file they go to.
 * One row per measurement: `ratio` = ours / PyTorch's median (null where PyTorch has no matching
 * row, or did not run). `batch`: images per step or per attack/forward batch; `samples`: images
 * per measured call where a call covers more than one batch (evaluation, scoring, slider).
 */
import type { ScalingRow } from '../../src/engine/experiment/scaling';

export interface ResultRow extends ScalingRow {
  pytorch_ms: number | null;
  ratio: number | null;
  /** threads of the PyTorch run behind pytorch_ms (the faster of 2 and 1) */
  pytorch_threads?: number;
  /** timed runs behind median and p95 */
  runs: number;
  samples?: number;
  /**
   * white-box slider rows: the mean number of clean-correct images the attack ran on per move
   * (a white-box figure over a handful of images would flatter the latency; see targets.ts)
   */
  attacked?: number;
  note?: string;
  // task, model, backend, batch, median_ms, p95_ms and the scaling rows' axis, x (the work on
  // the axis: batch, images, or MACs per image), params and macs: ScalingRow
  // (src/engine/experiment/scaling.ts; scaling rows go to bench/scaling.json)
}

/** A row from a timing (pytorch_ms and ratio null until the reference is attached). */
export function benchRow(
  task: string,
  model: string,
  backend: string,
  batch: number,
  t: { median: number; p95: number; runs: number },
  extra: Partial<ResultRow> = {},
): ResultRow {
  return {
    task,
    model,
    backend,
    batch,
    median_ms: t.median,
    p95_ms: t.p95,
    pytorch_ms: null,
    ratio: null,
    runs: t.runs,
    ...extra,
  };
}

/** A PyTorch reference row (bench/reference/torch_bench.py). */
export interface TorchRow {
  task: string;
  model: string;
  batch: number;
  median_ms: number;
  p95_ms: number;
  runs: number;
  /** torch.set_num_threads of the run this row comes from (the faster of the runs) */
  threads?: number;
}

export interface MemoryReport {
  backend: string;
  model: string;
  task: string;
  batch: number;
  steps: number;
  tensorsBefore: number;
  tensorsAfter: number;
  /** tf.memory().numBytes before / after, bytes */
  bytesBefore: number;
  bytesAfter: number;
  /** the largest rss / arrayBuffers seen while benchmarking, MiB */
  peakRssMiB: number;
  peakArrayBuffersMiB: number;
  /** process.resourceUsage().maxRSS at the end of the run, MiB (the OS's peak) */
  maxRssMiB: number;
}

export interface BenchResults {
  date: string;
  command: string;
  machine: Record<string, unknown>;
  rows: ResultRow[];
  memory: MemoryReport[];
  pytorch: {
    available: boolean;
    note: string;
    version?: string;
    threads?: number[];
    /** where the reference ran ('cuda': the ratios compare with PyTorch on the GPU) */
    device?: 'cpu' | 'cuda';
  };
  targets: { name: string; value: string; met: boolean | null }[];
}

/**
 * Fill pytorch_ms and ratio from the reference rows matching on (task, model, batch). The slider
 * rows match on (task, model) alone: a slider move covers the same 1,000 samples whatever the
 * forward batch (ours sweeps in batches of 500, the reference in batches of 250).
 */
export function attachReference(rows: ResultRow[], ref: readonly TorchRow[]): void {
  for (const r of rows) {
    const m =
      ref.find((t) => t.task === r.task && t.model === r.model && t.batch === r.batch) ??
      (r.task.startsWith('slider-')
        ? ref.find((t) => t.task === r.task && t.model === r.model)
        : undefined);
    r.pytorch_ms = m ? m.median_ms : null;
    if (m?.threads !== undefined) r.pytorch_threads = m.threads;
    r.ratio = m && m.median_ms > 0 ? r.median_ms / m.median_ms : null;
  }
}
