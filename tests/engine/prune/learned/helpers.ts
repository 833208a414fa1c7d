// Fixtures of the learned-pruning tests: a tiny pre-trained MLP on 8×8 synthetic data, mask
// counting, and the adversarial loss of a masked model under a fixed attack.
import * as tf from '@tensorflow/tfjs-core';
import { toTensors } from '@/engine/data/batches';
import type { Dataset } from '@/engine/data/dataset';
import { forward } from '@/engine/model/forward';
import type { Model } from '@/engine/model/types';
import { disposeMasks, toTensorMasks } from '@/engine/prune/masks';
import type { PlainMasks } from '@/engine/prune/types';
import { createObjective, objectiveSchema } from '@/engine/train/objectives';
import { meanCrossEntropy } from '@/engine/train/objectives/losses';
import { splitData } from '../../train/helpers';
import { tinyMlpSpec, trainedModel } from '../../../fixtures/models';

export const PGD = { kind: 'pgd-at', eps: 0.1, steps: 3 } as const;

/** A tiny MLP (64 → 16 → 4) trained 3 clean epochs on 192 synthetic samples, and its data. */
export async function pretrained(
  seed = 1,
): Promise<{ model: Model; train: Dataset; val: Dataset }> {
  const { train, val } = splitData(192, 64, 3, 0.25);
  // the default schedule (constant, lr 0.01)
  const model = await trainedModel(tinyMlpSpec(16), seed, train, {
    seed,
    schedule: { kind: 'constant', lr: 0.01 },
  });
  return { model, train, val };
}

/** Removed entries per mask and in total. */
export function removedCount(masks: PlainMasks): {
  total: number;
  removed: number;
  per: Map<string, number>;
} {
  let total = 0;
  let removed = 0;
  const per = new Map<string, number>();
  for (const [k, m] of masks) {
    const r = Array.from(m.data).filter((v) => v === 0).length;
    per.set(k, r);
    total += m.data.length;
    removed += r;
  }
  return { total, removed, per };
}

/**
 * Mean PGD-AT loss (CE on x') of `model` under `masks` over the whole `ds`, with a fixed attack
 * seed (inference BN).
 */
export async function advLoss(model: Model, masks: PlainMasks, ds: Dataset): Promise<number> {
  const objective = createObjective(objectiveSchema.parse(PGD));
  const t = toTensorMasks(masks);
  const { x, y } = toTensors({ x: ds.images, y: ds.labels, size: ds.labels.length }, ds.shape);
  try {
    const xAdv = (await objective.craft(model, x, y, { masks: t, seed: 5 })) as tf.Tensor4D;
    const l = tf.tidy(() => meanCrossEntropy(forward(model, xAdv, { masks: t }).logits, y));
    const v = (await l.data())[0];
    tf.dispose([xAdv, l]);
    return v;
  } finally {
    tf.dispose([x, y]);
    disposeMasks(t);
  }
}

/** Every kernel/bias/BN value of `model` at a masked position, that is not exactly 0. */
export async function nonZeroPruned(model: Model, masks: PlainMasks): Promise<number> {
  let bad = 0;
  for (const [k, m] of masks) {
    const w = await (model.params.get(k) as tf.Variable).data();
    const out = m.shape[m.shape.length - 1];
    const structured = m.shape.length === 1;
    for (let i = 0; i < w.length; i++) {
      const keep = structured ? m.data[i % out] : m.data[i];
      if (keep === 0 && w[i] !== 0) bad++;
    }
    if (structured) {
      const layer = k.slice(0, -'/kernel'.length);
      for (const p of [`${layer}/bias`, `${layer}/bn/gamma`, `${layer}/bn/beta`]) {
        const v = model.params.get(p);
        if (!v) continue;
        const d = await v.data();
        for (let j = 0; j < d.length; j++) if (m.data[j] === 0 && d[j] !== 0) bad++;
      }
    }
  }
  return bad;
}
