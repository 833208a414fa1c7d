/**
 * Cost as the work grows (issue 13, item 3; `npm run bench -- --tasks scaling`, opt-in): how a
 * training step and the sparsity slider scale, so that a user can predict the wait of a sweep.
 * Rows carry `axis` and `x` (src/engine/experiment/scaling.ts fits and plots them):
 * - axis 'batch': one standard and one PGD-7 AT step (step-core.ts: SGD, ε 0.1) of a LeNet on a
 *   fixed Fashion-MNIST batch of 16, 32, 64, 128, 256 (x = batch);
 * - axis 'images': the slider over 250, 500, 1,000, 2,000 Fashion-MNIST test images (x): a LeNet
 *   trained 150 (quick) / 300 standard steps, global magnitude ranking, a sparsity evaluator with
 *   a PGD-10 transfer set and PGD-10 white-box (as bench/tasks/slider.ts, attack batches of 250,
 *   sweeps of SWEEP_BATCH); per move at seeded random sparsities in [0, 0.95): the clean + transfer
 *   figure (from the call to onPartial) and the white-box phase (the evaluator's ms.whiteBox, on
 *   the clean-correct images); and the evaluator's setup once (the transfer set crafted);
 * - axis 'model': a standard and a PGD-7 AT step at batch 16 and 64 of each architecture
 *   (x = MACs per image, with `params` and `macs`): MLP and LeNet on Fashion-MNIST (28×28×1),
 *   VGG-small and ResNet-small on synthetic 32×32×3 images (uniform pixels; the time does not
 *   depend on the values).
 * On the cpu backend (tfjs's JS kernels, 40-100× slower on conv nets) only the standard steps of
 * the MLP and the LeNet run; a note says so. Units: ms; median and p95 of the timed runs.
 */
import { take } from '../../src/engine/data/dataset';
import { latencyStats } from '../../src/engine/eval/timing';
import { countMacs, countParams } from '../../src/engine/model/counts';
import type { initModel } from '../../src/engine/model/init';
import { disposeModel } from '../../src/engine/model/init';
import {
  lenetSpec,
  mlpSpec,
  resnetSmallSpec,
  vggSmallSpec,
  type ModelSpec,
} from '../../src/engine/model/spec';
import type { rankScores } from '../../src/engine/prune/ranking';
import { Rng } from '../../src/engine/rng';
import { EVAL_BATCH, SWEEP_BATCH } from '../../src/engine/session/slider';
import type { ScalingAxis } from '../../src/engine/experiment/scaling';
import { fashionMnist } from '../lib/data';
import { measure, type Timing } from '../lib/measure';
import { benchRow, type ResultRow } from '../lib/results';
import { pgd10Evaluator, sliderModel } from './slider';
import { stepRunnerOn, syntheticBatch, type StepRunner } from './step-core';
import { makeStepRunner } from './train-step';

export const SCALING_BATCHES = [16, 32, 64, 128, 256];
export const SCALING_IMAGES = [250, 500, 1000, 2000];
export const SCALING_MODEL_BATCHES = [16, 64];
export const SCALING_STEPS = ['train-standard', 'train-pgd7-at'] as const;

/** The architectures of the model axis: the 28×28×1 ones on Fashion-MNIST, the rest synthetic. */
export const SCALING_MODELS: { name: string; spec: () => ModelSpec; fashion: boolean }[] = [
  { name: 'mlp', spec: () => mlpSpec(), fashion: true },
  { name: 'lenet', spec: () => lenetSpec(), fashion: true },
  { name: 'vgg-small', spec: () => vggSmallSpec([32, 32, 3]), fashion: false },
  { name: 'resnet-small', spec: () => resnetSmallSpec([32, 32, 3]), fashion: false },
];

/** A benchmark row on a scaling axis (pytorch_ms and ratio null: no reference for these). */
export function scalingRow(
  task: string,
  model: string,
  backend: string,
  batch: number,
  t: Pick<Timing, 'median' | 'p95' | 'runs'>,
  axis: ScalingAxis,
  x: number,
  extra: Partial<ResultRow> = {},
): ResultRow {
  return benchRow(task, model, backend, batch, t, { axis, x, ...extra });
}

const log = (s: string) => process.stderr.write(`${s}\n`);

/** Warm-up and timed runs of a step: fewer for the large models' PGD-7 steps. */
function stepReps(quick: boolean, big: boolean): [number, number] {
  if (big) return quick ? [1, 3] : [1, 6];
  return quick ? [1, 5] : [2, 12];
}

async function timeStep(
  spec: ModelSpec,
  fashion: boolean,
  task: string,
  batch: number,
  reps: [number, number],
): Promise<Timing> {
  let runner: StepRunner;
  if (fashion) runner = await makeStepRunner(spec, task, batch);
  else {
    const { x, y } = syntheticBatch(spec, batch);
    runner = stepRunnerOn(spec, task, x, y);
  }
  try {
    return await measure(() => runner.step(), reps[0], reps[1]);
  } finally {
    runner.dispose();
  }
}

