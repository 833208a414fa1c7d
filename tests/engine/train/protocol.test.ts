// The offline-adversarial protocol (AccelAT's own, issue 17): its sets are made once, before the
// first step, by the configured attack and never again; the run is seed-reproducible and leaks no
// tensor; AccelAT reads the fixed adversarial validation set and cuts exactly by its rule; bad
// fields are refused by name.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ATTACKS } from '@/engine/attacks/registry';
import { datasetSize } from '@/engine/data/dataset';
import { parseExperimentConfig } from '@/engine/experiment/config';
import { disposeModel, initModel } from '@/engine/model/init';
import { parseTrainConfig, type TrainConfigInput } from '@/engine/train/config';
import { isTrainError } from '@/engine/train/errors';
import { trainModel } from '@/engine/train/loop';
import { makeOfflineSets, type OfflineProtocolConfig } from '@/engine/train/protocol';
import type { Checkpoint } from '@/engine/train/checkpoint';
import { countBitDifferences, splitData, weightsOf } from './helpers';
import { tinyMlpSpec } from '../../fixtures/models';

const { train, val } = splitData(96, 48, 21);
const OFFLINE = {
  kind: 'offline-adversarial',
  attack: { name: 'pgd-linf', options: { eps: 0.1, steps: 3, stepSize: 0.04 } },
  batchSize: 40,
} as const;

const config = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  epochs: 3,
  batchSize: 32,
  seed: 5,
  objective: { kind: 'standard' },
  optimizer: { kind: 'sgd', momentum: 0, weightDecay: 0 },
  schedule: { kind: 'constant', lr: 0.05 },
  validation: { subsetSize: 30, steps: 2 },
  protocol: OFFLINE,
  ...over,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('offline-adversarial protocol: the sets', () => {
  it('are made once, before the first step, and the attack never runs on training data again', async () => {
    const events: { what: string; n?: number; epoch?: number; batch?: number }[] = [];
    const run = ATTACKS['pgd-linf'].run;
    const spy = vi.spyOn(ATTACKS['pgd-linf'], 'run').mockImplementation((f, x, y, o) => {
      events.push({ what: 'attack', n: x.shape[0] });
      return run(f, x, y, o);
    });
    const model = initModel(tinyMlpSpec(8), 1);
    const r = await trainModel(model, { train, val }, config(), {
      onProgress: (p) => events.push({ what: 'step', epoch: p.epoch, batch: p.batch }),
      onEpochEnd: (e) => events.push({ what: 'epoch', epoch: e.epoch }),
    });
    disposeModel(model);
    expect(r.status).toBe('completed');
    const firstStep = events.findIndex((e) => e.what === 'step');
    // before the first step: 96 training images in chunks of 40, then the 30 validation images
    expect(events.slice(0, firstStep)).toEqual([
      { what: 'attack', n: 40 },
      { what: 'attack', n: 40 },
      { what: 'attack', n: 16 },
      { what: 'attack', n: 30 },
    ]);
    expect(r.offline).toMatchObject({
      attack: { name: 'pgd-linf', options: { eps: 0.1, steps: 3, stepSize: 0.04, restarts: 1 } },
      mix: 'union',
      trainAttacked: 96,
      trainSamples: 192,
      valAttacked: 30,
      attackCalls: 4,
    });
    // after it: only the live PGD validation, inside each epoch end (after the epoch's last step,
    // before its metrics), on at most the 30 validation images
    const spe = Math.ceil(192 / 32); // union: clean ∪ adversarial
    events.slice(firstStep).forEach((e, i, rest) => {
      if (e.what !== 'attack') return;
      const before = rest
        .slice(0, i)
        .filter((x) => x.what !== 'attack')
        .at(-1);
      const after = rest.slice(i + 1).find((x) => x.what !== 'attack');
      expect(before).toMatchObject({ what: 'step', batch: spe - 1 });
      expect(after).toMatchObject({ what: 'epoch', epoch: before?.epoch });
      expect(e.n).toBeLessThanOrEqual(30);
    });
    expect(spy.mock.calls.length).toBeGreaterThan(4); // the live validation did run
    expect(events.filter((e) => e.what === 'step')).toHaveLength(3 * spe);
    for (const h of r.history) {
      expect(h.steps).toBe(spe);
      expect(h.valFixedAdvAcc).toBeGreaterThanOrEqual(0);
      expect(h.valAdvAcc).not.toBeNull();
      expect(h.trainAdvAcc).toBeNull(); // the objective is standard
    }
  });

  it("'adversarial' trains on the adversarial copies alone; per-batch runs have no fixed set", async () => {
    const model = initModel(tinyMlpSpec(8), 1);
    const r = await trainModel(
      model,
      { train, val },
      config({ epochs: 1, protocol: { ...OFFLINE, mix: 'adversarial' } }),
    );
    expect(r.offline?.trainSamples).toBe(96);
    expect(r.history[0].steps).toBe(3);
    const p = await trainModel(model, { train, val }, config({ epochs: 1, protocol: undefined }));
    expect(p.offline).toBeUndefined();
    expect('valFixedAdvAcc' in p.history[0]).toBe(false);
    disposeModel(model);
  });

  it('hold the clean images and their attacked copies, within ε and [0, 1]', async () => {
    const model = initModel(tinyMlpSpec(8), 1);
    const p = parseTrainConfig(config()).protocol as OfflineProtocolConfig;
    const sets = await makeOfflineSets(model, undefined, train, val, 30, p, 5);
    const n = datasetSize(train);
    const size = 64;
    expect(datasetSize(sets.train)).toBe(2 * n);
    expect(sets.train.images.subarray(0, n * size)).toEqual(train.images);
    expect(Array.from(sets.train.labels)).toEqual([...train.labels, ...train.labels]);
    const adv = sets.train.images.subarray(n * size);
    let moved = 0;
    for (let i = 0; i < adv.length; i++) {
      expect(Math.abs(adv[i] - train.images[i])).toBeLessThanOrEqual(0.1 + 1e-6);
      expect(adv[i]).toBeGreaterThanOrEqual(0);
      expect(adv[i]).toBeLessThanOrEqual(1);
      if (adv[i] !== train.images[i]) moved++;
    }
    expect(moved).toBeGreaterThan(adv.length / 2);
    expect(sets.val?.x.shape).toEqual([30, 8, 8, 1]);
    // the same seed and initial model give the same sets, bit for bit
    const again = await makeOfflineSets(model, undefined, train, val, 30, p, 5);
    expect(again.train.images).toEqual(sets.train.images);
    expect(await again.val?.x.data()).toEqual(await sets.val?.x.data());
    for (const s of [sets, again]) tf.dispose([s.val?.x, s.val?.y].filter((t) => t !== undefined));
    disposeModel(model);
  });
});

