/**
 * Standard (non-adversarial) training: minimize the batch-mean cross-entropy on clean inputs,
 *   L(θ) = mean_b CE(f_θ(x_b), y_b).
 * Shapes: x `[B, H, W, C]` in [0, 1], y `[B]` → scalar loss (nats).
 */
import { z } from 'zod';
import { forward } from '../../model/forward';
import { meanCrossEntropy } from './losses';
import type { Objective } from './types';

export const standardObjectiveSchema = z.strictObject({ kind: z.literal('standard') });
export type StandardObjectiveConfig = z.output<typeof standardObjectiveSchema>;

export function standardObjective(): Objective {
  return {
    kind: 'standard',
    adversarial: false,
    craft: async () => null,
    loss(model, x, _xAdv, y, fwd) {
      const r = forward(model, x, { masks: fwd.masks, training: fwd.training }); // logits [B, K]
      return {
        loss: meanCrossEntropy(r.logits, y),
        logitsClean: r.logits,
        logitsAdv: null,
        bnStats: [r.bnBatchStats],
      };
    },
  };
}
