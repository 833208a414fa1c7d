/**
 * Histogram binning for the Distributions view: weights stay linear and signed; scores get
 * log-spaced bins when heavy-tailed, with zeros and the dead rule's ±∞ counted apart.
 */
import { describe, expect, it } from 'vitest';
import { histogram, LOG_SPAN, scoreHistogram } from '@/engine/session/histogram';

/** A deterministic heavy-tailed sample: log-normal-ish scores from ~1e-3 to ~1.8e5. */
function heavyTailed(n: number, seed = 1): Float32Array {
  let s = seed;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // Box–Muller normal, exponentiated: log10 of the score ~ N(0, 1.5)
    const z = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    out[i] = 10 ** (1.5 * z);
  }
  out[0] = 1.8e5; // the tail the linear axis stretched to
  out[1] = 1e-3;
  return out;
}

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

describe('scoreHistogram', () => {
  it('log-spaces heavy-tailed scores: no bin holds half the mass; ±∞ and zeros apart', () => {
    const finite = heavyTailed(5000);
    const values = new Float32Array(finite.length + 300 + 40 + 7);
    values.set(finite);
    let at = finite.length;
    for (let i = 0; i < 300; i++) values[at++] = 0;
    for (let i = 0; i < 40; i++) values[at++] = -Infinity;
    for (let i = 0; i < 7; i++) values[at++] = Infinity;
    const bins = 60;

    // the linear histogram of the same scores: everything in the first bin (the bug)
    const lin = histogram(values, bins);
    expect(lin.counts[0] / sum(lin.counts)).toBeGreaterThan(0.9);

    const h = scoreHistogram(values, bins);
    expect(h.scale).toBe('log');
    expect(h.edges).toHaveLength(bins + 1);
    expect(h.counts).toHaveLength(bins);
    expect(h.zeros).toBe(300);
    expect(h.negInf).toBe(40);
    expect(h.posInf).toBe(7);
    expect(h.nan).toBe(0);
    expect(h.total).toBe(values.length);
    // every positive finite score is binned, nothing else
    expect(sum(h.counts)).toBe(finite.length);
    expect(sum(h.counts) + h.zeros + h.negInf + h.posInf + h.nan).toBe(h.total);
    expect(Math.max(...h.counts) / sum(h.counts)).toBeLessThanOrEqual(0.5);
    // bins cover min..max of the positive scores exactly, log-equally spaced and increasing
    let min = Infinity;
    let max = 0;
    for (const v of finite) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(h.edges[0]).toBe(min);
    expect(h.edges[bins]).toBe(max);
    const step = Math.log10(h.edges[1]) - Math.log10(h.edges[0]);
    for (let i = 1; i <= bins; i++) {
      expect(h.edges[i]).toBeGreaterThan(h.edges[i - 1]);
      expect(Math.log10(h.edges[i]) - Math.log10(h.edges[i - 1])).toBeCloseTo(step, 6);
    }
    // the extremes land in the end bins
    expect(h.counts[0]).toBeGreaterThan(0);
    expect(h.counts[bins - 1]).toBeGreaterThan(0);
    // plain data: survives a structured clone (the worker boundary) unchanged
    expect(structuredClone(h)).toEqual(h);
  });

  it('puts each score in the bin whose edges hold it', () => {
    const values = [1, 10, 100, 1000, 0, -Infinity];
    const h = scoreHistogram(values, 3);
    expect(h.scale).toBe('log');
    expect(h.edges.map((e) => Number(e.toPrecision(12)))).toEqual([1, 10, 100, 1000]);
    // [1, 10), [10, 100), [100, 1000] (the last closed)
    expect(h.counts).toEqual([1, 1, 2]);
    expect(h.zeros).toBe(1);
    expect(h.negInf).toBe(1);
  });

  it('stays linear (zeros binned) when the positive scores span at most two decades', () => {
    const values = [0, 0, 1, 2, 3, 50, 99, Infinity];
    const h = scoreHistogram(values, 10);
    expect(99 / 1).toBeLessThan(LOG_SPAN);
    expect(h.scale).toBe('linear');
    expect(h.edges[0]).toBe(0);
    expect(h.edges[10]).toBe(99);
    expect(sum(h.counts)).toBe(7); // zeros included, +∞ not
    expect(h.zeros).toBe(2);
    expect(h.posInf).toBe(1);
  });

  it('stays linear for signed scores (a log axis cannot show them) and honours a forced scale', () => {
    const signed = scoreHistogram([-1, 1e-3, 1e4], 4);
    expect(signed.scale).toBe('linear');
    expect(sum(signed.counts)).toBe(3);
    expect(scoreHistogram([1e-3, 1e4], 4, { scale: 'linear' }).scale).toBe('linear');
    expect(scoreHistogram([1, 2], 4, { scale: 'log' }).scale).toBe('log');
    expect(scoreHistogram([-1, 2], 4, { scale: 'log' }).scale).toBe('linear');
  });

  it('counts an all-dead, all-zero or NaN layer without binning it', () => {
    const dead = scoreHistogram([-Infinity, -Infinity, 0, Number.NaN], 5);
    expect(dead.scale).toBe('linear');
    expect(dead.negInf).toBe(2);
    expect(dead.nan).toBe(1);
    expect(dead.zeros).toBe(1);
    expect(sum(dead.counts)).toBe(1); // the zero, on a unit-wide linear bin
    expect(dead.edges.every(Number.isFinite)).toBe(true);
    const only = scoreHistogram([Infinity], 5);
    expect(sum(only.counts)).toBe(0);
    expect(only.posInf).toBe(1);
    expect(only.edges.every(Number.isFinite)).toBe(true);
  });

  it('keeps the weight histogram linear and signed', () => {
    const w = [-0.5, -0.1, 0, 0.1, 0.5];
    const h = histogram(w, 4);
    expect(h.edges).toEqual([-0.5, -0.25, 0, 0.25, 0.5]);
    expect(h.counts).toEqual([1, 1, 2, 1]);
  });
});
