// The scoring batch loop: order and coverage, attack budget and seeding, disposal (also on early
// exit), and validation of the context.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { AttackOptionError } from '@/engine/attacks/errors';
import { disposeModel } from '@/engine/model/init';
import { ScoreInputError } from '@/engine/prune/scores/common-errors';
import {
  checkScoreContext,
  scoringBatches,
  type ScoreContext,
} from '@/engine/prune/scores/context';
import { convModel } from './conv-ref';

const model = convModel();
afterAll(() => disposeModel(model));
const N = 5;
const X = Float32Array.from({ length: N * 9 }, (_, i) => ((i * 7) % 10) / 10);
X.copyWithin(9, 0, 9); // samples 0 and 1 identical
const ctx = (over: Partial<ScoreContext> = {}): ScoreContext => ({
  model,
  data: { x: X, y: Int32Array.from([0, 1, 0, 1, 1]), shape: [3, 3, 1] },
  attack: { name: 'fgsm-rs', options: { eps: 0.1, stepSize: 0.125 } },
  granularity: 'structured',
  batchSize: 2,
  seed: 7,
  ...over,
});

async function collect(c: ScoreContext, adversarial: boolean) {
  const xs: number[] = [];
  const adv: number[] = [];
  const starts: number[] = [];
  for await (const b of scoringBatches(c, adversarial)) {
    starts.push(b.start);
    xs.push(...(await b.x.data()));
    if (b.xAdv) adv.push(...(await b.xAdv.data()));
    else expect(adversarial).toBe(false);
    expect(b.y.dtype).toBe('int32');
  }
  return { xs, adv, starts };
}

describe('scoringBatches', () => {
  it('yields every sample once, in order, and x′ inside the ε-ball and [0, 1]', async () => {
    const { xs, adv, starts } = await collect(ctx(), true);
    expect(starts).toEqual([0, 2, 4]);
    expect(xs).toEqual(Array.from(X));
    expect(adv.length).toBe(X.length);
    adv.forEach((v, i) => {
      expect(Math.abs(v - X[i])).toBeLessThanOrEqual(0.1 + 1e-6);
      expect(v >= 0 && v <= 1).toBe(true);
    });
    expect(adv.some((v, i) => Math.abs(v - X[i]) > 1e-3)).toBe(true);
    expect((await collect(ctx(), false)).adv).toEqual([]);
  });

  it('seeds attacks by ctx.seed and batch: repeatable, different per batch and per seed', async () => {
    const c = ctx({ batchSize: 1 });
    const a = (await collect(c, true)).adv;
    expect((await collect(c, true)).adv).toEqual(a);
    expect(a.slice(0, 9)).not.toEqual(a.slice(9, 18)); // same image, batches 0 and 1
    expect((await collect(ctx({ batchSize: 1, seed: 8 }), true)).adv).not.toEqual(a);
    const own = ctx({
      batchSize: 1,
      attack: { name: 'fgsm-rs', options: { eps: 0.1, stepSize: 0.125, seed: 7 } },
    });
    expect((await collect(own, true)).adv).toEqual(a); // an explicit attack seed takes ctx.seed's place
  });

  it('disposes its tensors, also when the consumer stops early or throws', async () => {
    await collect(ctx(), true);
    const before = tf.memory().numTensors;
    await collect(ctx(), true);
    for await (const b of scoringBatches(ctx(), true)) if (b.start === 2) break;
    await expect(
      (async () => {
        for await (const _ of scoringBatches(ctx(), true)) throw new Error('consumer failed');
      })(),
    ).rejects.toThrow('consumer failed');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cancels before the next batch', async () => {
    const signal = { aborted: false };
    const before = tf.memory().numTensors;
    const run = async () => {
      for await (const _ of scoringBatches(ctx({ signal }), true)) signal.aborted = true;
    };
    await expect(run()).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad context with a typed error naming the field', () => {
    const d = ctx().data;
    const cases: [Partial<ScoreContext>, string][] = [
      [{ batchSize: 0 }, 'batchSize'],
      [{ batchSize: 1.5 }, 'batchSize'],
      [{ seed: NaN }, 'seed'],
      [{ granularity: 'filters' as never }, 'granularity'],
      [{ data: { ...d, shape: [3, 3, 2] } }, 'data.shape'],
      [{ data: { ...d, x: d.x.subarray(1) } }, 'data.x'],
      [{ data: { ...d, x: Float32Array.from(d.x, (v, i) => (i === 3 ? 1.5 : v)) } }, 'data.x'],
      [{ data: { ...d, x: Float32Array.from(d.x, (v, i) => (i === 3 ? NaN : v)) } }, 'data.x'],
      [{ data: { ...d, y: Int32Array.from([0, 1, 2, 0, 0]) } }, 'data.y'],
      [{ data: { x: new Float32Array(0), y: new Int32Array(0), shape: [3, 3, 1] } }, 'data.y'],
    ];
    for (const [over, field] of cases) {
      let err: unknown;
      try {
        checkScoreContext(ctx(over));
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(ScoreInputError);
      expect((err as ScoreInputError).field).toBe(field);
    }
    expect(() => checkScoreContext(ctx({ attack: { name: 'nope', options: {} } }))).toThrow(
      AttackOptionError,
    );
    expect(() => checkScoreContext(ctx({ attack: { name: 'fgsm', options: { eps: 2 } } }))).toThrow(
      AttackOptionError,
    );
    const bad = new Map([['c1/kernel', tf.tensor1d([1, 0, 1])]]);
    expect(() => checkScoreContext(ctx({ masks: bad }))).toThrow(/mask/);
    bad.get('c1/kernel')?.dispose();
  });
});
