/**
 * compactModel: the compacted model computes the masked model's logits (inference and training
 * BN, non-trivial weights and BN statistics), its parameter count is sparsityReport's paramsAfter,
 * its file is smaller; residual-stream masks stay masks; typed errors; no leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { countModel } from '@/engine/model/counts';
import { forward } from '@/engine/model/forward';
import { disposeModel } from '@/engine/model/init';
import { saveModelSafetensors } from '@/engine/model/serialize/model-io';
import { lenetSpec, mlpSpec, resnetSmallSpec, vggSmallSpec } from '@/engine/model/spec';
import type { ModelSpec } from '@/engine/model/spec';
import type { Masks, Model } from '@/engine/model/types';
import { compactModel } from '@/engine/prune/compact';
import { MaskError, disposeMasks, masksFromScores, toTensorMasks } from '@/engine/prune/masks';
import { sparsityReport } from '@/engine/prune/sparsity';
import type { PlainMasks } from '@/engine/prune/types';
import { randomInput } from '../../model/helpers';
import { expectNoLeak, randomModel, randomScores } from './helpers';

/** conv(BN) → conv → globalAvgPool → dense → head: conv→conv and conv→GAP→dense. */
const gapNet: ModelSpec = {
  name: 'gap-net',
  inputShape: [8, 8, 2],
  numClasses: 3,
  layers: [
    { kind: 'conv2d', name: 'c1', filters: 8, kernelSize: 3, batchNorm: true },
    { kind: 'conv2d', name: 'c2', filters: 6, kernelSize: 3, padding: 'valid' },
    { kind: 'globalAvgPool', name: 'gap' },
    { kind: 'dense', name: 'd1', units: 5 },
    { kind: 'dense', name: 'head', units: 3, activation: 'none' },
  ],
};

/** conv(BN) → pool → projection residual block: a compacted conv feeding conv1 and shortcut. */
const projNet: ModelSpec = {
  name: 'proj-net',
  inputShape: [8, 8, 1],
  numClasses: 3,
  layers: [
    { kind: 'conv2d', name: 'c1', filters: 6, kernelSize: 3, batchNorm: true },
    { kind: 'maxPool', name: 'p1', size: 2 },
    { kind: 'residual', name: 'b1', filters: 4, stride: 2 },
    { kind: 'globalAvgPool', name: 'gap' },
    { kind: 'dense', name: 'head', units: 3, activation: 'none' },
  ],
};

const CASES: [ModelSpec, boolean][] = [
  [mlpSpec(), true],
  [lenetSpec(), true],
  [vggSmallSpec(), true],
  [resnetSmallSpec(), true], // block conv1s shrink (midFilters); the residual stream stays masked
  [gapNet, true],
  [projNet, true],
];

const models: Model[] = [];
afterAll(() => models.forEach(disposeModel));

async function maxDiff(
  model: Model,
  m: Masks,
  c: Model,
  cm: Masks,
  training: boolean,
): Promise<number> {
  const x = randomInput(model.spec, training ? 4 : 2, 3);
  const a = forward(model, x, { masks: m, training });
  const b = forward(c, x, { masks: cm, training });
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a.logits, b.logits))));
  const scale = tf.tidy(() => tf.max(tf.abs(a.logits)));
  const [dv, sv] = [(await d.data())[0], (await scale.data())[0]];
  expect(sv).toBeGreaterThan(1e-3); // logits are not trivially zero
  for (const r of [a, b]) {
    r.logits.dispose();
    for (const s of r.bnBatchStats.values()) tf.dispose([s.mean, s.variance]);
  }
  tf.dispose([x, d, scale]);
  return dv;
}

