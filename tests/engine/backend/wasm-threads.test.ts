/**
 * Multi-threaded WASM helpers (src/engine/backend/wasm-threads.ts): the pthread-glue fix declares
 * exactly the variable the glue closes over (minified or not) and leaves other text alone, and the
 * fixed glue runs where the original throws; the default thread count; the setup is a pass-through
 * in Node; `initBackend` refuses a bad `wasmThreads`. The browser side (threaded build, > 1
 * thread) is tests/e2e/isolation.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, initBackend } from '@/engine/backend';
import {
  MAX_DEFAULT_WASM_THREADS,
  THREADED_GLUE_PREFIX,
  defaultWasmThreads,
  fixThreadedGlue,
  withThreadedWasmSetup,
} from '@/engine/backend/wasm-threads';

/** A glue-shaped function whose guard on its closed-over `name` was dropped, as minified. */
const minified = (name: string) =>
  `${THREADED_GLUE_PREFIX}(function(t){var r=${name}||'x';t.postMessage({urlOrBlob:t.mainScriptUrlOrBlob||${name}});return r})`;
const unminified = `${THREADED_GLUE_PREFIX}function(M){if(typeof _scriptDir!=="undefined"&&_scriptDir){}return {"urlOrBlob":M["mainScriptUrlOrBlob"]||_scriptDir}}`;

const nav = globalThis as { navigator?: { hardwareConcurrency?: number } };
const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
afterEach(() => {
  if (saved) Object.defineProperty(globalThis, 'navigator', saved);
  else delete nav.navigator;
});
function withCores(n: number | undefined): void {
  Object.defineProperty(globalThis, 'navigator', {
    value: n === undefined ? {} : { hardwareConcurrency: n },
    configurable: true,
    writable: true,
  });
}

describe('fixThreadedGlue', () => {
  it('declares the minified name the glue closes over, and the glue then runs', () => {
    const fixed = fixThreadedGlue(minified('e'));
    expect(fixed.startsWith('var e;\n')).toBe(true);
    expect(fixed.slice('var e;\n'.length)).toBe(minified('e'));
    const run = (src: string) =>
      new Function(`${src}; return WasmBackendModuleThreadedSimd({postMessage(){}})`)() as string;
    expect(() => run(minified('e'))).toThrow(/e is not defined/);
    expect(run(fixed)).toBe('x');
  });

  it('handles the unminified glue and leaves everything else unchanged', () => {
    expect(fixThreadedGlue(unminified)).toBe(`var _scriptDir;\n${unminified}`);
    expect(fixThreadedGlue(minified('$a1'))).toBe(`var $a1;\n${minified('$a1')}`);
    const other = 'var x = 1; mainScriptUrlOrBlob||e';
    expect(fixThreadedGlue(other)).toBe(other);
    const noName = `${THREADED_GLUE_PREFIX}function(){}`;
    expect(fixThreadedGlue(noName)).toBe(noName);
  });
});

describe('defaultWasmThreads', () => {
  it('uses the logical cores, capped, and 1 when unknown', () => {
    withCores(2);
    expect(defaultWasmThreads()).toBe(2);
    withCores(16);
    expect(defaultWasmThreads()).toBe(MAX_DEFAULT_WASM_THREADS);
    withCores(undefined);
    expect(defaultWasmThreads()).toBe(1);
    withCores(0);
    expect(defaultWasmThreads()).toBe(1);
  });
});

describe('withThreadedWasmSetup', () => {
  it('is a pass-through in Node: same result, Blob and navigator untouched', async () => {
    withCores(2);
    const blob = globalThis.Blob;
    const out = await withThreadedWasmSetup(4, async () => {
      expect(globalThis.Blob).toBe(blob);
      expect(nav.navigator?.hardwareConcurrency).toBe(2);
      return 42;
    });
    expect(out).toBe(42);
    await expect(withThreadedWasmSetup(2, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(globalThis.Blob).toBe(blob);
  });
});

describe('initBackend wasmThreads', () => {
  it('refuses a thread count that is not an integer ≥ 1', async () => {
    await expect(initBackend({ prefer: 'wasm', wasmThreads: 0 })).rejects.toThrow(BackendError);
    await expect(initBackend({ prefer: 'wasm', wasmThreads: 1.5 })).rejects.toThrow(
      /wasmThreads must be an integer ≥ 1, got 1.5/,
    );
  });
});
