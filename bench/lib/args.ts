/**
 * Command-line options of the benchmark harness (`npm run bench -- [options]`):
 *   --quick             fewer repeats, fewer memory steps, cpu backend on the cheap tasks only
 *   --backends a,b      Node backends to measure: wasm (threaded, see --threads), wasm-1thread (in
 *                       a child process: a process starts WASM once), cpu (default: all three)
 *   --threads N         threads of the `wasm` rows (default: the logical cores, at most 4)
 *   --xnnpack-threads N threads of tfjs's XNNPACK pool in the `wasm` rows (default: initBackend's,
 *                       1 while our kernels have helper threads; for A/B runs)
 *   --tasks a,b         task groups: train, pgd-eval, anomaly, slider, memory, scaling (default:
 *                       all but scaling, which is opt-in: several minutes more, see
 *                       bench/tasks/scaling.ts; its rows go to --scaling-out, not --out)
 *   --browser           also run the benchmark in Chromium (see bench/browser.ts): the --tasks
 *                       groups it has (train, pgd-eval, slider)
 *   --browser-backends a,b  Chromium backends (default: all): webgpu, webgl, wasm, wasm-1thread,
 *                       cpu
 *   --no-torch          skip the PyTorch reference
 *   --torch-device d    where the PyTorch reference runs: cpu (default) or cuda (a GPU machine:
 *                       the ratios then compare with PyTorch on the GPU, for the WebGPU rows)
 *   --out path          where to write the JSON results (default bench/results.json; not written
 *                       when scaling is the only task group)
 *   --scaling-out path  where the scaling rows go (default bench/scaling.json)
 * Pure parsing: no side effects; throws an Error naming the bad option.
 */
export const TASK_GROUPS = ['train', 'pgd-eval', 'anomaly', 'slider', 'memory', 'scaling'] as const;
export type TaskGroup = (typeof TASK_GROUPS)[number];
/** the groups a run without --tasks measures (scaling is opt-in) */
export const DEFAULT_TASKS: readonly TaskGroup[] = TASK_GROUPS.filter((t) => t !== 'scaling');
export const NODE_BACKENDS = ['wasm', 'wasm-1thread', 'cpu'] as const;
export const BROWSER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'wasm-1thread', 'cpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];
/** the task groups the browser suite has (bench/browser/bench-core.ts) */
export const BROWSER_TASKS = ['train', 'pgd-eval', 'slider'] as const;
export type BrowserTask = (typeof BROWSER_TASKS)[number];
export type NodeBackend = (typeof NODE_BACKENDS)[number];

export interface BenchArgs {
  quick: boolean;
  backends: NodeBackend[];
  tasks: TaskGroup[];
  /** whether --tasks was given (then the cpu backend runs every listed task, however slow) */
  tasksExplicit: boolean;
  browser: boolean;
  /** Chromium backends of --browser */
  browserBackends: BrowserBackend[];
  torch: boolean;
  out: string;
  /** where the scaling rows go */
  scalingOut: string;
  /** where the PyTorch reference runs */
  torchDevice: 'cpu' | 'cuda';
  /** threads of the `wasm` rows; undefined: defaultNodeWasmThreads() */
  threads?: number;
  /** threads of XNNPACK's pool in the `wasm` rows; undefined: initBackend's default */
  xnnpackThreads?: number;
  /** internal: run one Node backend's suite and print it as JSON (the wasm-1thread child) */
  suiteOnly: boolean;
}

function list<T extends string>(raw: string, allowed: readonly T[], flag: string): T[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const it of items)
    if (!allowed.includes(it as T))
      throw new Error(`${flag}: unknown '${it}', expected some of ${allowed.join(', ')}`);
  if (items.length === 0) throw new Error(`${flag}: empty list`);
  return items as T[];
}

/** Parse `argv` (without the node and script entries). */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = {
    quick: false,
    backends: [...NODE_BACKENDS],
    tasks: [...DEFAULT_TASKS],
    tasksExplicit: false,
    browser: false,
    browserBackends: [...BROWSER_BACKENDS],
    torch: true,
    out: 'bench/results.json',
    scalingOut: 'bench/scaling.json',
    torchDevice: 'cpu',
    suiteOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${f} needs a value`);
      return v;
    };
    if (f === '--quick') a.quick = true;
    else if (f === '--browser') a.browser = true;
    else if (f === '--browser-backends') a.browserBackends = list(value(), BROWSER_BACKENDS, f);
    else if (f === '--no-torch') a.torch = false;
    else if (f === '--backends') a.backends = list(value(), NODE_BACKENDS, f);
    else if (f === '--tasks') {
      a.tasks = list(value(), TASK_GROUPS, f);
      a.tasksExplicit = true;
    } else if (f === '--out') a.out = value();
    else if (f === '--scaling-out') a.scalingOut = value();
    else if (f === '--threads') {
      const v = value();
      a.threads = Number(v);
      if (!/^\d+$/.test(v) || a.threads < 1 || a.threads > 64)
        throw new Error(`--threads: an integer from 1 to 64, got '${v}'`);
    } else if (f === '--xnnpack-threads') {
      const v = value();
      a.xnnpackThreads = Number(v);
      if (!/^\d+$/.test(v) || a.xnnpackThreads < 1 || a.xnnpackThreads > 64)
        throw new Error(`--xnnpack-threads: an integer from 1 to 64, got '${v}'`);
    } else if (f === '--suite-only') a.suiteOnly = true;
    else if (f === '--torch-device') {
      const v = value();
      if (v !== 'cpu' && v !== 'cuda') throw new Error(`--torch-device: cpu or cuda, got '${v}'`);
      a.torchDevice = v;
    } else throw new Error(`unknown option '${f}' (see bench/lib/args.ts)`);
  }
  return a;
}
