/** Zhu–Gupta polynomial schedule values computed by hand, and the per-round schedule. */
import { describe, expect, it } from 'vitest';
import { MaskError } from '@/engine/prune/masks';
import { iterativeSchedule, polynomialSparsity } from '@/engine/prune/schedule';

describe('polynomialSparsity', () => {
  const s = { initial: 0.1, final: 0.9, startStep: 10, endStep: 20 };
  it('matches s_f + (s_i − s_f)(1 − (t − t0)/(t_end − t0))^3 by hand', () => {
    expect(polynomialSparsity(s, 0)).toBe(0.1);
    expect(polynomialSparsity(s, 10)).toBe(0.1);
    expect(polynomialSparsity(s, 15)).toBeCloseTo(0.9 - 0.8 * 0.125, 12); // 0.8
    expect(polynomialSparsity(s, 12)).toBeCloseTo(0.9 - 0.8 * 0.512, 12); // 0.4904
    expect(polynomialSparsity(s, 20)).toBe(0.9);
    expect(polynomialSparsity(s, 99)).toBe(0.9);
    expect(polynomialSparsity({ ...s, power: 1 }, 15)).toBeCloseTo(0.5, 12);
  });
  it('is monotone from initial to final', () => {
    let prev = -1;
    for (let t = 0; t <= 25; t += 0.5) {
      const v = polynomialSparsity(s, t);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
  });
  it('rejects bad schedules', () => {
    expect(() => polynomialSparsity({ ...s, final: 1 }, 0)).toThrow(MaskError);
    expect(() => polynomialSparsity({ ...s, endStep: 5 }, 0)).toThrow(/startStep/);
    expect(() => polynomialSparsity({ ...s, power: 0 }, 0)).toThrow(/power/);
    expect(() => polynomialSparsity(s, NaN)).toThrow(MaskError);
  });
});

describe('iterativeSchedule', () => {
  it('per-round targets 0.8·(1 − (1 − r/4)^3)', () => {
    const r = iterativeSchedule({ final: 0.8, rounds: 4 });
    const want = [1, 2, 3, 4].map((k) => 0.8 * (1 - (1 - k / 4) ** 3)); // 0.4625, 0.7, 0.7875, 0.8
    expect(r).toHaveLength(4);
    r.forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
    expect(r[3]).toBe(0.8);
    expect(iterativeSchedule({ final: 0.5, rounds: 1 })).toEqual([0.5]);
    expect(iterativeSchedule({ final: 0.9, rounds: 2, initial: 0.5, power: 1 })).toEqual([
      0.7, 0.9,
    ]);
    expect(() => iterativeSchedule({ final: 0.5, rounds: 0 })).toThrow(/rounds/);
  });
});
