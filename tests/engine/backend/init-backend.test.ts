/**
 * The backend chooser: forced backends, fallbacks with recorded reasons (a browser-only backend
 * asked for in Node, a browser whose GPU backends fail to load), bad options, gradient
 * registration and `describeBackend`. Restores WASM (which tests/setup.ts started) at the end.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { type BackendName, BackendError, describeBackend, initBackend } from '@/engine/backend';
import { memoryCounts } from './helpers';

afterAll(async () => {
  await initBackend({ prefer: 'wasm' });
  expect(tf.getBackend()).toBe('wasm');
});

describe('initBackend', () => {
  it('starts on wasm in Node with tfjs gradients registered', async () => {
    const choice = await initBackend();
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reason).toBe('first available in the node order (wasm → cpu)');
    expect(choice.notUsed).toEqual({
      cpu: 'not tried: wasm came first',
      webgpu: 'not in the node order (wasm → cpu)',
      webgl: 'not in the node order (wasm → cpu)',
    });
    expect(choice.gradients).toBe('already registered'); // tests/setup.ts registered them
    expect(tf.getGradient('Conv2D')).toBeDefined();
  });

  it('switches to cpu on request and back to wasm, reporting reasons', async () => {
    const cpu = await initBackend({ prefer: 'cpu' });
    expect(cpu).toMatchObject({ name: 'cpu', reason: 'requested' });
    expect(cpu.notUsed.wasm).toBe('not tried: cpu came first');
    expect(tf.getBackend()).toBe('cpu');
    const y = tf.conv2d(
      tf.ones([1, 3, 3, 1]) as tf.Tensor4D,
      tf.ones([2, 2, 1, 1]) as tf.Tensor4D,
      1,
      'valid',
    );
    expect(Array.from(await y.data())).toEqual([4, 4, 4, 4]);
    const wasm = await initBackend({ prefer: 'wasm' });
    expect(wasm).toMatchObject({ name: 'wasm', reason: 'requested' });
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(await y.data())).toEqual([4, 4, 4, 4]); // tensors stay readable after a switch
    tf.dispose(y);
  });

  it('falls back from webgpu to wasm in Node and records why', async () => {
    const choice = await initBackend({ prefer: 'webgpu' });
    expect(choice.name).toBe('wasm');
    expect(choice.notUsed.webgpu).toBe('not available in Node');
    expect(choice.reason).toBe(
      'webgpu was requested but is unusable (not available in Node); wasm is the next available in the node order (wasm → cpu)',
    );
  });

  it('walks the browser order through an injected loader, recording each failure', async () => {
    const asked: string[] = [];
    const fails = await initBackend({
      platform: 'browser',
      loadBrowserBackend: async (name) => {
        asked.push(name);
        throw new Error(`no ${name} here`);
      },
    });
    expect(asked).toEqual(['webgpu', 'webgl']);
    expect(fails.name).toBe('wasm');
    expect(fails.notUsed).toMatchObject({ webgpu: 'no webgpu here', webgl: 'no webgl here' });
    expect(fails.reason).toBe('first available in the browser order (webgpu → webgl → wasm → cpu)');

    // a loader that registers the backend makes it live (a CPU backend stands in for WebGL)
    const loaded = await initBackend({
      platform: 'browser',
      prefer: 'webgl',
      loadBrowserBackend: async (name) => {
        tf.registerBackend(name, () => new MathBackendCPU());
      },
    });
    expect(loaded).toMatchObject({ name: 'webgl', reason: 'requested' });
    expect(loaded.notUsed.wasm).toBe('not tried: webgl came first');
    tf.removeBackend('webgl');
    await initBackend({ prefer: 'wasm' });
  });

  it('rejects unknown backends and platforms with a BackendError', async () => {
    await expect(initBackend({ prefer: 'tpu' as BackendName })).rejects.toThrow(BackendError);
    await expect(initBackend({ prefer: 'tpu' as BackendName })).rejects.toThrow(
      "unknown backend 'tpu'; expected one of webgpu, webgl, wasm, cpu",
    );
    await expect(initBackend({ platform: 'deno' as 'node' })).rejects.toThrow(
      "platform must be 'node' or 'browser', got 'deno'",
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('leaks nothing when called repeatedly', async () => {
    await initBackend({ prefer: 'wasm' });
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) await initBackend({ prefer: 'wasm' });
    expect(memoryCounts()).toEqual(before);
  });
});

describe('describeBackend', () => {
  it('describes wasm as plain data', async () => {
    await initBackend({ prefer: 'wasm' });
    const d = await describeBackend();
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.name).toBe('wasm');
    expect(d.floatPrecision).toBe(32);
    expect(d.gradients).toBe(true);
    expect(d.wasm?.simd).toBe(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'));
    expect(d.wasm?.multithread).toBe(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'));
    expect(d.wasm?.threads).toBeGreaterThanOrEqual(1);
    expect(d.wasm?.kernelsAdded).toContain('Conv2DBackpropFilter');
    expect(d.webgpu).toBeUndefined();
  });

  it('describes cpu without wasm details', async () => {
    await initBackend({ prefer: 'cpu' });
    const d = await describeBackend();
    expect(d).toEqual({ name: 'cpu', floatPrecision: 32, gradients: true });
    await initBackend({ prefer: 'wasm' });
  });
});
