// The 'epochs-to-settle' speed metric (issue 17): the first epoch from which the validation
// adversarial accuracy stays within a margin of the best any compared cell reached, per seed; its
// seconds, its speed-up against a baseline, the offline protocol's fixed-set curve; the sweep
// field's validation and the merge's agreement check.
import { describe, expect, it } from 'vitest';
import type { ExperimentReport } from '@/engine/experiment/report';
import { expandSweep } from '@/engine/experiment/sweep';
import { mergeSweepReports } from '@/engine/experiment/sweep-merge';
import {
  makeSweepReport,
  settleEpoch,
  settleRows,
  summarizeSweep,
} from '@/engine/experiment/sweep-summary';
import type { SweepAxis, SweepCell } from '@/engine/experiment/sweep-types';

describe('settleEpoch', () => {
  it('is the first epoch from which every later evaluated accuracy is at the level', () => {
    // level 0.61: epoch 5 (0.61, equal counts) and 6 (0.63) are there; epoch 4 (0.58) is not
    expect(settleEpoch([0.1, 0.5, 0.62, 0.58, 0.61, 0.63], 0.61)).toBe(5);
    // reaching the level early does not count when the curve falls back below it later
    expect(settleEpoch([0.7, 0.7, 0.5, 0.7], 0.65)).toBe(4);
    expect(settleEpoch([0.7, 0.7, 0.7], 0.65)).toBe(1);
    // epochs not evaluated are skipped
    expect(settleEpoch([0.2, null, 0.7, null, 0.66], 0.65)).toBe(3);
    expect(settleEpoch([0.2, 0.5, null, 0.66, null], 0.65)).toBe(4);
    // the last evaluated epoch below the level: never settled
    expect(settleEpoch([0.7, 0.7, 0.6], 0.65)).toBeNaN();
    expect(settleEpoch([null, null], 0.1)).toBeNaN();
    expect(settleEpoch([], 0.1)).toBeNaN();
    // 0.62 − 0.01 is 0.6100000000000001 in floating point: 0.61 still counts
    expect(settleEpoch([0.5, 0.61], 0.62 - 0.01)).toBe(2);
  });
});

const AXES: SweepAxis[] = [
  { name: 'seed', path: 'seed', values: [0, 1], labels: [0, 1] },
  {
    name: 'schedule',
    path: 'train.schedule',
    values: [{ kind: 'constant' }, { kind: 'accelat' }],
    labels: ['constant', 'accelat'],
  },
];

/** A report with only what the summary reads: a training curve (wallSec 10 per epoch). */
function report(
  live: (number | null)[],
  fixed?: number[],
  offlineSeconds?: number,
): ExperimentReport {
  const ev = { n: 1, cleanAccuracy: 0.8, attacks: [], worstCaseAccuracy: 0.5 };
  return {
    evaluation: ev,
    wallSeconds: 100,
    training: {
      status: 'completed',
      wallSeconds: 50,
      epochs: live.map((v, i) => ({
        epoch: i,
        valAdvAcc: v,
        ...(fixed ? { valFixedAdvAcc: fixed[i] } : {}),
        wallSec: 10,
      })),
      lrChanges: [],
      ...(offlineSeconds !== undefined ? { offlineSets: { seconds: offlineSeconds } } : {}),
    },
  } as unknown as ExperimentReport;
}

const cell = (index: number, r: ExperimentReport): SweepCell => ({
  index,
  params: { seed: Math.floor(index / 2), schedule: index % 2 === 0 ? 'constant' : 'accelat' },
  report: r,
});

