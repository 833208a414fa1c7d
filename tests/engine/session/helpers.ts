// Fixtures of the session tests: 8×8 synthetic images and a session on them with the tiny conv net
// (tests/fixtures/models.ts).
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { syntheticDataset } from '@/engine/data/synthetic';
import { subset, type Dataset } from '@/engine/data/dataset';
import { initModel } from '@/engine/model/init';
import { Session } from '@/engine/session';
import { K, SHAPE, tinyConvSpec } from '../../fixtures/models';

/** Train (n) and test (m) parts of one synthetic dataset. */
export function tinyData(n = 120, m = 40, seed = 5): { train: Dataset; test: Dataset } {
  const all = syntheticDataset({ n: n + m, shape: SHAPE, numClasses: K, seed, noise: 0.2 });
  const idx = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
  return {
    train: subset(all, idx(0, n), 'syn-train'),
    test: subset(all, idx(n, n + m), 'syn-test'),
  };
}

/** A session with the tiny data and a fresh tiny model. */
export function tinySession(seed = 1): Session {
  const s = new Session();
  s.useDataset({ ...tinyData(), name: 'synthetic', budget: 'fashion-mnist' });
  s.useModel(initModel(tinyConvSpec(), seed), 'test');
  return s;
}

/** Burn in once, then the tensor count must not move over `calls` more calls. */
export async function expectNoLeak(fn: () => unknown, calls = 2): Promise<void> {
  await fn();
  const before = tf.memory().numTensors;
  for (let i = 0; i < calls; i++) await fn();
  expect(tf.memory().numTensors).toBe(before);
}

/** The model's weights through a safetensors export of the dense model (plain arrays by name). */
export async function exportedWeights(s: Session): Promise<Map<string, Float32Array>> {
  const { decodeSafetensors } = await import('@/engine/model/serialize/safetensors');
  const [f] = await s.exportFiles('safetensors');
  const out = new Map<string, Float32Array>();
  for (const t of decodeSafetensors(new Uint8Array(f.bytes), f.name).tensors)
    out.set(t.name, Float32Array.from(t.data as ArrayLike<number>));
  return out;
}

/** Whether two weight maps are equal bit for bit (so -0 and 0, or two NaNs, are told apart). */
export function sameBits(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, x] of a) {
    const y = b.get(k);
    if (!y || y.length !== x.length) return false;
    const xi = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const yi = new Uint32Array(y.buffer, y.byteOffset, y.length);
    for (let i = 0; i < xi.length; i++) if (xi[i] !== yi[i]) return false;
  }
  return true;
}
