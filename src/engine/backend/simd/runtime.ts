/**
 * Runs our WebAssembly SIMD kernels (wasm/kernels.ts, compiled into ./kernels-wasm.ts: the forward
 * convolution and 2×2 max pooling, the two gradients of a convolution, the 2×2 max-pooling
 * gradient, bias sums, the ReLU gradient, softmax cross-entropy, the SGD step, the update's
 * finiteness guard, matrix products) on tfjs-backend-wasm's own memory. `attachSimdKernels(backend)`
 * instantiates them with the backend's memory as their `env.memory` (the shared build for tfjs's
 * threaded binary, the other for its single-threaded one), so a kernel reads and writes tensors
 * where they lie: no copies.
 *
 * Threads: with tfjs's threaded build and a helper spawner (initBackend's `simdHelpers`), the
 * kernels over a batch (convolutions and their gradients, pooling and its gradient, matrix
 * products from 0.5M multiply-adds) split it into tasks (images, blocks of rows) that the calling
 * thread and `threads − 1` helper threads claim (./helpers.ts), and XNNPACK's own pool keeps one
 * thread; the other kernels run on the calling thread. (A first try split conv1's input gradient
 * in two fixed halves and gained nothing while XNNPACK's pool had two threads too.)
 *
 * Kernels call `simdKernels(backend)` (../kernels/simd-overrides.ts, max-pool-grad.ts) or
 * `requireSimdKernels` (../kernels/compose.ts: our own kernels softmax-ce.ts, sgd-update.ts) and
 * fall back to tfjs's kernels, or are not used, where the code is not attached to that backend.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { SimdPool, canBlock, type SpawnSimdHelper } from './helpers';
import { KERNELS_WASM_SHARED, KERNELS_WASM_UNSHARED } from './kernels-wasm';

/**
 * The WebAssembly API as used here. The engine compiles without the DOM library (see
 * src/engine/platform.d.ts), and Node's types do not declare WebAssembly, so it is typed locally.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  compile(bytes: Uint8Array<ArrayBuffer>): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: object }>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernels' exports (wasm/kernels.ts); pointers are byte offsets into the memory. */
export interface ConvExports {
  flipFilter(w: number, wf: number, kh: number, kw: number, cin: number, c: number): void;
  inputGrad(...args: number[]): void;
  filterGrad(...args: number[]): void;
  pool2x2Grad(x: number, dy: number, dx: number, b: number, h: number, w: number, c: number): void;
  pool2x2(x: number, y: number, b: number, h: number, w: number, c: number): void;
  colSum(x: number, y: number, rows: number, c: number): void;
  reluGrad(dy: number, y: number, dz: number, n: number): void;
  softmaxCE(z: number, y: number, loss: number, b: number, k: number): void;
  softmaxCEGrad(z: number, y: number, dloss: number, dz: number, b: number, k: number): void;
  sgdUpdate(...args: number[]): void;
  allFinite(p: number, n: number): number;
  gemm(...args: number[]): void;
  gemmRows(...args: number[]): void;
  inputGradCols(...args: number[]): void;
  transposeInto(w: number, wt: number, rows: number, cols: number): void;
  sumRows(parts: number, out: number, rows: number, n: number): void;
  padColumns(w: number, w8: number, rows: number, c: number, c8: number): void;
  conv2d(...args: number[]): void;
}

/** Our SIMD kernels failed on a call (out of WASM memory, a tensor without WASM data). */
export class SimdKernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimdKernelError';
  }
}