describe('compactModel equivalence', () => {
  CASES.forEach(([spec, shrinks], ci) =>
    it(`${spec.name}: same logits, params = paramsAfter, smaller file`, async () => {
      const model = await randomModel(spec, 10 + ci);
      models.push(model);
      const masks = masksFromScores(spec, randomScores(spec, 'structured', ci), { sparsity: 0.4 });
      const r = compactModel(model, masks);
      models.push(r.model);
      expect(r.model.spec.name).toBe(`${spec.name} (compacted)`);
      const tm = toTensorMasks(masks);
      const tk = toTensorMasks(r.masks);
      for (const training of [false, true])
        expect(await maxDiff(model, tm, r.model, tk, training)).toBeLessThan(1e-5);
      disposeMasks(tm);
      disposeMasks(tk);

      // removed indices are the mask's zeros; layers not compacted keep their mask
      for (const [k, m] of masks) {
        const layer = k.slice(0, -'/kernel'.length);
        const zeros = [...m.data].flatMap((v, i) => (v === 0 ? [i] : []));
        if (r.masks.has(k)) expect(layer in r.removed).toBe(false);
        else expect(r.removed[layer] ?? []).toEqual(zeros);
      }
      expect(Object.keys(r.removed).length > 0).toBe(shrinks);

      const report = sparsityReport(spec, masks);
      const size = (mm: Model): number => [...mm.params.values()].reduce((a, v) => a + v.size, 0);
      if (r.masks.size === 0) expect(size(r.model)).toBe(report.global.paramsAfter);
      expect(countModel(r.model.spec, r.masks).total.effectiveParams).toBe(
        report.global.paramsAfter,
      );
      expect(size(r.model) < size(model)).toBe(shrinks);
      if (shrinks) {
        const before = await saveModelSafetensors(model);
        const after = await saveModelSafetensors(r.model);
        expect(after.length).toBeLessThan(before.length);
      }
    }),
  );

  it('resnet-small: block conv1s shrink via midFilters; residual-stream masks stay masks', async () => {
    const spec = resnetSmallSpec([8, 8, 3]);
    const model = await randomModel(spec, 5);
    models.push(model);
    const masks = masksFromScores(spec, randomScores(spec, 'structured', 9), { sparsity: 0.5 });
    const r = compactModel(model, masks);
    models.push(r.model);
    for (const b of ['block1', 'block2', 'block3']) {
      const m = masks.get(`${b}/conv1/kernel`);
      const removed = m ? Array.from(m.data).filter((v) => v === 0).length : 0;
      const layer = r.model.spec.layers.find((l) => l.name === b);
      if (layer?.kind !== 'residual') throw new Error(`no residual block ${b}`);
      const filters = layer.filters;
      expect(layer.midFilters ?? filters).toBe(filters - removed);
      expect(r.masks.has(`${b}/conv1/kernel`)).toBe(false);
      // conv2 reads only conv1's kept channels
      expect(r.model.params.get(`${b}/conv2/kernel`)?.shape[2]).toBe(filters - removed);
    }
    // the residual stream (stem, conv2s, shortcuts) is not shrunk: those masks are returned
    for (const k of ['stem/kernel', 'block1/conv2/kernel', 'block2/shortcut/kernel'])
      if (masks.has(k)) expect(r.masks.has(k)).toBe(true);
    expect(Object.keys(r.removed).every((l) => l.endsWith('/conv1'))).toBe(true);
  });
});

describe('compactModel errors and leaks', () => {
  it('throws MaskError for unstructured masks, head units, or an emptied layer', async () => {
    const spec = gapNet;
    const model = await randomModel(spec, 1);
    models.push(model);
    const un = masksFromScores(spec, randomScores(spec, 'unstructured', 1), { sparsity: 0.5 });
    expect(() => compactModel(model, un)).toThrow(/unstructured/);
    const head: PlainMasks = new Map([
      ['head/kernel', { shape: [3], data: new Uint8Array([1, 0, 1]) }],
    ]);
    expect(() => compactModel(model, head)).toThrow(/classifier/);
    const empty: PlainMasks = new Map([['d1/kernel', { shape: [5], data: new Uint8Array(5) }]]);
    expect(() => compactModel(model, empty)).toThrow(MaskError);
    const ones: PlainMasks = new Map([
      ['head/kernel', { shape: [3], data: new Uint8Array([1, 1, 1]) }],
    ]);
    const r = compactModel(model, ones); // an all-ones mask removes nothing
    expect(r.removed).toEqual({});
    disposeModel(r.model);
  });

  it('leaves no tensors behind', async () => {
    const model = await randomModel(projNet, 2);
    models.push(model);
    const masks = masksFromScores(projNet, randomScores(projNet, 'structured', 2), {
      sparsity: 0.4,
    });
    await expectNoLeak(() => disposeModel(compactModel(model, masks).model));
  });
});
