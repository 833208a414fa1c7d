// FGSM-RS catastrophic-overfitting guard: the rule on hand-made sequences, an engineered collapse
// through an injected check (stops and restores the pre-collapse weights), and a normal run.
import { describe, expect, it, vi } from 'vitest';
import { disposeModel, initModel } from '@/engine/model/init';
import type { Model } from '@/engine/model/types';
import { trainModel } from '@/engine/train/loop';
import {
  createGuardState,
  guardUpdate,
  type GuardState,
} from '@/engine/train/objectives/overfit-guard';
import { countBitDifferences, splitData, weightsOf } from './helpers';
import { tinyMlpSpec } from '../../fixtures/models';

const rule = { maxDrop: 0.2, minFractionOfBest: 0.25, minBest: 0.2 };

function feed(accs: number[]): { collapsedAt: number | null; reason?: string; state: GuardState } {
  let state = createGuardState();
  for (let i = 0; i < accs.length; i++) {
    const u = guardUpdate(state, { pgdAcc: accs[i], fgsmAcc: 0.9 }, 10 * (i + 1), rule);
    state = u.state;
    if (u.collapsed) return { collapsedAt: i, reason: u.reason, state };
  }
  return { collapsedAt: null, state };
}

describe('guard rule', () => {
  it("fires on a drop of more than 0.2 from the previous check (Wong et al.'s rule)", () => {
    const r = feed([0.3, 0.35, 0.42, 0.4, 0.15]);
    expect(r.collapsedAt).toBe(4);
    expect(r.reason).toBe(
      'catastrophic overfitting: PGD accuracy on the check batch fell from 0.400 to 0.150 (more than maxDrop 0.2) at step 50; FGSM accuracy 0.900',
    );
  });

  it('fires on a slow slide below a fraction of the best', () => {
    const r = feed([0.5, 0.4, 0.3, 0.2, 0.11]);
    expect(r.collapsedAt).toBe(4);
    expect(r.reason).toMatch(/0.110, below 0.25 × its best 0.500/);
    expect(r.state.best).toBe(0.5);
    expect(r.state.history.map((h) => h.step)).toEqual([10, 20, 30, 40, 50]);
  });

  it('does not fire on noisy progress, nor on a weak best below minBest', () => {
    expect(feed([0.1, 0.25, 0.2, 0.3, 0.28, 0.4, 0.33, 0.45]).collapsedAt).toBeNull();
    expect(feed([0.15, 0.12, 0.02]).collapsedAt).toBeNull();
  });
});

const { train, val } = splitData(128, 64, 9);

describe('guard in trainModel', () => {
  it('stops on an engineered collapse and restores the weights of the last passed check', async () => {
    const model = initModel(tinyMlpSpec(8), 1);
    const fake = [0.4, 0.45, 0.5, 0.05, 0.6];
    const seen: Map<string, Float32Array>[] = [];
    let calls = 0;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const r = await trainModel(
      model,
      { train, val },
      {
        epochs: 5,
        batchSize: 32,
        objective: { kind: 'fgsm-rs', eps: 0.1, guard: { everySteps: 2 } },
        validation: { subsetSize: 0 },
      },
      {
        overfitCheck: async (m: Model) => {
          seen.push(await weightsOf(m));
          return { pgdAcc: fake[calls++], fgsmAcc: 0.8 };
        },
      },
    );
    expect(r.status).toBe('catastrophic-overfitting');
    expect(calls).toBe(4);
    expect(r.step).toBe(8);
    expect(r.message).toMatch(
      /fell from 0.500 to 0.050 .* at step 8; FGSM accuracy 0.800; stopped, keeping the weights of step 6/,
    );
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('catastrophic overfitting'));
    warn.mockRestore();
    const now = await weightsOf(model);
    expect(countBitDifferences(now, seen[2])).toBe(0); // the 3rd check (step 6) passed last
    expect(countBitDifferences(now, seen[3])).toBeGreaterThan(0);
    expect(r.guard?.history.map((h) => h.pgdAcc)).toEqual([0.4, 0.45, 0.5, 0.05]);
    disposeModel(model);
  });

  it('does not fire on a normal FGSM-RS run with the real PGD check at every epoch end', async () => {
    const model = initModel(tinyMlpSpec(16), 2);
    const r = await trainModel(
      model,
      { train, val },
      {
        epochs: 4,
        batchSize: 32,
        objective: { kind: 'fgsm-rs', eps: 0.1, guard: { batchSize: 64 } },
        schedule: { kind: 'cyclic', maxLr: 0.1 },
        validation: { subsetSize: 0 },
      },
    );
    expect(r.status).toBe('completed');
    const checks = r.guard?.history ?? [];
    expect(checks.map((c) => c.step)).toEqual([4, 8, 12, 16]);
    for (const c of checks) {
      expect(c.pgdAcc).toBeGreaterThanOrEqual(0);
      expect(c.fgsmAcc).toBeGreaterThanOrEqual(0);
      expect(c.fgsmAcc).toBeLessThanOrEqual(1);
    }
    expect(checks[3].pgdAcc).toBeGreaterThan(checks[0].pgdAcc);
    disposeModel(model);
  });
});
