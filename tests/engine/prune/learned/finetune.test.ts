// fineTuneMasked: pruned weights are zeroed and stay exactly 0; the safety net catches a violation.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { syntheticDataset } from '@/engine/data/synthetic';
import { cloneModel, disposeModel, initModel } from '@/engine/model';
import { assertMaskedZero, fineTuneMasked, MaskViolationError } from '@/engine/prune/finetune';
import { disposeMasks, masksFromScores, toTensorMasks } from '@/engine/prune/masks';
import { randomScores } from '@/engine/prune/scores/random';
import { expectNoLeak } from '../../model/helpers';
import { nonZeroPruned, PGD } from './helpers';
import { K, SHAPE, tinyBnSpec, tinyMlpSpec } from '../../../fixtures/models';

const ds = syntheticDataset({ n: 48, shape: SHAPE, numClasses: K, seed: 6 });
const cfg = { epochs: 2, batchSize: 16, objective: PGD, validation: { subsetSize: 0 } };

describe('fineTuneMasked', () => {
  for (const g of ['unstructured', 'structured'] as const)
    it(`keeps pruned entries exactly 0 while the rest trains (${g})`, async () => {
      const model = initModel(g === 'structured' ? tinyBnSpec() : tinyMlpSpec(16), 2);
      const masks = masksFromScores(model.spec, randomScores(model, g, 3), { sparsity: 0.5 });
      expect(await nonZeroPruned(model, masks)).toBeGreaterThan(0); // dense before
      const r = await fineTuneMasked(model, masks, { train: ds }, cfg);
      expect(r.status).toBe('completed');
      expect(r.history).toHaveLength(2);
      expect(await nonZeroPruned(model, masks)).toBe(0);
      disposeModel(model);
    });

  it('the safety net throws MaskViolationError naming the parameter', async () => {
    const model = initModel(tinyMlpSpec(16), 2);
    const plain = masksFromScores(model.spec, randomScores(model, 'unstructured', 3), {
      sparsity: 0.5,
    });
    const masks = toTensorMasks(plain);
    await expect(assertMaskedZero(model, masks)).rejects.toBeInstanceOf(MaskViolationError);
    await expect(assertMaskedZero(model, masks)).rejects.toThrow(/fc1\/kernel/);
    const p = model.params.get('fc1/kernel') as tf.Variable;
    tf.tidy(() => p.assign(tf.mul(p, masks.get('fc1/kernel') as tf.Tensor)));
    const q = model.params.get('fc2/kernel') as tf.Variable;
    tf.tidy(() => q.assign(tf.mul(q, masks.get('fc2/kernel') as tf.Tensor)));
    await expect(assertMaskedZero(model, masks)).resolves.toBeUndefined();
    disposeMasks(masks);
    disposeModel(model);
  });

  it('does not leak tensors', async () => {
    const base = initModel(tinyBnSpec(), 2);
    const masks = masksFromScores(base.spec, randomScores(base, 'structured', 3), {
      sparsity: 0.5,
    });
    await expectNoLeak(async () => {
      const m = cloneModel(base);
      await fineTuneMasked(m, masks, { train: ds }, { ...cfg, epochs: 1 });
      disposeModel(m);
    });
    disposeModel(base);
  });
});
