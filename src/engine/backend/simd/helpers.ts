/**
 * Helper threads for our WebAssembly kernels (wasm/kernels.ts): a kernel over a batch is split
 * into tasks (one image each) that the calling thread and the helpers claim from a shared counter
 * until none are left, each with its own scratch, all on tfjs-backend-wasm's shared memory.
 *
 * Why claimed tasks and not a fixed split: whichever thread is free takes the next image, so a
 * thread the OS deschedules for a while (another process, a V8 background thread) slows the job
 * by at most the image it holds. While these helpers exist, tfjs's own XNNPACK pool runs on one
 * thread (initBackend's `xnnpackThreads`): with both pools on a 2-vCPU machine, a quarter of the
 * LeNet standard steps at batch 64 ran XNNPACK's forward kernels ~3× slower (4 instead of
 * 1.35 ms), while the caller's wait for our helper was ~0 (docs/benchmarks.md); our kernels now
 * cover the forward convolution and pooling too, on these threads.
 *
 * Protocol, on a SharedArrayBuffer `control` (Int32 words, then Float64 arguments at byte 64):
 *   SEQ    the job number; the caller bumps it (and wakes sleeping helpers) to start a job
 *   NEXT   (SEQ mod 2^15) << 16 | the next task: claimed with compare-exchange, so a helper that
 *          wakes late never claims a task of a job whose arguments it has not read
 *   DONE   tasks finished; the last one wakes the caller if it sleeps
 *   FN, N, NARGS, FAILED   which export, how many tasks, how many arguments, a helper's error
 *   READY, HELPED          helpers started; tasks helpers ran (`stats()`, for tests)
 *   SLEEPERS, CALLER_SLEEPS  helpers asleep in Atomics.wait, and whether the caller is: a side
 *          notifies only a sleeping one (each side spins a little first; a notify is a system call)
 *   args   three Float64 per argument: base, per task, per thread (argument = base + t·perTask +
 *          tid·perThread; the caller is thread 0, helper i thread i)
 * (simdHelperMain writes these indices as numbers: Node starts it from its source text alone.)
 * A helper runs `simdHelperMain` (self-contained: Node starts it from its source text) and spins,
 * then blocks in Atomics.wait between jobs; the caller spins, then blocks, for the last task (never
 * on the UI thread: the engine runs in a worker, and Node allows it).
 */
import type { WasmMemory } from './runtime';

/** The exports a job may run (indices in the control block). */
export const HELPER_KERNELS = [
  'filterGrad',
  'inputGradCols',
  'inputGrad',
  'gemmRows',
  'conv2d',
  'pool2x2',
  'pool2x2Grad',
] as const;
export type HelperKernel = (typeof HELPER_KERNELS)[number];

const SEQ = 0;
const NEXT = 1;
const DONE = 2;
const FN = 3;
const N = 4;
const NARGS = 5;
const FAILED = 6;
const READY = 7;
const HELPED = 8;
const SLEEPERS = 9;
const CALLER_SLEEPS = 10;
const ARGS_BYTE = 64;
const MAX_ARGS = 20;
export const CONTROL_BYTES = ARGS_BYTE + 3 * MAX_ARGS * 8;
/** how long the caller waits for one task before it reports a stopped helper */
const TASK_TIMEOUT_MS = 10_000;
/** how long the caller spins for the helpers' last tasks before it sleeps */
const CALLER_SPIN_MS = 2;

/** What a helper is sent once, to start. */
export interface HelperInit {
  module: unknown; // WebAssembly.Module of our kernels
  memory: WasmMemory; // tfjs's shared memory
  control: SharedArrayBuffer;
  tid: number;
  names: readonly string[];
}

/** The helper's side of its channel to the thread that started it. */
export interface HelperPort {
  /** call `cb` with the first message */
  onInit(cb: (init: HelperInit) => void): void;
  post(message: unknown): void;
}