/** The slider over `n` images: setup once, then `moves` timed moves after a warm-up one. */
async function sliderAt(
  model: ReturnType<typeof initModel>,
  ranking: ReturnType<typeof rankScores>,
  n: number,
  moves: number,
) {
  const { test } = await fashionMnist();
  const data = take(test, n);
  const t0 = performance.now();
  const ev = await pgd10Evaluator(model, ranking, data, EVAL_BATCH, SWEEP_BATCH);
  const setupMs = performance.now() - t0;
  const rng = new Rng(42);
  const partial: number[] = [];
  const white: number[] = [];
  let correct = 0;
  try {
    for (let i = 0; i <= moves; i++) {
      const start = performance.now();
      let at = NaN;
      const out = await ev.evaluate(rng.next() * 0.95, {
        onPartial: () => (at = performance.now()),
      });
      if (out.status !== 'done') throw new Error(`scaling slider: unexpected ${out.status}`);
      if (i === 0) continue; // warm-up
      partial.push(at - start);
      white.push(out.point.ms.whiteBox);
      correct += out.point.clean / moves;
    }
  } finally {
    await ev.dispose();
  }
  return { setupMs, partial: latencyStats(partial), white: latencyStats(white), clean: correct };
}

/**
 * The scaling rows on the current tfjs backend (`backend` names it in the rows). `quick`: fewer
 * repeats, a shorter-trained LeNet for the slider.
 */
export async function scalingBench(
  backend: string,
  quick: boolean,
): Promise<{ rows: ResultRow[]; notes: string[] }> {
  const rows: ResultRow[] = [];
  const notes: string[] = [];
  const cpu = backend === 'cpu';
  const steps = cpu ? SCALING_STEPS.filter((t) => t === 'train-standard') : SCALING_STEPS;
  const counts = (spec: ModelSpec) => ({
    params: countParams(spec).dense,
    macs: countMacs(spec).dense,
  });
  // (a) a LeNet step against the batch
  for (const task of steps)
    for (const batch of SCALING_BATCHES) {
      const spec = lenetSpec();
      const t = await timeStep(spec, true, task, batch, stepReps(quick, false));
      rows.push(
        scalingRow(`scaling-${task}`, 'lenet', backend, batch, t, 'batch', batch, counts(spec)),
      );
      log(`  ${backend} scaling ${task} lenet b${batch}: ${t.median.toFixed(1)} ms`);
    }
  // (b) the slider against the evaluation images
  if (!cpu) {
    const trainSteps = quick ? 150 : 300;
    const { model, ranking } = await sliderModel(trainSteps);
    const moves = quick ? 6 : 12;
    try {
      for (const n of SCALING_IMAGES) {
        const s = await sliderAt(model, ranking, n, moves);
        const common = { samples: n, ...counts(model.spec) };
        const acc = `mean clean accuracy ${(100 * s.clean).toFixed(1)}% over the moves`;
        rows.push(
          scalingRow(
            'scaling-slider-clean+transfer',
            'lenet',
            backend,
            SWEEP_BATCH,
            s.partial,
            'images',
            n,
            {
              ...common,
              note: `${trainSteps}-step LeNet; from evaluate(s) to onPartial: masks, one sweep over ${2 * n} images; ${acc}`,
            },
          ),
          scalingRow(
            'scaling-slider-white-box',
            'lenet',
            backend,
            EVAL_BATCH,
            s.white,
            'images',
            n,
            {
              ...common,
              note: `PGD-10 on the clean-correct images (~${Math.round(s.clean * n)} of ${n})`,
            },
          ),
          scalingRow(
            'scaling-slider-setup',
            'lenet',
            backend,
            EVAL_BATCH,
            { median: s.setupMs, p95: s.setupMs, runs: 1 },
            'images',
            n,
            { ...common, note: 'createSparsityEvaluator once: base forward, PGD-10 transfer set' },
          ),
        );
        log(
          `  ${backend} scaling slider n${n}: clean+transfer ${s.partial.median.toFixed(1)} ms, white-box ${s.white.median.toFixed(1)} ms, setup ${s.setupMs.toFixed(0)} ms`,
        );
      }
    } finally {
      disposeModel(model);
    }
  }
  // (c) a step against the model
  for (const m of SCALING_MODELS) {
    if (cpu && !m.fashion) continue;
    const spec = m.spec();
    const c = counts(spec);
    for (const task of steps)
      for (const batch of SCALING_MODEL_BATCHES) {
        const reps = stepReps(quick, !m.fashion && task === 'train-pgd7-at');
        const t = await timeStep(spec, m.fashion, task, batch, reps);
        rows.push(
          scalingRow(`scaling-${task}`, m.name, backend, batch, t, 'model', c.macs, {
            ...c,
            note: `${spec.inputShape.join('×')} ${m.fashion ? 'Fashion-MNIST' : 'synthetic'} images`,
          }),
        );
        log(`  ${backend} scaling ${task} ${m.name} b${batch}: ${t.median.toFixed(1)} ms`);
      }
  }
  if (cpu)
    notes.push(
      'cpu: scaling rows limited to the standard steps of the MLP and the LeNet (PGD-7 steps, the slider and the 32×32×3 models too slow)',
    );
  return { rows, notes };
}
