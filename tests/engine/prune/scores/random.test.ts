// Random scores: seeded determinism, shapes, range, independence of the seed.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { prunableLayers } from '@/engine/model/params';
import { lenetSpec } from '@/engine/model/spec';
import { randomScores } from '@/engine/prune/scores/random';
import { ScoreInputError } from '@/engine/prune/scores/common-errors';

const model = { spec: lenetSpec() };

describe('randomScores', () => {
  it('has the score shape of every prunable layer, values in [0, 1)', () => {
    for (const g of ['structured', 'unstructured'] as const) {
      const s = randomScores(model, g, 3);
      expect(s.order).toBe('prune-lowest');
      const layers = prunableLayers(model.spec);
      expect([...s.layers.keys()]).toEqual(layers.map((l) => l.kernelName));
      for (const l of layers) {
        const ls = s.layers.get(l.kernelName);
        expect(ls?.shape).toEqual(g === 'structured' ? [l.neurons] : l.kernelShape);
        expect(ls?.data.every((v) => v >= 0 && v < 1)).toBe(true);
      }
    }
  });

  it('same seed → same scores; another seed → other scores; roughly uniform', () => {
    const a = randomScores(model, 'unstructured', 11);
    const b = randomScores(model, 'unstructured', 11);
    const c = randomScores(model, 'unstructured', 12);
    const all = (s: typeof a) => [...s.layers.values()].flatMap((l) => Array.from(l.data));
    expect(all(a)).toEqual(all(b));
    const va = all(a);
    const vc = all(c);
    expect(va.filter((v, i) => v === vc[i]).length).toBeLessThan(5);
    const mean = va.reduce((s, v) => s + v, 0) / va.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // 44k values: sd of the mean ≈ 0.0014
    expect(new Set(va).size).toBeGreaterThan(va.length * 0.99);
  });

  it('allocates no tensors', () => {
    const before = tf.memory().numTensors;
    randomScores(model, 'unstructured', 1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad seed or granularity', () => {
    expect(() => randomScores(model, 'structured', NaN)).toThrow(ScoreInputError);
    expect(() => randomScores(model, 'rows' as never, 1)).toThrow(ScoreInputError);
  });
});