/** A started helper, as the caller holds it. */
export interface HelperWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/**
 * Starts one helper thread running `simdHelperMain`. Environment-specific: Node's is
 * src/node/simd-helpers.ts, the app's engine worker starts src/workers/simd-helper.worker.ts.
 */
export type SpawnSimdHelper = () => HelperWorker;

/**
 * A helper thread's body: instantiate the kernels on the shared memory, then run claimed tasks
 * of each job. Self-contained (no imports, no module variables): Node starts it from its source.
 */
export function simdHelperMain(port: HelperPort): void {
  port.onInit((init) => {
    const WA = (globalThis as unknown as { WebAssembly: WasmNamespace }).WebAssembly;
    WA.instantiate(init.module, { env: { memory: init.memory } }).then(
      (instance) => {
        const exports = instance.exports as Record<string, (...a: number[]) => void>;
        const ctrl = new Int32Array(init.control);
        const args = new Float64Array(init.control, 64);
        const tid = init.tid;
        Atomics.add(ctrl, 7, 1);
        port.post('ready');
        let seen = Atomics.load(ctrl, 0);
        for (;;) {
          // the next job comes soon within a training step: spin a little before sleeping (a
          // wake-up costs the caller a system call, 30-50 µs here); SLEEPERS tells the caller
          const until = performance.now() + 0.25;
          let spins = 0;
          while (Atomics.load(ctrl, 0) === seen) {
            if ((++spins & 255) === 0 && performance.now() > until) {
              Atomics.add(ctrl, 9, 1);
              Atomics.wait(ctrl, 0, seen);
              Atomics.sub(ctrl, 9, 1);
            }
          }
          seen = Atomics.load(ctrl, 0);
          const tag = (seen & 0x7fff) << 16;
          for (;;) {
            const cur = Atomics.load(ctrl, 1);
            if ((cur & ~0xffff) !== tag || (cur & 0xffff) >= ctrl[4]) break;
            if (Atomics.compareExchange(ctrl, 1, cur, cur + 1) !== cur) continue;
            const t = cur & 0xffff;
            const n = ctrl[4];
            const a: number[] = [];
            for (let i = 0; i < ctrl[5]; i++)
              a.push(args[3 * i] + t * args[3 * i + 1] + tid * args[3 * i + 2]);
            try {
              exports[init.names[ctrl[3]]](...a);
            } catch {
              Atomics.store(ctrl, 6, 1);
            }
            Atomics.add(ctrl, 8, 1);
            if (Atomics.add(ctrl, 2, 1) + 1 === n && Atomics.load(ctrl, 10) !== 0)
              Atomics.notify(ctrl, 2);
          }
        }
      },
      (e: unknown) => port.post(`failed: ${String(e)}`),
    );
  });
}

interface WasmNamespace {
  instantiate(module: unknown, imports: object): Promise<{ exports: object }>;
}

/** One argument of a job: base + t·perTask + tid·perThread. */
export type JobArg = number | [base: number, perTask: number, perThread: number];

/** The calling thread's side: starts helpers and runs jobs with them. */
export class SimdPool {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly workers: HelperWorker[] = [];
  private seq = 0;

  constructor(
    private readonly exports: Record<string, unknown>,
    module: unknown,
    memory: WasmMemory,
    spawn: SpawnSimdHelper,
    helpers: number,
  ) {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.ctrl = new Int32Array(control);
    this.args = new Float64Array(control, ARGS_BYTE);
    try {
      for (let i = 1; i <= helpers; i++) {
        const w = spawn();
        this.workers.push(w);
        const init: HelperInit = { module, memory, control, tid: i, names: HELPER_KERNELS };
        w.postMessage(init);
      }
    } catch (e) {
      this.terminate(); // the helpers started so far
      throw e;
    }
  }

  /** Threads a job runs on (the caller and its helpers). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Helpers that have started (instantiated the kernels), and the tasks they have run. */
  stats(): { ready: number; helperTasks: number } {
    return { ready: Atomics.load(this.ctrl, READY), helperTasks: Atomics.load(this.ctrl, HELPED) };
  }

