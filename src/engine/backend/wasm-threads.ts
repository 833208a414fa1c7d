/**
 * Multi-threaded WASM in bundled browser builds.
 *
 * tfjs-backend-wasm picks its threaded SIMD binary when the page is cross-origin isolated
 * (`SharedArrayBuffer` exists; the server sends COOP same-origin + COEP require-corp, see
 * docs/backends.md). Its Emscripten pthread workers then load the backend's JavaScript glue from
 * a Blob that tfjs builds as `'var WasmBackendModuleThreadedSimd = ' + factory.toString()`. The
 * factory closes over one variable of its module, `_scriptDir`, which it only reads behind a
 * `typeof` guard; a minifier renames it (e.g. to `e`) and, seeing it declared, drops the guard, so
 * in the pthread worker the glue throws "e is not defined" and the backend never starts.
 *
 * A second obstacle is the thread count. tfjs 4.22's C++ side caps the pool at
 * `navigator.hardwareConcurrency / 2` whatever `setThreadsCount` asks for (it assumes two
 * hyper-threads per core), read once when the module starts: 1 thread on a 2-vCPU machine.
 *
 * `withThreadedWasmSetup(threads, run)` runs `run` (the WASM backend's initialization) with
 * - `Blob` wrapped: a Blob whose only part is that glue gets the closed-over variable declared
 *   first (`var e;`, i.e. undefined, exactly what the guarded read expected in a worker). The name
 *   is read from the glue itself (`mainScriptUrlOrBlob || <name>`). Every other Blob passes
 *   through unchanged;
 * - `navigator.hardwareConcurrency` reading at least 2·threads, so the cap admits `threads`
 *   (the caller also passes `threads` to tfjs's `setThreadsCount`, which picks the count);
 * and restores both afterwards. Outside browsers (no `Blob`, or Node, where tfjs never picks the
 * threaded build) it just runs `run`.
 */

/** Most threads `defaultWasmThreads` picks (XNNPACK gains little beyond on small conv nets). */
export const MAX_DEFAULT_WASM_THREADS = 4;

/**
 * Threads for the threaded WASM build: `navigator.hardwareConcurrency` (logical cores, also in
 * workers) capped at MAX_DEFAULT_WASM_THREADS; 1 where it is unknown. tfjs's own default halves
 * the logical cores (assuming two hyper-threads per core), which gives 1 thread on a 2-vCPU
 * machine, i.e. no parallelism at all. Only the threaded build uses it.
 */
export function defaultWasmThreads(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 1) return 1;
  return Math.min(Math.floor(n), MAX_DEFAULT_WASM_THREADS);
}

/** What tfjs prefixes the threaded glue with. */
export const THREADED_GLUE_PREFIX = 'var WasmBackendModuleThreadedSimd = ';

/**
 * The glue text with its closed-over `_scriptDir` variable declared first, or `text` unchanged
 * when it is not the threaded glue or names no such variable.
 */
export function fixThreadedGlue(text: string): string {
  if (!text.startsWith(THREADED_GLUE_PREFIX)) return text;
  const m = /mainScriptUrlOrBlob["'`]?\]?\s*\|\|\s*([A-Za-z_$][\w$]*)/.exec(text);
  if (!m) return text;
  return `var ${m[1]};\n${text}`;
}

type BlobCtor = new (parts?: unknown[], options?: unknown) => unknown;

/**
 * Make `navigator.hardwareConcurrency` read `value` (an own property shadowing the prototype's
 * getter); returns the function that undoes it. No-op without a navigator or when it cannot be
 * redefined.
 */
function presentConcurrency(value: number): () => void {
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined || Object.prototype.hasOwnProperty.call(nav, 'hardwareConcurrency')) {
    return () => undefined;
  }
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { value, configurable: true });
  } catch {
    return () => undefined;
  }
  return () => {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}

/**
 * Run `run` with the two fixes of the file comment for a pool of `threads` (integer ≥ 1); both
 * are undone when it settles. Resolves to what `run` resolves to.
 */
export async function withThreadedWasmSetup<T>(threads: number, run: () => Promise<T>): Promise<T> {
  const g = globalThis as {
    Blob?: BlobCtor;
    navigator?: { hardwareConcurrency?: number };
    process?: { versions?: { node?: string } };
  };
  const Original = g.Blob;
  if (Original === undefined || g.process?.versions?.node !== undefined) return run();
  const cores = g.navigator?.hardwareConcurrency ?? 1;
  const Patched = function (this: unknown, parts?: unknown[], options?: unknown) {
    const fixed =
      Array.isArray(parts) && parts.length === 1 && typeof parts[0] === 'string'
        ? [fixThreadedGlue(parts[0])]
        : parts;
    return new Original(fixed, options);
  } as unknown as BlobCtor;
  Object.setPrototypeOf(Patched, Original);
  (Patched as unknown as { prototype: unknown }).prototype = (
    Original as unknown as { prototype: unknown }
  ).prototype;
  g.Blob = Patched;
  const restore = 2 * threads > cores ? presentConcurrency(2 * threads) : () => undefined;
  try {
    return await run();
  } finally {
    g.Blob = Original;
    restore();
  }
}
