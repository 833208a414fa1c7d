/**
 * The browser-safe core of the training-step benchmark (no Node APIs): the objectives measured
 * and a runner that steps `trainStep` (src/engine/train/step.ts) on a given batch.
 * - standard: mean CE on clean inputs;
 * - FGSM-RS (Wong, Rice and Kolter 2020, arXiv 2001.03994): ε 0.1, α = 1.25ε, random start;
 * - PGD-7 AT (Madry et al. 2018, arXiv 1706.06083): ε 0.1, 7 steps of 2.5ε/7, random start.
 * SGD with momentum 0.9, weight decay 5e-4, lr 0.01. Each step ends with trainStep's own read of
 * [loss, finite, correct counts] (the device sync). Shapes: x `[B, H, W, C]` in [0, 1], y `[B]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { disposeModel, initModel } from '../../src/engine/model/init';
import type { ModelSpec } from '../../src/engine/model/spec';
import {
  createObjective,
  objectiveSchema,
  type ObjectiveConfigInput,
} from '../../src/engine/train/objectives';
import { createOptimizer, disposeOptimizer } from '../../src/engine/train/optimizers';
import { trainStep, type StepContext } from '../../src/engine/train/step';

export const OBJECTIVES: Record<string, ObjectiveConfigInput> = {
  'train-standard': { kind: 'standard' },
  'train-fgsm-rs': { kind: 'fgsm-rs', eps: 0.1, alpha: 0.125 },
  'train-pgd7-at': { kind: 'pgd-at', eps: 0.1, steps: 7, stepSize: (2.5 * 0.1) / 7 },
};

export interface StepRunner {
  /** one training step, resolved after its read-back */
  step(): Promise<void>;
  /** frees the model, the optimizer and the batch */
  dispose(): void;
}

/** A fresh model (seed 1) and optimizer stepping on x, y (owned by the runner from now on). */
export function stepRunnerOn(
  spec: ModelSpec,
  task: string,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
): StepRunner {
  const cfg = OBJECTIVES[task];
  if (!cfg) throw new Error(`unknown training task '${task}'`);
  const model = initModel(spec, 1);
  const optimizer = createOptimizer(
    { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
    model.params,
  );
  const ctx: StepContext = {
    model,
    objective: createObjective(objectiveSchema.parse(cfg)),
    optimizer,
    masks: undefined,
    paramMasks: new Map(),
    bnMomentum: 0.1,
  };
  let seed = 1;
  return {
    async step() {
      await trainStep(ctx, x, y, 0.01, seed++);
    },
    dispose() {
      tf.dispose([x, y]);
      disposeOptimizer(optimizer);
      disposeModel(model);
    },
  };
}

/** A synthetic batch (uniform pixels, labels b mod 10) for places without the dataset files. */
export function syntheticBatch(spec: ModelSpec, batch: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [h, w, c] = spec.inputShape;
  const x = tf.randomUniform([batch, h, w, c], 0, 1, 'float32', 7) as tf.Tensor4D; // [B, H, W, C]
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % spec.numClasses),
    'int32',
  ); // [B]
  return { x, y };
}