describe('offline-adversarial protocol: the run', () => {
  const strip = <T extends { wallSec?: number; seconds?: number }>(xs: T[]) =>
    xs.map(({ wallSec: _w, ...rest }) => rest);

  it('is seed-reproducible: the same seed gives the same weights and metrics bit for bit', async () => {
    const go = async (seed: number) => {
      const model = initModel(tinyMlpSpec(8), 1);
      const r = await trainModel(
        model,
        { train, val },
        config({
          seed,
          schedule: { kind: 'accelat', lr: 0.05, ftEp: 1, sdEp: 0, pw: 0.5 },
        }),
      );
      const w = await weightsOf(model);
      disposeModel(model);
      return { r, w };
    };
    const a = await go(5);
    const b = await go(5);
    expect(countBitDifferences(a.w, b.w)).toBe(0);
    expect(strip(a.r.history)).toEqual(strip(b.r.history));
    expect(a.r.lrChanges).toEqual(b.r.lrChanges);
    expect(a.r.lrChanges.length).toBeGreaterThan(0);
    const c = await go(6);
    expect(countBitDifferences(a.w, c.w)).toBeGreaterThan(0);
  });

  it('leaks no tensor across repeated runs, a stop while the sets are made, or a refusal', async () => {
    const model = initModel(tinyMlpSpec(8), 1);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 2; k++) {
      const r = await trainModel(model, { train, val }, config({ epochs: 2 }));
      expect(r.status).toBe('completed');
      expect(tf.memory().numTensors).toBe(before);
    }
    const stopped = await trainModel(model, { train, val }, config(), {
      signal: { aborted: true },
    });
    expect(stopped.status).toBe('stopped');
    expect(stopped.message).toMatch(/offline adversarial sets/);
    expect(stopped.step).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    // a checkpoint of an offline run cannot resume (the sets came from the initial model)
    let ckpt: Checkpoint | undefined;
    await trainModel(model, { train, val }, config({ epochs: 1 }), {
      onCheckpoint: (c) => {
        ckpt = c;
      },
    });
    const err = await trainModel(model, { train, val }, config(), {}, ckpt).catch((e) => e);
    expect(isTrainError(err) && err.problem).toBe('bad-checkpoint');
    expect(String(err)).toMatch(/offline-adversarial protocol cannot resume/);
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });
});