/** The parts of tfjs-backend-wasm's BackendWasm (4.22) this module uses. */
export interface WasmBackendLike {
  wasm: {
    wasmMemory?: WasmMemory;
    asm?: { memory?: WasmMemory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

/** Our kernels, attached to one backend. */
export interface SimdKernels {
  readonly backend: WasmBackendLike;
  readonly exports: ConvExports;
  /** tfjs's memory (read its `buffer` afresh: it changes when the memory grows) */
  readonly memory: WasmMemory;
  /** `bytes` of scratch from tfjs's heap and the function that frees them */
  alloc(bytes: number): [number, () => void];
  /** the byte offset of a tensor's data */
  offset(info: TensorInfo): number;
  /** helper threads for kernels over a batch (./helpers.ts), where started */
  readonly pool?: SimdPool;
}

/** How `attachSimdKernels` starts helper threads (shared memory only). */
export interface SimdHelperOptions {
  /** helper threads besides the calling one (0: none) */
  helpers: number;
  spawn: SpawnSimdHelper;
}

let attached: SimdKernels | undefined;

/** How long `attachSimdKernels` waits for its helper threads to start. */
const HELPER_START_MS = 10_000;

/** The kernels attached to `backend`, or undefined (not attached, or attached to another). */
export function simdKernels(backend: unknown): SimdKernels | undefined {
  return attached !== undefined && attached.backend === backend ? attached : undefined;
}

/** What the last attach or detach did, for describeBackend: on, or why not. */
export interface SimdKernelStatus {
  attached: boolean;
  /** threads our batch kernels run on (the calling one and its helpers), when attached */
  threads?: number;
  note?: string;
}

let status: SimdKernelStatus = { attached: false, note: 'the WASM backend has not started' };

export function simdKernelStatus(): SimdKernelStatus {
  return status;
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * Instantiate the kernels on `backend`'s memory (tfjs-backend-wasm's BackendWasm). Never throws:
 * where that memory is not found or the module does not instantiate, the kernels stay detached
 * (tfjs's run) and the status says why.
 */
export async function attachSimdKernels(
  backendIn: unknown,
  helpers?: SimdHelperOptions,
): Promise<SimdKernelStatus> {
  const live = attached;
  if (
    live !== undefined &&
    live.backend === backendIn &&
    (live.pool?.threads ?? 1) === 1 + (helpers?.helpers ?? 0)
  )
    return status;
  detachSimdKernels();
  const backend = backendIn as Partial<WasmBackendLike>;
  const memory = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
  if (
    backend.wasm === undefined ||
    backend.dataIdMap === undefined ||
    !(memory instanceof WA.Memory)
  ) {
    status = {
      attached: false,
      note: "tfjs-backend-wasm's memory was not found (another version?)",
    };
    return status;
  }
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  try {
    const bytes = decode(shared ? KERNELS_WASM_SHARED : KERNELS_WASM_UNSHARED);
    const module = await WA.compile(bytes);
    const instance = await WA.instantiate(module, { env: { memory } });
    // a plain copy of the exports object (which WebAssembly freezes), so tests can spy on calls
    const exports = { ...(instance.exports as ConvExports) };
    let pool: SimdPool | undefined;
    let spawnError: string | undefined;
    if (shared && helpers !== undefined && helpers.helpers > 0 && canBlock()) {
      try {
        pool = new SimdPool(
          exports as unknown as Record<string, unknown>,
          module,
          memory,
          helpers.spawn,
          helpers.helpers,
        );
      } catch (e) {
        // e.g. a Content-Security-Policy without worker-src: our kernels on this thread alone
        spawnError = `helper threads did not start (${String(e)}); our kernels run on one thread`;
      }
    }
    attached = makeSimdKernels(backend as WasmBackendLike, memory, exports, pool);
    status = { attached: true, threads: pool?.threads ?? 1 };
    if (spawnError !== undefined) status = { ...status, note: spawnError };
    // the backend is ready when its threads are: in Chromium a helper (a module worker) took ~1 s
    // to start, and the slider's first sweeps ran on one thread meanwhile
    if (pool !== undefined && !(await pool.whenReady(HELPER_START_MS))) {
      status = {
        ...status,
        note: `helper threads not started after ${HELPER_START_MS / 1000} s; each job runs on the threads that are`,
      };
    }
  } catch (e) {
    status = { attached: false, note: `our SIMD kernels did not instantiate: ${String(e)}` };
  }
  return status;
}

/** Detach our kernels (tfjs's run again). */
export function detachSimdKernels(note = 'turned off'): void {
  attached?.pool?.terminate();
  attached = undefined;
  status = { attached: false, note };
}

function makeSimdKernels(
  backend: WasmBackendLike,
  memory: WasmMemory,
  exports: ConvExports,
  pool: SimdPool | undefined,
): SimdKernels {
  return {
    backend,
    exports,
    memory,
    pool,
    alloc(bytes) {
      const ptr = backend.wasm._malloc(Math.max(16, bytes));
      if (ptr === 0) {
        throw new SimdKernelError(`out of WASM memory allocating ${bytes} bytes of scratch`);
      }
      return [ptr, () => backend.wasm._free(ptr)];
    },
    offset(info) {
      const entry = backend.dataIdMap.get(info.dataId);
      if (entry === undefined) throw new SimdKernelError('a tensor of this call has no WASM data');
      return entry.memoryOffset;
    },
  };
}
