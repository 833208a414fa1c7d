/**
 * Runs our WebAssembly SIMD convolution gradients (wasm/conv.ts, compiled into ./conv-wasm.ts) on
 * tfjs-backend-wasm's own memory. `attachSimdConv(backend)` instantiates them with the backend's
 * memory as their `env.memory` (the shared build for tfjs's threaded binary, the other for its
 * single-threaded one), so a kernel reads and writes tensors where they lie: no copies. They run
 * on the calling thread.
 *
 * Why not on more threads: helper workers running the same module on the shared memory (tried,
 * 2026-12-07) gave nothing inside a training step on this 2-vCPU machine: conv1's input gradient
 * took 0.87 ms split over 2 threads and 0.88 ms on one, while tfjs's own thread pool sits between
 * its kernels (docs/benchmarks.md).
 *
 * Kernel wrappers (../kernels/simd-conv.ts) call `simdConv(backend)` and fall back to the kernel
 * they replace where it returns undefined (not attached to that backend).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { CONV_WASM_SHARED, CONV_WASM_UNSHARED } from './conv-wasm';

/**
 * The WebAssembly API as used here. The engine compiles without the DOM library (see
 * src/engine/platform.d.ts), and Node's types do not declare WebAssembly, so it is typed locally.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  instantiate(
    bytes: Uint8Array<ArrayBuffer>,
    imports: object,
  ): Promise<{ instance: { exports: object } }>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernels' exports (wasm/conv.ts); pointers are byte offsets into the memory. */
export interface ConvExports {
  flipFilter(w: number, wf: number, kh: number, kw: number, cin: number, c: number): void;
  inputGrad(...args: number[]): void;
  filterGrad(...args: number[]): void;
  sumLanes(acc: number, dw: number, n: number): void;
}

/** Our SIMD kernels failed on a call (out of WASM memory, a tensor without WASM data). */
export class SimdConvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimdConvError';
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
export interface SimdConv {
  readonly backend: WasmBackendLike;
  readonly exports: ConvExports;
  /** tfjs's memory (read its `buffer` afresh: it changes when the memory grows) */
  readonly memory: WasmMemory;
  /** `bytes` of scratch from tfjs's heap and the function that frees them */
  alloc(bytes: number): [number, () => void];
  /** the byte offset of a tensor's data */
  offset(info: TensorInfo): number;
}

let attached: SimdConv | undefined;

/** The kernels attached to `backend`, or undefined (not attached, or attached to another). */
export function simdConv(backend: unknown): SimdConv | undefined {
  return attached !== undefined && attached.backend === backend ? attached : undefined;
}

/** What the last attach or detach did, for describeBackend: on, or why not. */
export interface SimdConvStatus {
  attached: boolean;
  note?: string;
}

let status: SimdConvStatus = { attached: false, note: 'the WASM backend has not started' };

export function simdConvStatus(): SimdConvStatus {
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
export async function attachSimdConv(backendIn: unknown): Promise<SimdConvStatus> {
  if (attached?.backend === backendIn) return status;
  attached = undefined;
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
    const bytes = decode(shared ? CONV_WASM_SHARED : CONV_WASM_UNSHARED);
    const { instance } = await WA.instantiate(bytes, { env: { memory } });
    // a plain copy of the exports object (which WebAssembly freezes), so tests can spy on calls
    const exports = { ...(instance.exports as ConvExports) };
    attached = makeSimdConv(backend as WasmBackendLike, memory, exports);
    status = { attached: true };
  } catch (e) {
    status = { attached: false, note: `our SIMD kernels did not instantiate: ${String(e)}` };
  }
  return status;
}

/** Detach our kernels (tfjs's run again). */
export function detachSimdConv(note = 'turned off'): void {
  attached = undefined;
  status = { attached: false, note };
}

function makeSimdConv(
  backend: WasmBackendLike,
  memory: WasmMemory,
  exports: ConvExports,
): SimdConv {
  return {
    backend,
    exports,
    memory,
    alloc(bytes) {
      const ptr = backend.wasm._malloc(Math.max(16, bytes));
      if (ptr === 0) {
        throw new SimdConvError(`out of WASM memory allocating ${bytes} bytes of scratch`);
      }
      return [ptr, () => backend.wasm._free(ptr)];
    },
    offset(info) {
      const entry = backend.dataIdMap.get(info.dataId);
      if (entry === undefined) throw new SimdConvError('a tensor of this call has no WASM data');
      return entry.memoryOffset;
    },
  };
}
