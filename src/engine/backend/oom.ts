/**
 * Turns a backend failure into advice: `explainFailure` recognizes running out of memory and
 * losing the GPU on each tfjs backend, from the error's name and message, and says what to try
 * (a smaller batch, another backend) instead of a stack trace. Pure: no tfjs call, no DOM.
 *
 * What each backend actually throws (tfjs 4.22, node_modules/@tensorflow/…/dist):
 * - WASM (backend_wasm.js `write`): `wasm._malloc(numBytes)` returns 0 when the heap cannot grow
 *   past its 4 GiB maximum (tf-backend-wasm.node.js `getHeapMax() { return 4294901760; }`,
 *   `_emscripten_resize_heap` returns false) and tfjs does not check it: copying the values then
 *   fails with `RangeError: offset is out of bounds` (reproduced in
 *   tests/engine/backend/oom-wasm.test.ts); a kernel output that cannot be allocated may instead
 *   trap (`RuntimeError: memory access out of bounds`). Builds with assertions or ABORTING_MALLOC
 *   abort with `Aborted(OOM)` / `Cannot enlarge memory arrays`; the JS side fails with
 *   `RangeError: Array buffer allocation failed` or `Invalid typed array length: N`.
 * - WebGPU (backend_webgpu.js, buffer_manager.js `device.createBuffer`): tfjs pushes no error
 *   scope, so an allocation failure surfaces as the browser's GPUOutOfMemoryError (`Out of
 *   memory` in Dawn's messages) or, later, as a rejected `mapAsync`; a lost device as
 *   `Device is lost` / `Instance dropped` / GPUDeviceLostInfo (reason 'destroyed' or 'unknown').
 * - WebGL (webgl_util.js): `Requested texture size [WxH] greater than WebGL maximum on this
 *   browser / GPU [MxM].` (a tensor too large for one texture), `Failed to compile fragment
 *   shader.` / `Failed to link vertex and fragment shaders.` / `Unable to create WebGLTexture.`
 *   (typically a lost context), `WebGL Error: OUT_OF_MEMORY` and `CONTEXT_LOST_WEBGL` (DEBUG mode).
 */

/** 'out-of-memory': try less memory; 'device-lost': the GPU went away; 'other': not ours. */
export type FailureKind = 'out-of-memory' | 'device-lost' | 'other';

export interface FailureExplanation {
  kind: FailureKind;
  /** one or two sentences for the user, ending with the original error (shortened) */
  message: string;
}

export interface FailureContext {
  /** the live backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu' (any other name is quoted as is) */
  backend: string;
  /** samples per batch of the failed work (≥ 1), when it has one */
  batchSize?: number;
}

/** Longest part of the original error quoted in a message, characters. */
const QUOTE_MAX = 200;

const OOM_ANY: RegExp[] = [
  /out of memory/i, // WebGPU (Dawn) and generic
  /OutOfMemory/, // GPUOutOfMemoryError
  /OUT_OF_MEMORY/, // WebGL Error: OUT_OF_MEMORY
  /Aborted\(OOM\)/,
  /Cannot enlarge memory/,
  /Array buffer allocation failed/,
  /Invalid (typed )?array( buffer)? length/,
];
/** Only on WASM: a failed (unchecked) heap allocation. */
const OOM_WASM: RegExp[] = [/offset is out of bounds/, /memory access out of bounds/];
const TEXTURE_LIMIT = /Requested texture size \[\d+x\d+\] greater than WebGL maximum/;
const LOST: RegExp[] = [
  /device (is |was )?lost/i,
  /DeviceLost/,
  /Instance dropped/i,
  /CONTEXT_LOST/,
  /context (is |was )?lost/i,
  /Failed to compile (fragment|vertex) shader/,
  /Failed to link vertex and fragment shaders/,
  /Unable to create WebGL/,
];

/** Other backends to suggest, best first. */
const ALTERNATIVES: Record<string, string> = {
  webgpu: 'the webgl or wasm backend',
  webgl: 'the webgpu or wasm backend',
  wasm: 'the webgpu or webgl backend (GPU memory; WASM is capped at 4 GiB)',
  cpu: 'the wasm backend',
};

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? v : String(v);
  } catch {
    return '';
  }
}

/** Name and message of `e` and of up to 3 causes, bounded in length; never throws. */
export function failureText(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur !== undefined && cur !== null; depth++) {
    try {
      if (typeof cur === 'object' || typeof cur === 'function') {
        const o = cur as { name?: unknown; message?: unknown; reason?: unknown; cause?: unknown };
        const ctor = safeString((cur as { constructor?: { name?: unknown } }).constructor?.name);
        const name = typeof o.name === 'string' ? o.name : ctor;
        const msg = typeof o.message === 'string' ? o.message : '';
        const reason = typeof o.reason === 'string' ? ` (reason ${o.reason})` : '';
        parts.push(`${name}${ctor && ctor !== name ? ` [${ctor}]` : ''}: ${msg}${reason}`);
        cur = o.cause;
      } else {
        parts.push(safeString(cur));
        cur = undefined;
      }
    } catch {
      parts.push('(unreadable error)');
      cur = undefined;
    }
  }
  return parts.join(' ← ').slice(0, 4 * QUOTE_MAX);
}

function quote(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > QUOTE_MAX ? `${t.slice(0, QUOTE_MAX)}…` : t;
}

function smallerBatch(b: number | undefined): string {
  if (b === undefined || !Number.isFinite(b) || b < 1) return 'try a smaller batch size';
  if (b <= 1) return 'the batch size is already 1: try a smaller model';
  return `try batch size ${Math.floor(b / 2)}`;
}

/**
 * Explains a failure of engine work on `ctx.backend`.
 * @param e anything thrown or rejected (Error, GPUError, GPUDeviceLostInfo, string, …)
 * @returns the kind and a user-facing message: for out-of-memory "ran out of memory on <backend>
 *   at batch size B: try batch size B/2, or <other backends> (…original error…)"
 */
export function explainFailure(e: unknown, ctx: FailureContext): FailureExplanation {
  const text = failureText(e);
  const backend = ctx.backend;
  const other = ALTERNATIVES[backend] ?? 'another backend';
  const at = ctx.batchSize !== undefined ? ` at batch size ${ctx.batchSize}` : '';
  const original = `(${quote(text)})`;
  if (TEXTURE_LIMIT.test(text)) {
    return {
      kind: 'out-of-memory',
      message:
        `a tensor is too large for this GPU's WebGL textures${at}: ` +
        `${smallerBatch(ctx.batchSize)}, or ${other} ${original}`,
    };
  }
  if (
    OOM_ANY.some((r) => r.test(text)) ||
    (backend === 'wasm' && OOM_WASM.some((r) => r.test(text)))
  ) {
    return {
      kind: 'out-of-memory',
      message: `ran out of memory on ${backend}${at}: ${smallerBatch(ctx.batchSize)}, or ${other} ${original}`,
    };
  }
  if (LOST.some((r) => r.test(text))) {
    return {
      kind: 'device-lost',
      message:
        `lost the GPU on ${backend}${at} (driver reset, another tab, or too much memory): ` +
        `reload the page for a fresh GPU, or switch to ${other}; if it happens again, ` +
        `${smallerBatch(ctx.batchSize)} ${original}`,
    };
  }
  return { kind: 'other', message: `${backend}: ${quote(text)}` };
}
