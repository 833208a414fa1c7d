/**
 * Sparsity-slider latency: `npx tsx bench/slider.ts [--steps 300] [--points 30] [--transfer
 * pgd-linf|fgsm] [--backend wasm|cpu]`.
 *
 * 1. trains a LeNet (src/engine/model/spec.ts) on Fashion-MNIST for `--steps` SGD steps of 64
 *    images (standard training, lr 0.05; a few hundred steps give ≈ 75-80 % clean accuracy);
 * 2. magnitude scores |w| (Han et al. 2015, arXiv 1506.02626; prune/scores/magnitude.ts),
 *    global unstructured ranking (prune/ranking.ts);
 * 3. a sparsity evaluator (src/engine/eval/sparsity-evaluator.ts) on the first 1000 test images,
 *    transfer attack crafted once on the base (PGD-10 L∞ ε 0.1 step 0.025, or FGSM ε 0.1),
 *    white-box PGD-10 L∞ ε 0.1 step 0.025 on the masked model;
 * 4. `--points` random sparsities in [0, 0.95): median / p95 latency of the clean + transfer
 *    part (until onPartial) and of the white-box part, plus tensor counts before and after.
 * Prints figures only (never pass/fail on time).
 */
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../src/engine/backend';
import { take } from '../src/engine/data/dataset';
import { loadFashionMnist } from '../src/engine/data/fashion-mnist';
import { createSparsityEvaluator } from '../src/engine/eval/sparsity-evaluator';
import { latencyStats } from '../src/engine/eval/timing';
import { disposeModel, initModel } from '../src/engine/model/init';
import { lenetSpec } from '../src/engine/model/spec';
import { rankScores } from '../src/engine/prune/ranking';
import { magnitudeScores } from '../src/engine/prune/scores/magnitude';
import { Rng } from '../src/engine/rng';
import { EVAL_BATCH, SWEEP_BATCH } from '../src/engine/session/slider';
import { trainModel } from '../src/engine/train/loop';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const steps = Number(arg('steps', '300'));
const points = Number(arg('points', '30'));
const transferName = arg('transfer', 'pgd-linf');
const DIR = path.resolve(import.meta.dirname, '../public/datasets/fashion-mnist');
const PGD10 = { eps: 0.1, steps: 10, stepSize: 0.025, restarts: 1, seed: 1 };
const f1 = (v: number) => v.toFixed(1);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

async function main(): Promise<void> {
  const backend = await initBackend({
    prefer: arg('backend', 'wasm') as BackendName,
    platform: 'node',
  });
  console.log(`backend ${backend.name}, ${os.cpus().length} CPUs, node ${process.version}`);
  const read = async (f: string) => new Uint8Array(await readFile(path.join(DIR, f)));
  const [train, testAll] = await Promise.all([
    loadFashionMnist(read, 'train'),
    loadFashionMnist(read, 'test'),
  ]);
  const test = take(testAll, 1000);
  const spec = lenetSpec();
  const model = initModel(spec, 0);
  const batchSize = 64;
  const t0 = performance.now();
  await trainModel(
    model,
    { train: take(train, steps * batchSize) },
    {
      epochs: 1,
      batchSize,
      schedule: { kind: 'constant', lr: 0.05 },
      validation: { subsetSize: 0 },
    },
  );
  console.log(
    `trained LeNet: ${steps} steps of ${batchSize} in ${f1((performance.now() - t0) / 1000)} s`,
  );
  const ranking = rankScores(spec, await magnitudeScores(model, 'unstructured'), {});
  const transferAttack =
    transferName === 'fgsm'
      ? { name: 'fgsm', options: { eps: 0.1 } }
      : { name: 'pgd-linf', options: PGD10 };
  const tensorsBefore = tf.memory().numTensors;
  const t1 = performance.now();
  const ev = await createSparsityEvaluator({
    model,
    ranking,
    data: { x: test.images, y: test.labels, shape: test.shape },
    transferAttack,
    whiteBoxAttack: { name: 'pgd-linf', options: PGD10 },
    batchSize: EVAL_BATCH,
    sweepBatchSize: SWEEP_BATCH,
  });
  const createMs = performance.now() - t1;
  const tensorsCached = tf.memory().numTensors;
  console.log(
    `evaluator on ${ev.n} test images, transfer ${transferAttack.name}: created in ${f1(createMs)} ms; ` +
      `base clean ${pct(ev.base.clean)}, transfer acc. ${pct(ev.base.transfer)}`,
  );
  const rng = new Rng(42);
  const partialMs: number[] = [];
  const whiteMs: number[] = [];
  const rows: string[] = [];
  for (let i = 0; i < points; i++) {
    const s = rng.next() * 0.95;
    const start = performance.now();
    let partialAt = NaN;
    const out = await ev.evaluate(s, { onPartial: () => (partialAt = performance.now()) });
    if (out.status !== 'done') throw new Error(`unexpected ${out.status}`);
    const p = out.point;
    partialMs.push(partialAt - start);
    whiteMs.push(p.ms.whiteBox);
    rows.push(
      `  s ${pct(s).padStart(6)}  clean ${pct(p.clean)}  transfer ${pct(p.transfer)}  white-box ${pct(p.whiteBox ?? NaN)}  ` +
        `(masks ${f1(p.ms.masks)} + sweep ${f1(p.ms.sweep)} + white-box ${f1(p.ms.whiteBox)} ms)`,
    );
  }
  const tensorsAfter = tf.memory().numTensors;
  console.log(rows.join('\n'));
  const a = latencyStats(partialMs);
  const w = latencyStats(whiteMs);
  console.log(`\n${points} sparsities, ms (median / p95):`);
  console.log(`  masks + clean + transfer (until onPartial): ${f1(a.median)} / ${f1(a.p95)}`);
  console.log(`  white-box PGD-10:                           ${f1(w.median)} / ${f1(w.p95)}`);
  await ev.dispose();
  console.log(
    `tensors: before ${tensorsBefore}, cached ${tensorsCached}, after ${points} calls ${tensorsAfter}, ` +
      `after dispose ${tf.memory().numTensors}`,
  );
  disposeModel(model);
}

await main();