describe('settleRows', () => {
  // seed 0: best 0.70 (constant, epoch 4) → level 0.68 at margin 0.02
  //   constant: 0.5 0.6 0.69 0.70 → settles at 3; accelat: 0.5 0.68 0.69 0.69 → settles at 2
  // seed 1: best 0.80 (accelat) → level 0.78
  //   constant: 0.6 0.79 0.7 0.78 → 4; accelat: 0.8 0.79 0.8 0.77 → never (last below)
  const runs = [
    cell(0, report([0.5, 0.6, 0.69, 0.7])),
    cell(1, report([0.5, 0.68, 0.69, 0.69])),
    cell(2, report([0.6, 0.79, 0.7, 0.78], [0.9, 0.9, 0.9, 0.9], 7)),
    cell(3, report([0.8, 0.79, 0.8, 0.77], [0.5, 0.95, 0.94, 0.96], 7)),
  ];
  const rows = settleRows(runs, { axis: 'schedule', margin: 0.02, baseline: 'constant' });
  const get = (i: number, m: string) => rows.get(i)?.find((r) => r.metric === m)?.value;

  it('measures each cell against the best of its seed over the compared axis', () => {
    expect(get(0, 'epochs-to-settle')).toBe(3);
    expect(get(1, 'epochs-to-settle')).toBe(2);
    expect(get(2, 'epochs-to-settle')).toBe(4);
    expect(get(3, 'epochs-to-settle')).toBeNaN();
  });

  it('counts the seconds through the settling epoch, plus the offline sets', () => {
    expect(get(0, 'seconds-to-settle')).toBe(30);
    expect(get(1, 'seconds-to-settle')).toBe(20);
    expect(get(2, 'seconds-to-settle')).toBe(7 + 40);
    expect(get(3, 'seconds-to-settle')).toBeNaN();
  });

  it('gives the speed-up against the baseline of the same seed', () => {
    expect(get(0, 'speedup-epochs')).toBe(1);
    expect(get(1, 'speedup-epochs')).toBe(3 / 2);
    expect(get(1, 'speedup-seconds')).toBe(30 / 20);
    expect(get(3, 'speedup-epochs')).toBeNaN();
  });

  it("measures when each cell holds the baseline's own level, and the speed-up to it", () => {
    // seed 0: constant's best 0.70 → level 0.68: constant from epoch 3, accelat from epoch 2
    expect(get(0, 'epochs-to-baseline')).toBe(3);
    expect(get(1, 'epochs-to-baseline')).toBe(2);
    expect(get(0, 'speedup-to-baseline')).toBe(1);
    expect(get(1, 'speedup-to-baseline')).toBe(3 / 2);
    // seed 1: constant's best 0.79 → level 0.77: constant from epoch 4 (0.7 at epoch 3),
    // accelat from epoch 1 (never below 0.77), although it never settles against the group's best
    expect(get(2, 'epochs-to-baseline')).toBe(4);
    expect(get(3, 'epochs-to-baseline')).toBe(1);
    expect(get(3, 'epochs-to-settle')).toBeNaN();
    expect(get(3, 'speedup-to-baseline')).toBe(4);
  });

  it("reads the offline protocol's fixed-set curve separately, where it was recorded", () => {
    // seed 1 fixed: best 0.96 → level 0.94: constant never (0.9), accelat from epoch 2
    expect(get(2, 'epochs-to-settle-fixed')).toBeNaN();
    expect(get(3, 'epochs-to-settle-fixed')).toBe(2);
    expect(get(3, 'seconds-to-settle-fixed')).toBe(7 + 20);
    expect(get(0, 'epochs-to-settle-fixed')).toBeUndefined(); // seed 0 has no fixed curve
  });

  it('feeds the summary (mean ± std over seeds, never-settled seeds left out)', () => {
    const summary = summarizeSweep(runs, 'seed', {
      settle: { axis: 'schedule', margin: 0.02, baseline: 'constant' },
    });
    const row = (s: string, m: string) =>
      summary.find((r) => r.params.schedule === s && r.metric === m);
    expect(row('constant', 'epochs-to-settle')?.values).toEqual([3, 4]);
    expect(row('constant', 'epochs-to-settle')?.mean).toBe(3.5);
    expect(row('accelat', 'epochs-to-settle')?.values).toEqual([2]);
    expect(row('accelat', 'speedup-epochs')?.n).toBe(1);
    // without the rule, no settle rows
    expect(summarizeSweep(runs).some((r) => r.metric.includes('settle'))).toBe(false);
    const rep = makeSweepReport(
      { name: 's', axes: AXES, cells: 4, settle: { axis: 'schedule', margin: 0.02 } },
      [{ index: 0, count: 1 }],
      runs,
    );
    expect(rep.settle).toEqual({ axis: 'schedule', margin: 0.02 });
    expect(rep.summary.some((r) => r.metric === 'epochs-to-settle')).toBe(true);
  });

  it('the merge keeps the rule and refuses shards that disagree on it', () => {
    const shard = (settle: { axis: string; margin: number }, i: number) =>
      makeSweepReport(
        { name: 's', axes: AXES, cells: 4, settle },
        [{ index: i, count: 2 }],
        [runs[i], runs[i + 2]],
      );
    const a = shard({ axis: 'schedule', margin: 0.02 }, 0);
    const merged = mergeSweepReports([
      { source: 'a', report: JSON.parse(JSON.stringify(a)) },
      { source: 'b', report: JSON.parse(JSON.stringify(shard(a.settle!, 1))) },
    ]);
    expect(merged.settle).toEqual({ axis: 'schedule', margin: 0.02 });
    expect(merged.summary.find((r) => r.metric === 'seconds-to-settle')).toBeDefined();
    expect(() =>
      mergeSweepReports([
        { source: 'a', report: a },
        { source: 'b', report: shard({ axis: 'schedule', margin: 0.05 }, 1) },
      ]),
    ).toThrow(/settle rules differ/);
  });
});

describe('sweep.settle in a config', () => {
  const base = {
    name: 'p',
    data: { kind: 'synthetic' },
    model: { architecture: 'mlp' },
    train: { epochs: 1 },
    sweep: {
      axes: [
        { name: 'seed', path: 'seed', values: [0, 1] },
        {
          name: 'schedule',
          path: 'train.schedule',
          values: [{ kind: 'constant' }, { kind: 'multistep' }],
        },
      ],
      settle: { axis: 'schedule', margin: 0.01, baseline: 'constant' },
    },
  };
  const withSettle = (settle: unknown) => ({ ...base, sweep: { ...base.sweep, settle } });

  it('is carried into the plan', () => {
    expect(expandSweep(base).settle).toEqual({
      axis: 'schedule',
      margin: 0.01,
      baseline: 'constant',
    });
  });

  it('is refused with the field named when it does not fit the axes', () => {
    expect(() => expandSweep(withSettle({ axis: 'lr', margin: 0.01 }))).toThrow(
      /sweep\.settle\.axis: 'lr' is not an axis/,
    );
    expect(() => expandSweep(withSettle({ axis: 'seed', margin: 0.01 }))).toThrow(
      /sweep\.settle\.axis: the seed axis/,
    );
    expect(() =>
      expandSweep(withSettle({ axis: 'schedule', margin: 0.01, baseline: 'cosine' })),
    ).toThrow(/sweep\.settle\.baseline: 'cosine' is not a label/);
    expect(() => expandSweep(withSettle({ axis: 'schedule', margin: 2 }))).toThrow(
      /sweep\.settle\.margin/,
    );
    expect(() => expandSweep(withSettle({ axis: 'schedule', margin: 0.1, typo: 1 }))).toThrow(
      /sweep\.settle/,
    );
  });
});
