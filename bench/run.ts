/**
 * The benchmark harness: `npm run bench [-- --quick] [--backends wasm,cpu] [--tasks ...]
 * [--browser] [--no-torch] [--out bench/results.json]` (options: bench/lib/args.ts).
 *
 * Measures, on each Node backend (wasm with N threads, wasm-1thread in a child process, cpu):
 * training steps (standard, FGSM-RS, PGD-7 AT; MLP and LeNet;
 * batch 64 and 128), a PGD-20 evaluation of 1,000 samples, anomaly scoring (activation form,
 * 256 samples, PGD-10), the sparsity-slider update on 1,000 samples, and tensor counts over
 * training steps; then the PyTorch reference (bench/reference/torch_bench.py) on the same tasks,
 * after the Node runs so they do not share the CPU. Prints a table and writes the JSON file:
 * rows `{ task, model, backend, batch, median_ms, p95_ms, pytorch_ms, ratio, runs, ... }` with
 * ratio = ours / PyTorch, a `memory` section, the machine and the targets of issue 5.
 * `--tasks scaling` (opt-in; bench/tasks/scaling.ts) writes its rows, those with an `axis`, to
 * `--scaling-out` (bench/scaling.json) instead, in the same shape: a scaling-only run leaves
 * bench/results.json alone. `npm run bench:plots` draws them (bench/scaling-plots.ts).
 * Figures only: nothing here passes or fails on time.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { format, resolveConfig } from 'prettier';
import { parseArgs, type NodeBackend } from './lib/args';
import { runNodeSuite, type SuiteOutput } from './lib/node-suite';
import { peakMemory } from './lib/measure';
import { runTorchReference } from './lib/pytorch';
import { attachReference, type BenchResults, type ResultRow } from './lib/results';
import { memoryLines, textTable } from './lib/table';
import { checkTargets } from './lib/targets';

const SUITE_MARK = 'SUITE_JSON ';

/**
 * A Node backend's suite in a child process (a process starts tfjs's WASM backend once, with one
 * thread count): `bench/run.ts --suite-only --backends <b>` with this run's options.
 */
function childSuite(b: NodeBackend, argv: readonly string[]): SuiteOutput {
  const keep: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--backends' || argv[i] === '--out') i++;
    else if (argv[i] !== '--browser') keep.push(argv[i]);
  }
  const tsx = path.resolve('node_modules', '.bin', 'tsx');
  const args = [fileURLToPath(import.meta.url), ...keep, '--backends', b, '--suite-only'];
  const r = spawnSync(tsx, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(SUITE_MARK));
  if (r.status !== 0 || line === undefined)
    return {
      rows: [],
      memory: [],
      notes: [
        `${b}: the child process failed (exit ${r.status}, ${r.error?.message ?? 'no output'})`,
      ],
      description: null,
    };
  return JSON.parse(line.slice(SUITE_MARK.length)) as SuiteOutput;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const a = parseArgs(argv);
  if (a.suiteOnly) {
    // the child of childSuite: one backend, printed for the parent
    const out = await runNodeSuite(a.backends[0], a);
    console.log(SUITE_MARK + JSON.stringify(out));
    return;
  }
  const t0 = performance.now();
  const rows: ResultRow[] = [];
  const suites: Record<string, SuiteOutput> = {};
  for (const b of a.backends) {
    process.stderr.write(`backend ${b}${a.quick ? ' (quick)' : ''}\n`);
    suites[b] = b === 'wasm-1thread' ? childSuite(b, argv) : await runNodeSuite(b, a);
    rows.push(...suites[b].rows);
  }
  const browserNotes: string[] = [];
  const browserBackends: Record<string, unknown> = {};
  if (a.browser) {
    const { runBrowserSuite } = await import('./browser');
    const b = await runBrowserSuite(a);
    rows.push(...b.rows);
    browserNotes.push(...b.notes);
    Object.assign(browserBackends, b.descriptions);
  }
  const memory = Object.values(suites).flatMap((s) => s.memory);
  let torch: ReturnType<typeof runTorchReference> = {
    available: false,
    note: 'skipped (--no-torch)',
    rows: [],
  };
  if (a.torch) {
    process.stderr.write('PyTorch reference\n');
    torch = runTorchReference(a.tasks, a.quick, [2, 1], a.torchDevice);
  }
  attachReference(rows, torch.rows);
  peakMemory.sample();
  const scalingRows = rows.filter((r) => r.axis !== undefined);
  const mainRows = rows.filter((r) => r.axis === undefined);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverage: os.loadavg(),
    totalMemGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    tfjs: tf.version_core,
    backends: {
      ...Object.fromEntries(Object.entries(suites).map(([k, s]) => [k, s.description])),
      ...browserBackends,
    },
    notes: [...Object.values(suites).flatMap((s) => s.notes), ...browserNotes],
    wallSeconds: (performance.now() - t0) / 1000,
  };
  const results: BenchResults = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    rows: mainRows,
    memory,
    pytorch: {
      available: torch.available,
      note: torch.note,
      version: torch.version,
      threads: torch.threads,
      device: torch.device,
    },
    targets: checkTargets(mainRows, memory, torch.device ?? 'cpu'),
  };
  // formatted like the repository's other files, so `npm run format:check` stays clean
  const write = async (file: string, data: BenchResults) => {
    const options = (await resolveConfig(file)) ?? {};
    await writeFile(file, await format(JSON.stringify(data), { ...options, parser: 'json' }));
  };
  const wrote: string[] = [];
  if (a.browser || a.tasks.some((t) => t !== 'scaling')) {
    await write(a.out, results);
    wrote.push(a.out);
  }
  if (a.tasks.includes('scaling')) {
    await write(a.scalingOut, { ...results, rows: scalingRows, memory: [], targets: [] });
    wrote.push(a.scalingOut);
  }
  console.log(textTable(rows));
  if (memory.length > 0) console.log(`\nmemory\n${memoryLines(memory)}`);
  console.log(`\nPyTorch: ${torch.note}`);
  for (const n of machine.notes) console.log(`note: ${n}`);
  if (wrote.includes(a.out)) {
    console.log('\ntargets (figures only, never pass/fail)');
    for (const t of results.targets)
      console.log(`  ${t.met === null ? '?' : t.met ? 'met' : 'NOT met'}  ${t.name}: ${t.value}`);
  }
  console.log(`\nwrote ${wrote.join(' and ')} in ${machine.wallSeconds.toFixed(0)} s`);
}

await main();