  /**
   * Resolves true once every helper has instantiated the kernels, false after `timeoutMs`
   * without (jobs run meanwhile all the same: the calling thread claims every task a helper does
   * not). A helper starts asynchronously: in a browser it is a module worker to fetch and compile.
   */
  async whenReady(timeoutMs: number): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (Atomics.load(this.ctrl, READY) < this.workers.length) {
      if (performance.now() > until) return false;
      await new Promise<void>((r) => setTimeout(r, 5));
    }
    return true;
  }

  /** Run `kernel` as `tasks` tasks on this thread and the helpers; returns when all are done. */
  run(kernel: HelperKernel, tasks: number, args: readonly JobArg[]): void {
    if (tasks <= 0) return;
    if (args.length > MAX_ARGS) throw new Error(`SimdPool: more than ${MAX_ARGS} arguments`);
    const ctrl = this.ctrl;
    const fn = this.exports[kernel] as (...a: number[]) => void;
    if (tasks > 0xffff || this.workers.length === 0) {
      // more tasks than NEXT can count (or no helpers left): all on this thread, same results
      for (let t = 0; t < tasks; t++)
        fn(...args.map((a) => (typeof a === 'number' ? a : a[0] + t * a[1])));
      return;
    }
    args.forEach((a, i) => {
      const [base, perTask, perThread] = typeof a === 'number' ? [a, 0, 0] : a;
      this.args[3 * i] = base;
      this.args[3 * i + 1] = perTask;
      this.args[3 * i + 2] = perThread;
    });
    ctrl[FN] = HELPER_KERNELS.indexOf(kernel);
    ctrl[N] = tasks;
    ctrl[NARGS] = args.length;
    ctrl[FAILED] = 0;
    Atomics.store(ctrl, DONE, 0);
    this.seq = (this.seq + 1) & 0x7fff;
    const tag = this.seq << 16;
    Atomics.store(ctrl, NEXT, tag);
    Atomics.store(ctrl, SEQ, this.seq);
    if (Atomics.load(ctrl, SLEEPERS) !== 0) Atomics.notify(ctrl, SEQ);
    const a = new Array<number>(args.length);
    let error: unknown;
    for (;;) {
      const cur = Atomics.load(ctrl, NEXT);
      if ((cur & 0xffff) >= tasks) break;
      if (Atomics.compareExchange(ctrl, NEXT, cur, cur + 1) !== cur) continue;
      const t = cur & 0xffff;
      for (let i = 0; i < args.length; i++) a[i] = this.args[3 * i] + t * this.args[3 * i + 1];
      // after a failure the remaining tasks are claimed and skipped, so that no helper still runs
      // one of this job's tasks when the error reaches the caller
      if (error === undefined) {
        try {
          fn(...a);
        } catch (e) {
          error = e;
        }
      }
      Atomics.add(ctrl, DONE, 1);
    }
    const start = performance.now();
    let spins = 0;
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= tasks) break;
      if ((++spins & 255) !== 0) continue;
      const waited = performance.now() - start;
      if (waited > TASK_TIMEOUT_MS) {
        // a helper that stopped may still finish a task later: run without helpers from now on
        this.terminate();
        throw new Error(`a helper thread of our WASM kernels did not finish ${kernel}`);
      }
      if (waited > CALLER_SPIN_MS) {
        Atomics.store(ctrl, CALLER_SLEEPS, 1);
        Atomics.wait(ctrl, DONE, done, TASK_TIMEOUT_MS);
        Atomics.store(ctrl, CALLER_SLEEPS, 0);
      }
    }
    if (error !== undefined) throw error;
    if (ctrl[FAILED] !== 0)
      throw new Error(`a helper thread of our WASM kernels failed in ${kernel}`);
  }

  terminate(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/** Whether this thread may block in Atomics.wait (not a browser's UI thread). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
