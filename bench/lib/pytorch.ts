/**
 * Runs the PyTorch reference (bench/reference/torch_bench.py) when a Python that imports torch
 * is at hand: Debian's /usr/bin/python3 first (where `apt-get install python3-torch` puts it),
 * then `python3` on the PATH. Returns its rows, or none with a note saying why.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { TorchRow } from './results';

export interface TorchOutput {
  available: boolean;
  note: string;
  version?: string;
  threads?: number;
  blas?: string;
  rows: TorchRow[];
}

const SCRIPT = path.resolve(import.meta.dirname, '../reference/torch_bench.py');

/** The first interpreter that imports torch, or null. */
export function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

/** Run the reference with `--json`; `tasks` are harness task groups (train, pgd-eval, ...). */
export function runTorchReference(tasks: string[], quick: boolean, threads = 2): TorchOutput {
  const py = findTorchPython();
  if (py === null)
    return {
      available: false,
      note: 'no python3 with torch (try: apt-get install -y python3-torch); pytorch_ms is null',
      rows: [],
    };
  const groups = tasks.filter((t) => ['train', 'pgd-eval', 'anomaly', 'slider'].includes(t));
  if (groups.length === 0) return { available: true, note: 'no task with a reference', rows: [] };
  const args = [SCRIPT, '--json', '--tasks', groups.join(','), '--threads', String(threads)];
  if (quick) args.push('--quick');
  const r = spawnSync(py, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0)
    return { available: false, note: `${py} torch_bench.py failed (exit ${r.status})`, rows: [] };
  const j = JSON.parse(r.stdout) as {
    torch: string;
    threads: number;
    blas: string;
    rows: TorchRow[];
  };
  return {
    available: true,
    note: `${py}, torch ${j.torch}, ${j.threads} threads, BLAS ${j.blas}`,
    version: j.torch,
    threads: j.threads,
    blas: j.blas,
    rows: j.rows,
  };
}
