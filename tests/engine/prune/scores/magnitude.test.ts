// Magnitude scores: |w| and per-neuron L1 norms against hand values, masks, leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeModel, initModel } from '@/engine/model/init';
import { prunableLayers } from '@/engine/model/params';
import { magnitudeScores } from '@/engine/prune/scores/magnitude';
import { ScoreInputError } from '@/engine/prune/scores/common-errors';
import { K1, WO, convModel } from './conv-ref';
import { expectClose, expectNoLeak, layerData } from './helpers';
import { everyLayerSpec } from '../../../fixtures/models';

const model = convModel();
afterAll(() => disposeModel(model));

describe('magnitudeScores', () => {
  it('unstructured: |w| in kernel layout', async () => {
    const s = await magnitudeScores(model, 'unstructured');
    expect(s.order).toBe('prune-lowest');
    expect(s.layers.get('c1/kernel')?.shape).toEqual([2, 2, 1, 2]);
    expectClose(layerData(s, 'c1/kernel'), K1.map(Math.abs));
    expectClose(layerData(s, 'out/kernel'), WO.map(Math.abs));
  });

  it('structured: L1 norm of each filter / unit (Li et al. 2017)', async () => {
    const s = await magnitudeScores(model, 'structured');
    // filter 0: |0.5| + |0.2| + |−0.4| + |0.7|; filter 1: |−0.3| + |0.8| + |0.6| + |−0.1|
    expectClose(layerData(s, 'c1/kernel'), [1.8, 1.8]);
    const unit = [0, 1].map((k) =>
      WO.filter((_, i) => i % 2 === k).reduce((a, v) => a + Math.abs(v), 0),
    );
    expectClose(layerData(s, 'out/kernel'), unit);
  });

  it('masked weights and neurons score 0; weights untouched', async () => {
    const masks = new Map([
      ['c1/kernel', tf.tensor1d([0, 1])],
      [
        'out/kernel',
        tf.tensor(
          WO.map((_, i) => (i === 3 ? 0 : 1)),
          [8, 2],
        ),
      ],
    ]);
    const st = await magnitudeScores(model, 'structured', { masks });
    expect(layerData(st, 'c1/kernel')[0]).toBe(0);
    expect(layerData(st, 'c1/kernel')[1]).toBeCloseTo(1.8, 5);
    const un = await magnitudeScores(model, 'unstructured', { masks });
    expect(layerData(un, 'c1/kernel').filter((_, k) => k % 2 === 0)).toEqual([0, 0, 0, 0]);
    expect(layerData(un, 'out/kernel')[3]).toBe(0);
    expect(layerData(un, 'out/kernel')[2]).toBeCloseTo(0.1, 6);
    expect(Array.from(await model.params.get('c1/kernel')!.data())[0]).toBeCloseTo(0.5, 6);
    tf.dispose([...masks.values()]);
  });

  it('covers every prunable layer of a residual model; no leak; bad input', async () => {
    const m = initModel(everyLayerSpec(), 3);
    const s = await magnitudeScores(m, 'structured');
    expect([...s.layers.keys()]).toEqual(prunableLayers(m.spec).map((l) => l.kernelName));
    await expectNoLeak(() => magnitudeScores(m, 'unstructured'));
    await expect(magnitudeScores(m, 'channel' as never)).rejects.toBeInstanceOf(ScoreInputError);
    disposeModel(m);
    await expect(magnitudeScores(m, 'structured')).rejects.toBeInstanceOf(ScoreInputError);
  });
});
