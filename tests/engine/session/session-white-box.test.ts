// The slider's progressive white-box figure through the session (what crosses the worker): the
// clean + transfer partial first, then estimates with their interval, images and steps while the
// white-box attack runs, then the final figure, equal to a standalone PGD evaluation of the same
// masks; a newer move supersedes at once; the tensor count stays flat.
import { describe, expect, it } from 'vitest';
import { evaluateRobustness } from '@/engine/eval/robustness';
import { logitsFn } from '@/engine/model/forward';
import { disposeMasks, toTensorMasks } from '@/engine/prune/masks';
import { rankScores } from '@/engine/prune/ranking';
import { magnitudeScores } from '@/engine/prune/scores/magnitude';
import { Session, type SliderPoint } from '@/engine/session';
import { EVAL_BATCH, evalData, WHITE_BOX_FIRST_N } from '@/engine/session/slider';
import { expectNoLeak, tinyData } from './helpers';
import { tinyConvSpec, trainedModel } from '../../fixtures/models';

const SLIDER = {
  criterion: 'magnitude' as const,
  granularity: 'unstructured' as const,
  whiteBoxAttack: { name: 'pgd-linf', options: { steps: 3 } },
};

/** A session on a trained tiny conv net with 240 test images (room for the first estimate). */
async function trainedSession() {
  const data = tinyData(160, 240);
  const model = await trainedModel(tinyConvSpec(), 2, data.train, { epochs: 4 });
  const s = new Session();
  s.useDataset({ ...data, name: 'synthetic', budget: 'fashion-mnist' });
  s.useModel(model, 'test');
  return { s, model, test: data.test };
}

describe('the slider’s progressive white-box figure (session)', () => {
  it('streams an estimate before the final, which equals the standalone evaluation', async () => {
    const { s, model, test } = await trainedSession();
    const info = await s.prepareSlider(SLIDER);
    expect(info.n).toBe(240);
    const ranking = rankScores(model.spec, await magnitudeScores(model, 'unstructured'), {
      scope: 'global',
    });
    for (const sp of [0.2, 0.5]) {
      const partials: SliderPoint[] = [];
      const r = await s.evaluateSparsity(sp, (p) => partials.push(structuredClone(p)));
      if (r.status !== 'done') throw new Error(r.status);
      const final = r.point;
      const T = Math.round(final.clean * info.n);
      expect(T).toBeGreaterThanOrEqual(2 * WHITE_BOX_FIRST_N);
      // clean + transfer first, then the first estimate (one full-attack batch: no refinement)
      expect(partials.map((p) => p.estimate?.done)).toEqual([undefined, 0]);
      expect(partials.every((p) => p.whiteBox === null && p.clean === final.clean)).toBe(true);
      expect(final.estimate).toBeUndefined();
      const e = partials[1].estimate!;
      expect(e).toMatchObject({
        sampled: WHITE_BOX_FIRST_N,
        done: 0,
        targets: T,
        attack: 'pgd-linf',
        steps: 3,
        level: 0.95,
      });
      expect(e.lo).toBeLessThanOrEqual(e.value);
      expect(e.value).toBeLessThanOrEqual(e.hi);
      // the final figure: a standalone PGD evaluation of the same masks, options and seed
      const masks = toTensorMasks(ranking.masksAt(sp));
      const direct = await evaluateRobustness(
        logitsFn(model, { masks }),
        evalData(test, info.n),
        [info.whiteBoxAttack!],
        { batchSize: EVAL_BATCH },
      );
      disposeMasks(masks);
      expect(final.whiteBox).toBe(direct.perAttack[0].robustAccuracy);
      // and the estimate's interval holds it in this case
      expect(final.whiteBox!).toBeGreaterThanOrEqual(e.lo - 1e-12);
      expect(final.whiteBox!).toBeLessThanOrEqual(e.hi + 1e-12);
    }
    await s.dispose();
  });

  it('a newer move supersedes the running white-box attack at once; no leaks', async () => {
    const { s } = await trainedSession();
    await s.prepareSlider({
      ...SLIDER,
      whiteBoxAttack: { name: 'pgd-linf', options: { steps: 100 } },
    });
    const seen: SliderPoint[] = [];
    let next: ReturnType<Session['evaluateSparsity']> | undefined;
    const first = s.evaluateSparsity(0.3, (p) => {
      seen.push(p);
      if (p.estimate) next ??= s.evaluateSparsity(0.4, (q) => seen.push(q));
    });
    expect(await first).toEqual({ status: 'superseded', sparsity: 0.3 });
    expect(seen.filter((p) => p.sparsity === 0.3).map((p) => p.estimate?.done)).toEqual([
      undefined,
      0,
    ]);
    const second = await next!;
    expect(second.status).toBe('done');
    await s.prepareSlider(SLIDER);
    await expectNoLeak(() => s.evaluateSparsity(0.6, () => undefined), 3);
    await s.dispose();
  });
});
