// Learning-rate schedules against hand-computed values, and AccelAT against a hand-traced run.
import { describe, expect, it } from 'vitest';
import { isTrainError } from '@/engine/train/errors';
import {
  accelatOnEpochEnd,
  createAccelatSchedule,
  type AccelatScheduleState,
} from '@/engine/train/schedules/accelat';
import {
  createSchedule,
  eventAt,
  lrAt,
  onEpochEnd,
  type ScheduleState,
} from '@/engine/train/schedules';

const at = (s: ScheduleState, step: number, spe: number) =>
  lrAt(s, { epoch: Math.floor(step / spe), step, stepsPerEpoch: spe });
const ev = (s: ScheduleState, step: number, spe: number) =>
  eventAt(s, { epoch: Math.floor(step / spe), step, stepsPerEpoch: spe });

describe('step-based schedules', () => {
  it('constant never changes and ignores epoch ends', () => {
    const s = createSchedule({ kind: 'constant', lr: 0.03 }, { epochs: 3 });
    for (const t of [0, 5, 99]) expect(at(s, t, 10)).toBe(0.03);
    expect(ev(s, 10, 10)).toBeUndefined();
    expect(onEpochEnd(s, { epoch: 0, advValAccuracy: 0.5 })).toEqual({ state: s });
  });

  it('multistep multiplies by γ at each milestone epoch and logs it once', () => {
    const s = createSchedule(
      { kind: 'multistep', lr: 0.1, milestones: [2, 4], gamma: 0.5 },
      { epochs: 6 },
    );
    const spe = 3;
    const perEpoch = [0, 1, 2, 3, 4, 5].map((e) => at(s, e * spe + 1, spe));
    expect(perEpoch).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
    const events = Array.from({ length: 6 * spe }, (_, t) => [t, ev(s, t, spe)] as const).filter(
      ([, r]) => r !== undefined,
    );
    expect(events).toEqual([
      [6, 'multistep milestone 2: lr × 0.5'],
      [12, 'multistep milestone 4: lr × 0.5'],
    ]);
  });

  it('cosine starts at lr, halves at mid-run and reaches minLr at the end', () => {
    const s = createSchedule({ kind: 'cosine', lr: 0.2, minLr: 0.02 }, { epochs: 4 });
    const spe = 5; // T = 20
    expect(at(s, 0, spe)).toBeCloseTo(0.2, 12);
    expect(at(s, 10, spe)).toBeCloseTo(0.11, 12);
    expect(at(s, 20, spe)).toBe(0.02);
    expect(at(s, 19, spe)).toBeCloseTo(0.02 + (0.18 * (1 + Math.cos((Math.PI * 19) / 20))) / 2, 12);
    for (let t = 1; t <= 20; t++) expect(at(s, t, spe)).toBeLessThan(at(s, t - 1, spe));
  });

  it('cosine warmup rises linearly to lr, then anneals, and logs the end of the warmup', () => {
    const s = createSchedule({ kind: 'cosine', lr: 0.1, warmupEpochs: 1 }, { epochs: 3 });
    const spe = 4; // W = 4, T = 12
    [0.025, 0.05, 0.075, 0.1].forEach((v, t) => expect(at(s, t, spe)).toBeCloseTo(v, 12));
    expect(at(s, 4, spe)).toBeCloseTo(0.1, 12);
    expect(at(s, 8, spe)).toBeCloseTo(0.05, 12);
    expect(ev(s, 4, spe)).toMatch(/warmup over after 4 steps/);
    expect(ev(s, 3, spe)).toBeUndefined();
  });

  it('one-cycle peaks at maxLr at mid-run, starts and ends at minLr (Wong et al.)', () => {
    const s = createSchedule({ kind: 'cyclic', mode: 'one-cycle', maxLr: 0.2 }, { epochs: 5 });
    const spe = 4; // T = 20, peak at 10
    expect(at(s, 0, spe)).toBe(0);
    expect(at(s, 10, spe)).toBeCloseTo(0.2, 12);
    expect(at(s, 5, spe)).toBeCloseTo(0.1, 12);
    expect(at(s, 15, spe)).toBeCloseTo(0.1, 12);
    expect(at(s, 19, spe)).toBeCloseTo(0.02, 12);
    expect(at(s, 20, spe)).toBe(0);
    expect(ev(s, 10, spe)).toMatch(/peak 0.2/);
    const peakAt40 = createSchedule({ kind: 'cyclic', maxLr: 1, peakFraction: 0.4 }, { epochs: 1 });
    const lrs = Array.from({ length: 10 }, (_, t) => at(peakAt40, t, 10));
    expect(lrs.indexOf(Math.max(...lrs))).toBe(4);
  });

  it('triangular cycles between minLr and maxLr with the given period', () => {
    const s = createSchedule(
      { kind: 'cyclic', mode: 'triangular', minLr: 0.01, maxLr: 0.05, cycleEpochs: 1 },
      { epochs: 4 },
    );
    const spe = 8; // half cycle 4 steps
    const want: [number, number][] = [
      [0, 0.01],
      [2, 0.03],
      [4, 0.05],
      [6, 0.03],
      [8, 0.01],
      [12, 0.05],
    ];
    for (const [t, v] of want) expect(at(s, t, spe)).toBeCloseTo(v, 12);
    expect(ev(s, 4, spe)).toMatch(/peak/);
    expect(ev(s, 8, spe)).toMatch(/trough/);
  });

  it('rejects bad configs with a TrainError naming the field', () => {
    const bad = [
      { kind: 'multistep', milestones: [3, 2] },
      { kind: 'cosine', lr: 0.1, minLr: 0.2 },
      { kind: 'cyclic', peakFraction: 1 },
      { kind: 'accelat', lr: 1e-7, fiLr: 1e-6 },
      { kind: 'constant', lr: -1 },
      { kind: 'step' },
    ];
    for (const c of bad) {
      let err: unknown;
      try {
        createSchedule(c as never, { epochs: 2 });
      } catch (e) {
        err = e;
      }
      expect(isTrainError(err, 'bad-config'), JSON.stringify(c)).toBe(true);
    }
    expect(() => createSchedule({ kind: 'constant' }, { epochs: 0 })).toThrow(/epochs/);
  });
});