/**
 * AccelAT's rule as stated in ../shared/RESEARCH.md, written independently of schedules/accelat.ts:
 * the epochs (0-based) whose end cuts the rate, and the rate used in each epoch.
 */
function referenceAccelat(
  accs: number[],
  o: { lr: number; ftEp: number; sdEp: number; pw: number; paLr: number; fiLr: number },
): { cutAfter: number[]; lrs: number[] } {
  const means: number[] = [];
  let quiet = o.sdEp;
  let lr = o.lr;
  const cutAfter: number[] = [];
  const lrs: number[] = [];
  accs.forEach((_, t) => {
    lrs.push(lr);
    const w = accs.slice(Math.max(0, t + 1 - o.ftEp), t + 1);
    const m = w.reduce((s, v) => s + v, 0) / w.length;
    quiet += 1;
    if (means.length > o.ftEp && quiet > o.sdEp && m - means[means.length - 1] < o.pw) {
      const next = Math.max(lr * o.paLr, o.fiLr);
      if (next !== lr) cutAfter.push(t);
      lr = next;
      quiet = 1;
    }
    means.push(m);
  });
  return { cutAfter, lrs };
}

describe('offline-adversarial protocol: AccelAT', () => {
  const PAPER = { lr: 1e-3, ftEp: 5, sdEp: 5, pw: 0.005, paLr: 0.8, fiLr: 1e-6 };

  it('cuts exactly by the rule on a scripted fixed-set accuracy sequence', async () => {
    // rise by 0.1 for 8 epochs, then flat: m_12 − m_11 = 0.02 (no cut), m_13 − m_12 = 0 → cut
    // at the end of the 13th epoch (index 12), then every sd_ep = 5: the 18th (index 17)
    const seq = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, ...Array<number>(12).fill(0.8)];
    const model = initModel(tinyMlpSpec(8), 1);
    const asked: number[] = [];
    const r = await trainModel(
      model,
      { train, val },
      config({
        epochs: seq.length,
        batchSize: 96,
        schedule: { kind: 'accelat', ...PAPER },
        validation: { subsetSize: 10, steps: 1, evalEvery: 100 },
      }),
      {
        offlineValAccuracy: async (_m, _masks, epoch) => {
          asked.push(epoch);
          return seq[epoch];
        },
      },
    );
    disposeModel(model);
    expect(r.status).toBe('completed');
    expect(asked).toEqual(seq.map((_, i) => i)); // every epoch end, in order
    expect(r.history.map((h) => h.valFixedAdvAcc)).toEqual(seq);
    // the live PGD validation follows evalEvery (only the last epoch here): AccelAT does not need it
    expect(r.history.filter((h) => h.valAdvAcc !== null).map((h) => h.epoch)).toEqual([19]);
    expect(r.lrChanges.map((c) => [c.epoch, c.from, c.to])).toEqual([
      [13, 1e-3, 1e-3 * 0.8],
      [18, 1e-3 * 0.8, 1e-3 * 0.8 * 0.8],
    ]);
    const ref = referenceAccelat(seq, PAPER);
    expect(ref.cutAfter).toEqual([12, 17]);
    expect(r.history.map((h) => h.lr)).toEqual(ref.lrs);
    for (const c of r.lrChanges) expect(c.reason).toMatch(/^accelat: mean adv acc/);
  });

  it('on a real run, its cuts replay from the recorded fixed-set accuracies', async () => {
    const o = { lr: 0.05, ftEp: 1, sdEp: 1, pw: 0.02, paLr: 0.5, fiLr: 1e-6 };
    const model = initModel(tinyMlpSpec(8), 2);
    const r = await trainModel(
      model,
      { train, val },
      config({ epochs: 8, schedule: { kind: 'accelat', ...o } }),
    );
    disposeModel(model);
    const accs = r.history.map((h) => h.valFixedAdvAcc as number);
    const ref = referenceAccelat(accs, o);
    expect(ref.cutAfter.length).toBeGreaterThan(0);
    expect(r.lrChanges.map((c) => c.epoch)).toEqual(ref.cutAfter.map((t) => t + 1));
    expect(r.history.map((h) => h.lr)).toEqual(ref.lrs);
  });

  it('needs the validation set for its fixed adversarial copy', async () => {
    const model = initModel(tinyMlpSpec(8), 1);
    const err = await trainModel(model, { train }, config({ schedule: { kind: 'accelat' } })).catch(
      (e) => e,
    );
    disposeModel(model);
    expect(isTrainError(err) && err.problem).toBe('bad-config');
  });
});

