// The fuzz harness itself: each of its checks must be able to fail, and the mutators must be
// deterministic for a seed.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Rng } from '@/engine/rng';
import { runFuzz, type FuzzTarget } from './harness';
import { mutateBytes } from './mutate';
import { deepValue, mutateJson, toJsonText } from './mutate-json';

class ToyError extends Error {}

/** A toy parser target: even-length inputs are accepted, odd ones rejected with ToyError. */
function toy(over: Partial<FuzzTarget<Uint8Array, number>>): FuzzTarget<Uint8Array, number> {
  return {
    name: 'self-test toy (failures here are expected)',
    salt: 1,
    iterations: 40,
    generate: (rng) => {
      const m = mutateBytes(rng, new Uint8Array([1, 2, 3, 4]));
      return { input: m.bytes, how: m.how };
    },
    call: (b) => {
      if (b.length % 2 === 1) throw new ToyError('odd');
      return b.length;
    },
    isTyped: (e) => e instanceof ToyError,
    ...over,
  };
}

describe('fuzz harness', () => {
  it('counts accepted and rejected inputs', async () => {
    const s = await runFuzz(toy({}));
    expect(s.accepted + s.rejected).toBe(40);
    expect(s.accepted).toBeGreaterThan(0);
    expect(s.rejected).toBeGreaterThan(0);
  });

  it('fails on an untyped error', async () => {
    const t = toy({
      call: (b) => {
        if (b.length % 2 === 1) throw new TypeError('boom');
        return 0;
      },
    });
    await expect(runFuzz(t)).rejects.toThrow(/TypeError: boom/);
  });

  it('fails when a check of an accepted result fails', async () => {
    const t = toy({ check: (b, n) => expect(n).toBeGreaterThan(b.length) });
    await expect(runFuzz(t)).rejects.toThrow(/unexpected outcomes/);
  });

  it('fails when ArrayBuffer memory grows past the bound', async () => {
    const keep: Uint8Array[] = [];
    const t = toy({
      memoryBound: 4 << 20,
      call: () => {
        keep.push(new Uint8Array(1 << 20).fill(1)); // 1 MiB kept per call
        return 0;
      },
    });
    await expect(runFuzz(t)).rejects.toThrow(/ArrayBuffer memory grew/);
    keep.length = 0;
  });

  it('fails on a tensor leak', async () => {
    const leaked: tf.Tensor[] = [];
    const t = toy({
      call: () => {
        leaked.push(tf.zeros([1]));
        return 0;
      },
    });
    await expect(runFuzz(t)).rejects.toThrow(/tensor leak/);
    tf.dispose(leaked);
  });

  it('mutators are deterministic for a seed', () => {
    const run = () => {
      const rng = new Rng(42);
      const out: string[] = [];
      for (let i = 0; i < 50; i++) {
        out.push(mutateBytes(rng, new Uint8Array(64), { maxLength: 256 }).how);
        out.push(mutateJson(rng, { a: [1, 'x', { b: null }] }).how);
      }
      return out.join('|');
    };
    expect(run()).toBe(run());
  });

  it('toJsonText writes what JSON.stringify writes, and deep values too', () => {
    const v = { a: [1, 'x', null, { b: true, u: undefined }], s: 'q"', n: -0.5 };
    expect(toJsonText(v)).toBe(JSON.stringify(v));
    const deep = toJsonText(deepValue(50_000, false));
    expect(deep.length).toBe(100_002);
    expect(() => JSON.parse(deep) as unknown).not.toThrow();
  });
});
