/**
 * Training-step benchmark in Node: the runner of step-core.ts on a fixed Fashion-MNIST batch
 * (the first B training images). Objectives, optimizer and sync as in step-core.ts.
 */
import type { ModelSpec } from '../../src/engine/model/spec';
import { batchTensors, fashionMnist } from '../lib/data';
import { stepRunnerOn, type StepRunner } from './step-core';

export { OBJECTIVES, type StepRunner } from './step-core';

/** A model, optimizer and fixed batch ready to step; `task` is a key of OBJECTIVES. */
export async function makeStepRunner(
  spec: ModelSpec,
  task: string,
  batch: number,
): Promise<StepRunner> {
  const { train } = await fashionMnist();
  const { x, y } = batchTensors(train, 0, batch);
  return stepRunnerOn(spec, task, x, y);
}