/** Runs AccelAT over a sequence of accuracies; returns the lr after each epoch and the changes. */
function trace(state: AccelatScheduleState, accs: number[]) {
  const lrs: number[] = [];
  const changes: { epoch: number; from: number; to: number; reason: string }[] = [];
  let s = state;
  accs.forEach((a, epoch) => {
    const r = accelatOnEpochEnd(s, { epoch, advValAccuracy: a });
    s = r.state;
    lrs.push(s.current);
    if (r.change) changes.push({ epoch, ...r.change });
  });
  return { lrs, changes, state: s };
}

describe('AccelAT (Nikfam et al. 2022)', () => {
  const base = {
    kind: 'accelat' as const,
    lr: 1e-3,
    ftEp: 5,
    sdEp: 5,
    pw: 0.005,
    paLr: 0.8,
    fiLr: 1e-6,
  };

  it('hand trace: rising accuracy, then a plateau: first cut at epoch 11, then every sd_ep = 5 epochs', () => {
    // accs 0.1 … 0.6 then flat. Means m_t over the last 5: t7 0.48, t8 0.54, t9 0.58, t10 0.60,
    // t11 0.60 (rise 0 < pw) → cut; quiet = 1 at t11, …, 6 at t16 → next cut at t16, then t21.
    const accs = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, ...Array<number>(15).fill(0.6)];
    const { lrs, changes, state } = trace(createAccelatSchedule(base), accs);
    expect(changes.map((c) => c.epoch + 1)).toEqual([11, 16, 21]);
    expect(lrs.slice(0, 10).every((v) => v === 1e-3)).toBe(true);
    expect(lrs[10]).toBeCloseTo(8e-4, 15);
    expect(lrs[15]).toBeCloseTo(6.4e-4, 15);
    expect(lrs[20]).toBeCloseTo(5.12e-4, 15);
    expect(state.means.slice(6, 10).map((m) => +m.toFixed(10))).toEqual([0.48, 0.54, 0.58, 0.6]);
    expect(changes[0].reason).toBe(
      'accelat: mean adv acc over the last 5 epochs changed by +0.0000 < pw 0.005; lr × 0.8',
    );
  });

  it('"more than 5 means": a flat start cuts first at the 7th epoch, not the 6th', () => {
    const { changes } = trace(createAccelatSchedule(base), Array<number>(7).fill(0.5));
    expect(changes.map((c) => c.epoch + 1)).toEqual([7]);
    expect(trace(createAccelatSchedule(base), Array<number>(6).fill(0.5)).changes).toEqual([]);
  });

  it('no cut while the mean rises by at least pw; a rise just below pw cuts', () => {
    const rising = Array.from({ length: 20 }, (_, i) => 0.1 + 0.006 * i); // mean rises 0.006/epoch
    expect(trace(createAccelatSchedule(base), rising).changes).toEqual([]);
    const slow = Array.from({ length: 8 }, (_, i) => 0.1 + 0.004 * i); // 0.004 < pw
    const r = trace(createAccelatSchedule(base), slow);
    expect(r.changes.map((c) => c.epoch + 1)).toEqual([7]);
    expect(r.changes[0].reason).toContain('changed by +0.0040 < pw 0.005');
  });

  it('no cut within sd_ep epochs of the previous one, even on a falling accuracy', () => {
    const falling = Array.from({ length: 30 }, (_, i) => 0.9 - 0.01 * i);
    const cuts = trace(createAccelatSchedule({ ...base, sdEp: 3 }), falling).changes.map(
      (c) => c.epoch + 1,
    );
    expect(cuts[0]).toBe(7);
    for (let i = 1; i < cuts.length; i++) expect(cuts[i] - cuts[i - 1]).toBe(3);
  });

  it('never goes below fi_lr; a cut at the floor changes nothing and logs nothing', () => {
    const s = createAccelatSchedule({ ...base, lr: 1e-5, fiLr: 6e-6 });
    const { lrs, changes } = trace(s, Array<number>(30).fill(0.3)); // cuts at 7, 12, 17, 22, 27
    expect(changes.map((c) => c.epoch + 1)).toEqual([7, 12, 17]);
    expect(changes[2].to).toBe(6e-6);
    expect(changes[2].reason).toContain('floored at fi_lr');
    expect(Math.min(...lrs)).toBe(6e-6);
    expect(lrs[29]).toBe(6e-6);
  });

  it('is pure and needs the adversarial validation accuracy', () => {
    const s = createAccelatSchedule(base);
    const copy = JSON.parse(JSON.stringify(s));
    accelatOnEpochEnd(s, { epoch: 0, advValAccuracy: 0.4 });
    expect(s).toEqual(copy);
    expect(() => accelatOnEpochEnd(s, { epoch: 0, advValAccuracy: null })).toThrow(
      /adversarial validation accuracy/,
    );
    expect(() => accelatOnEpochEnd(s, { epoch: 0, advValAccuracy: 1.5 })).toThrow(/bad-state/);
  });

  it('lrAt follows the state and the registry routes epoch ends to it', () => {
    let s: ScheduleState = createSchedule(
      { kind: 'accelat', lr: 0.01, ftEp: 1, sdEp: 0 },
      { epochs: 10 },
    );
    for (let e = 0; e < 3; e++) s = onEpochEnd(s, { epoch: e, advValAccuracy: 0.5 }).state;
    expect(at(s, 100, 10)).toBeCloseTo(0.008, 15); // means.length > 1 first at the 3rd epoch
  });
});
