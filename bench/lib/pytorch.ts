/**
 * Runs the PyTorch reference (bench/reference/torch_bench.py) when a Python that imports torch
 * is at hand: Debian's /usr/bin/python3 first (where `apt-get install python3-torch` puts it),
 * then `python3` on the PATH. Returns its rows, or none with a note saying why.
 *
 * It runs once per thread count (default 2, then 1) and keeps, per row, the faster run: PyTorch's
 * best configuration. On a busy 2-core machine PyTorch's 2-thread OpenMP barriers can make it
 * 10-20× slower than on 1 thread (e.g. a LeNet step 224 ms vs 10 ms), which would flatter us.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { TorchRow } from './results';

export interface TorchOutput {
  available: boolean;
  note: string;
  /** where the reference ran: 'cpu', or 'cuda' for the comparison with WebGPU on a GPU machine */
  device?: TorchDevice;
  version?: string;
  threads?: number[];
  blas?: string;
  rows: TorchRow[];
}

export type TorchDevice = 'cpu' | 'cuda';

const SCRIPT = path.resolve(import.meta.dirname, '../reference/torch_bench.py');

/** The first interpreter that imports torch, or null. */
export function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

/** One run of the reference with `--json` on `threads` threads; null note on failure. */
function runOnce(
  py: string,
  groups: string[],
  quick: boolean,
  threads: number,
  device: TorchDevice,
): { ok: true; torch: string; blas: string; rows: TorchRow[] } | { ok: false; note: string } {
  const args = [SCRIPT, '--json', '--tasks', groups.join(','), '--threads', String(threads)];
  args.push('--device', device);
  if (quick) args.push('--quick');
  const r = spawnSync(py, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0)
    return {
      ok: false,
      note: `${py} torch_bench.py --threads ${threads} --device ${device} failed (exit ${r.status}${r.status === 3 ? ': no CUDA GPU' : ''})`,
    };
  const j = JSON.parse(r.stdout) as {
    torch: string;
    threads: number;
    blas: string;
    rows: TorchRow[];
  };
  return {
    ok: true,
    torch: j.torch,
    blas: j.blas,
    rows: j.rows.map((row) => ({ ...row, threads: j.threads })),
  };
}

/**
 * Run the reference on each of `threads` (default [2, 1]) and keep each row's faster run;
 * `tasks` are harness task groups (train, pgd-eval, ...); `device` 'cuda' runs it on the GPU.
 */
export function runTorchReference(
  tasks: string[],
  quick: boolean,
  threads: readonly number[] = [2, 1],
  device: TorchDevice = 'cpu',
): TorchOutput {
  const py = findTorchPython();
  if (py === null)
    return {
      available: false,
      note: 'no python3 with torch (try: apt-get install -y python3-torch); pytorch_ms is null',
      rows: [],
    };
  const groups = tasks.filter((t) => ['train', 'pgd-eval', 'anomaly', 'slider'].includes(t));
  if (groups.length === 0) return { available: true, note: 'no task with a reference', rows: [] };
  const best = new Map<string, TorchRow>();
  let torch = '';
  let blas = '';
  for (const t of threads) {
    const r = runOnce(py, groups, quick, t, device);
    if (!r.ok) return { available: false, note: r.note, rows: [] };
    ({ torch, blas } = r);
    for (const row of r.rows) {
      const k = `${row.task}|${row.model}|${row.batch}`;
      const b = best.get(k);
      if (!b || row.median_ms < b.median_ms) best.set(k, row);
    }
  }
  const rows = [...best.values()];
  const count = (t: number) => rows.filter((r) => r.threads === t).length;
  return {
    available: true,
    note: `${py}, torch ${torch} on ${device}, BLAS ${blas}; per row the faster of ${threads.join(' and ')} threads (${threads.map((t) => `${t}: ${count(t)} rows`).join(', ')})`,
    device,
    version: torch,
    threads: [...threads],
    blas,
    rows,
  };
}
