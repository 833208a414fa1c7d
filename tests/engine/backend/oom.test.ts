// explainFailure: the out-of-memory and lost-device errors of each tfjs backend, with the
// messages read from the installed tfjs sources (so a tfjs upgrade that changes them fails here),
// and hostile inputs (cyclic causes, throwing getters, huge messages) that must not throw.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainFailure, failureText } from '@/engine/backend/oom';

const require = createRequire(import.meta.url);
/** WebAssembly.RuntimeError (not in the ES2022 lib typings) */
const WasmRuntimeError = (
  globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }
).WebAssembly.RuntimeError;
/** A dist file of an installed tfjs package. */
function tfjsSource(pkg: string, file: string): string {
  const root = dirname(require.resolve(`@tensorflow/${pkg}/package.json`));
  return readFileSync(join(root, 'dist', file), 'utf8');
}

describe('explainFailure', () => {
  it('the messages are those of the tfjs 4.22 sources', () => {
    const webgl = tfjsSource('tfjs-backend-webgl', 'webgl_util.js');
    for (const s of [
      "'Requested texture size ' + requested +\n            ' greater than WebGL maximum on this browser / GPU ' + max + '.'",
      "'Failed to compile fragment shader.'",
      "'Failed to link vertex and fragment shaders.'",
      "'Unable to create WebGLTexture.'",
      "return 'OUT_OF_MEMORY';",
      "return 'CONTEXT_LOST_WEBGL';",
      "'WebGL Error: ' + getWebGLErrorMessage(gl, error)",
    ])
      expect(webgl).toContain(s);
    const wasm = tfjsSource('tfjs-backend-wasm', 'tf-backend-wasm.node.js');
    expect(wasm).toContain('what = "Aborted(" + what + ")"');
    expect(wasm).toContain('function getHeapMax() { return 4294901760; }');
    const backend = tfjsSource('tfjs-backend-wasm', 'backend_wasm.js');
    expect(backend).toContain('const memoryOffset = this.wasm._malloc(numBytes) >>> 0;');
  });

  const cases: [string, unknown, string, RegExp][] = [
    // WebGL (webgl_util.js)
    [
      'webgl texture limit',
      new Error(
        'Requested texture size [70000x2] greater than WebGL maximum on this browser / GPU [16384x16384].',
      ),
      'webgl',
      /^a tensor is too large for this GPU's WebGL textures at batch size 512: try batch size 256, or the webgpu or wasm backend \(Error: Requested texture size/,
    ],
    [
      'webgl OUT_OF_MEMORY',
      new Error('WebGL Error: OUT_OF_MEMORY'),
      'webgl',
      /^ran out of memory on webgl/,
    ],
    [
      'webgl context lost',
      new Error('WebGL Error: CONTEXT_LOST_WEBGL'),
      'webgl',
      /^lost the GPU on webgl/,
    ],
    [
      'webgl shader',
      new Error('Failed to compile fragment shader.'),
      'webgl',
      /^lost the GPU on webgl/,
    ],
    [
      'webgl link',
      new Error('Failed to link vertex and fragment shaders.'),
      'webgl',
      /^lost the GPU/,
    ],
    ['webgl texture', new Error('Unable to create WebGLTexture.'), 'webgl', /^lost the GPU/],
    // WASM (emscripten abort format of tf-backend-wasm.node.js, and V8's allocation failures)
    [
      'wasm abort OOM',
      new WasmRuntimeError('Aborted(OOM). Build with -sASSERTIONS for more info.'),
      'wasm',
      /^ran out of memory on wasm at batch size 512: try batch size 256, or the webgpu or webgl backend/,
    ],
    [
      'wasm cannot enlarge',
      new Error('Cannot enlarge memory arrays to size 4294967296 bytes (OOM).'),
      'wasm',
      /^ran out of memory on wasm/,
    ],
    [
      'wasm unchecked malloc',
      new RangeError('offset is out of bounds'),
      'wasm',
      /^ran out of memory/,
    ],
    [
      'wasm trap',
      new WasmRuntimeError('memory access out of bounds'),
      'wasm',
      /^ran out of memory on wasm/,
    ],
    [
      'js allocation',
      new RangeError('Array buffer allocation failed'),
      'cpu',
      /^ran out of memory on cpu.*the wasm backend/,
    ],
    [
      'js length',
      new RangeError('Invalid typed array length: 8589934592'),
      'wasm',
      /^ran out of memory/,
    ],
    // WebGPU (errors of the browser's GPUDevice; tfjs adds none)
    [
      'GPUOutOfMemoryError',
      new (class GPUOutOfMemoryError {
        constructor(readonly message: string) {}
      })('Out of memory'),
      'webgpu',
      /^ran out of memory on webgpu at batch size 512: try batch size 256, or the webgl or wasm backend \(GPUOutOfMemoryError: Out of memory\)$/,
    ],
    [
      'createBuffer OOM',
      new Error("Failed to execute 'createBuffer' on 'GPUDevice': Out of memory (size 4294967296)"),
      'webgpu',
      /^ran out of memory on webgpu/,
    ],
    [
      'mapAsync on a lost device',
      new DOMException(
        "Failed to execute 'mapAsync' on 'GPUBuffer': Device is lost",
        'OperationError',
      ),
      'webgpu',
      /^lost the GPU on webgpu at batch size 512 .*reload the page.*switch to the webgl or wasm backend/,
    ],
    [
      'GPUDeviceLostInfo',
      { reason: 'unknown', message: 'Device was lost.' },
      'webgpu',
      /^lost the GPU on webgpu/,
    ],
    [
      'Dawn instance dropped',
      new Error('Instance dropped in popErrorScope'),
      'webgpu',
      /^lost the GPU/,
    ],
  ];
  for (const [name, e, backend, re] of cases) {
    it(`recognizes ${name}`, () => {
      const x = explainFailure(e, { backend, batchSize: 512 });
      expect(x.message).toMatch(re);
      expect(x.kind).toBe(/^lost/.test(x.message) ? 'device-lost' : 'out-of-memory');
    });
  }

  it('leaves other errors alone and quotes them shortly', () => {
    const x = explainFailure(new TypeError('x.foo is not a function'), { backend: 'webgpu' });
    expect(x).toEqual({ kind: 'other', message: 'webgpu: TypeError: x.foo is not a function' });
    // 'offset is out of bounds' means a failed heap allocation only on WASM
    expect(explainFailure(new RangeError('offset is out of bounds'), { backend: 'cpu' }).kind).toBe(
      'other',
    );
    const big = explainFailure(new Error('Out of memory ' + 'x'.repeat(1e6)), {
      backend: 'webgpu',
    });
    expect(big.kind).toBe('out-of-memory');
    expect(big.message.length).toBeLessThan(400);
    expect(big.message).toMatch(/^ran out of memory on webgpu: try a smaller batch size, or/);
  });

  it('batch-size advice: halves, stops at 1', () => {
    const e = new Error('Out of memory');
    expect(explainFailure(e, { backend: 'webgpu', batchSize: 7 }).message).toMatch(
      /try batch size 3,/,
    );
    expect(explainFailure(e, { backend: 'webgpu', batchSize: 1 }).message).toMatch(
      /batch size is already 1: try a smaller model, or the webgl or wasm backend/,
    );
    expect(explainFailure(e, { backend: 'mystery' }).message).toMatch(/or another backend/);
  });

  it('never throws on hostile values', () => {
    const cyclic = new Error('outer') as Error & { cause?: unknown };
    cyclic.cause = cyclic;
    const getter = Object.defineProperty({}, 'message', {
      get() {
        throw new Error('boom');
      },
    });
    const proto = Object.create(null) as object;
    for (const v of [
      undefined,
      null,
      42,
      Symbol('s'),
      10n,
      cyclic,
      getter,
      proto,
      () => 1,
      [1, 2],
    ]) {
      const x = explainFailure(v, { backend: 'wasm', batchSize: 8 });
      expect(x.kind).toBe('other');
      expect(typeof x.message).toBe('string');
    }
    expect(failureText(cyclic).split('←').length).toBe(4); // bounded cause chain
    const lostCause = new Error('step failed', { cause: new Error('Device is lost') });
    expect(explainFailure(lostCause, { backend: 'webgpu' }).kind).toBe('device-lost');
  });
});