describe('offline-adversarial protocol: config', () => {
  const bad = (protocol: unknown, over: Record<string, unknown> = {}) => {
    try {
      parseTrainConfig({ ...config(), protocol, ...over });
    } catch (e) {
      return String(e);
    }
    return 'accepted';
  };

  it('resolves the attack options and leaves per-batch configs as they were', () => {
    const c = parseTrainConfig(
      config({ protocol: { kind: 'offline-adversarial', attack: { name: 'pgd-linf' } } }),
    );
    expect(c.protocol).toEqual({
      kind: 'offline-adversarial',
      attack: {
        name: 'pgd-linf',
        options: {
          eps: 0.1,
          steps: 20,
          stepSize: 0.025,
          restarts: 1,
          randomStart: true,
          loss: 'ce',
          kappa: 50,
        },
      },
      mix: 'union',
      craftMode: 'eval',
      batchSize: 256,
    });
    // the validation's ε follows the protocol attack's ε under the standard objective
    const e = parseTrainConfig(
      config({
        protocol: { ...OFFLINE, attack: { name: 'pgd-linf', options: { eps: 0.05 } } },
      }),
    );
    expect(e.validation.eps).toBe(0.05);
    const plain = parseTrainConfig({ epochs: 2 });
    expect('protocol' in plain).toBe(false);
    expect(parseTrainConfig({ protocol: { kind: 'per-batch' } }).protocol).toEqual({
      kind: 'per-batch',
    });
  });

  it('refuses bad fields, naming each', () => {
    expect(bad(OFFLINE, { objective: { kind: 'pgd-at' } })).toMatch(
      /config\.objective\.kind: the offline-adversarial protocol .* must be 'standard', not 'pgd-at'/,
    );
    expect(bad({ ...OFFLINE, attack: { name: 'pgd-linfinity' } })).toMatch(
      /config\.protocol\.attack\.name/,
    );
    expect(bad({ ...OFFLINE, attack: { name: 'pgd-linf', options: { eps: 2 } } })).toMatch(
      /config\.protocol\.attack\.options: .*eps/,
    );
    expect(bad({ ...OFFLINE, attack: { name: 'pgd-linf', options: { seed: 3 } } })).toMatch(
      /config\.protocol\.attack\.options\.seed: set by the protocol/,
    );
    expect(bad({ ...OFFLINE, mix: 'both' })).toMatch(/config\.protocol\.mix/);
    expect(bad({ ...OFFLINE, batchSize: 0 })).toMatch(/config\.protocol\.batchSize/);
    expect(bad({ ...OFFLINE, epsilon: 0.1 })).toMatch(/config\.protocol.*epsilon/);
    expect(bad({ kind: 'offline' })).toMatch(/config\.protocol\.kind/);
  });

  it('is named by its path in an experiment config (what the CLI prints)', () => {
    const exp = (protocol: unknown) => ({
      name: 'x',
      data: { kind: 'synthetic' },
      model: { architecture: 'mlp' },
      train: { objective: { kind: 'standard' }, protocol },
    });
    expect(parseExperimentConfig(exp(OFFLINE)).train?.protocol?.kind).toBe('offline-adversarial');
    expect(() =>
      parseExperimentConfig(
        exp({ ...OFFLINE, attack: { name: 'pgd-linf', options: { steps: 0 } } }),
      ),
    ).toThrow(/train\.protocol\.attack\.options: .*steps/);
    expect(() => parseExperimentConfig(exp({ ...OFFLINE, mix: 'half' }))).toThrow(
      /train\.protocol\.mix/,
    );
  });
});
