/**
 * The Node side of the benchmark: for one Node backend (wasm with --threads threads, wasm-1thread,
 * or cpu), every selected task group
 * with the repeat counts of the mode, as result rows (pytorch_ms/ratio filled later) and memory
 * reports. The cpu backend is ~40-100× slower than wasm on conv nets, so unless `--tasks` names
 * the groups explicitly it runs the MLP steps (and in full mode the LeNet standard / FGSM-RS steps
 * at batch 64 and the memory run) only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend, type BackendDescription } from '../../src/engine/backend';
import { nodeWasmOptions } from '../../src/node/wasm-threads';
import { disposeModel, initModel } from '../../src/engine/model/init';
import { lenetSpec, mlpSpec, type ModelSpec } from '../../src/engine/model/spec';
import { makeAnomalyRunner } from '../tasks/anomaly';
import { memoryBench } from '../tasks/memory';
import { makePgdEvalRunner } from '../tasks/pgd-eval';
import { scalingBench } from '../tasks/scaling';
import { PROGRESSIVE_N, sliderBench } from '../tasks/slider';
import { SWEEP_BATCH, WHITE_BOX_FIRST_N } from '../../src/engine/session/slider';
import { makeStepRunner, OBJECTIVES } from '../tasks/train-step';
import type { BenchArgs, NodeBackend } from './args';
import { measure } from './measure';
import { benchRow, type MemoryReport, type ResultRow } from './results';

const MODELS: [string, () => ModelSpec][] = [
  ['mlp', mlpSpec],
  ['lenet', lenetSpec],
];
export const EVAL_SAMPLES = 1000;
export const EVAL_BATCH = 250;
export const ANOMALY_SAMPLES = 256;

export interface SuiteOutput {
  rows: ResultRow[];
  memory: MemoryReport[];
  notes: string[];
  description: BackendDescription | null;
}

const row = benchRow;

const log = (s: string) => process.stderr.write(`${s}\n`);

/** Runs the suite on `backend`; returns [] rows with a note when the backend does not start. */
export async function runNodeSuite(backend: NodeBackend, a: BenchArgs): Promise<SuiteOutput> {
  const out: SuiteOutput = { rows: [], memory: [], notes: [], description: null };
  const tfName = backend === 'cpu' ? 'cpu' : 'wasm';
  const threads = backend === 'wasm-1thread' ? 1 : a.threads;
  const choice = await initBackend({
    prefer: tfName,
    platform: 'node',
    ...nodeWasmOptions(threads),
    ...(backend === 'wasm' && a.xnnpackThreads !== undefined
      ? { xnnpackThreads: a.xnnpackThreads }
      : {}),
  });
  if (choice.name !== tfName) {
    out.notes.push(`${backend}: did not start (${choice.notUsed[tfName] ?? 'unknown'})`);
    return out;
  }
  out.description = await describeBackend();
  if (backend === 'wasm' && out.description.wasm)
    out.notes.push(
      `wasm: ${out.description.wasm.threads} thread(s) (XNNPACK's pool ${out.description.wasm.xnnpackThreads}), ${out.description.wasm.binary} binary`,
    );
  const cpu = backend === 'cpu';
  const all = a.tasksExplicit; // the user asked for these groups: run them even on cpu
  const want = (g: string) => a.tasks.includes(g as never);
  // warm-up / repeats per kind of task
  const stepReps = cpu ? (a.quick ? [1, 2] : [1, 3]) : a.quick ? [2, 5] : [3, 20];
  if (want('train')) {
    for (const [name, spec] of MODELS) {
      for (const batch of [64, 128]) {
        for (const task of Object.keys(OBJECTIVES)) {
          const cheapOnCpu =
            name === 'mlp' || (!a.quick && batch === 64 && task !== 'train-pgd7-at');
          if (cpu && !all && !cheapOnCpu) continue;
          const runner = await makeStepRunner(spec(), task, batch);
          const t = await measure(() => runner.step(), stepReps[0], stepReps[1]);
          runner.dispose();
          out.rows.push(row(task, name, backend, batch, t));
          log(`  ${backend} ${task} ${name} b${batch}: ${t.median.toFixed(1)} ms`);
        }
      }
    }
    if (cpu && !all)
      out.notes.push('cpu: LeNet steps limited (too slow); pass --tasks train to run all');
  }
  if (want('pgd-eval') && (!cpu || all)) {
    for (const [name, spec] of MODELS) {
      const model = initModel(spec(), 1);
      const warm = await makePgdEvalRunner(model, EVAL_BATCH, EVAL_BATCH);
      await warm.run();
      warm.dispose();
      const runner = await makePgdEvalRunner(model, EVAL_SAMPLES, EVAL_BATCH);
      const t = await measure(() => runner.run(), 0, cpu ? 1 : a.quick ? 2 : 5);
      runner.dispose();
      disposeModel(model);
      out.rows.push(row('eval-pgd20', name, backend, EVAL_BATCH, t, { samples: EVAL_SAMPLES }));
      log(`  ${backend} eval-pgd20 ${name}: ${t.median.toFixed(1)} ms`);
    }
  }
  if (want('anomaly') && (!cpu || all)) {
    for (const [name, spec] of MODELS) {
      const model = initModel(spec(), 1);
      const run = await makeAnomalyRunner(model, ANOMALY_SAMPLES);
      const t = await measure(run, 1, cpu ? 1 : a.quick ? 3 : 10);
      disposeModel(model);
      out.rows.push(
        row('anomaly-activation', name, backend, ANOMALY_SAMPLES, t, {
          samples: ANOMALY_SAMPLES,
          note: 'structured, PGD-10',
        }),
      );
      log(`  ${backend} anomaly ${name}: ${t.median.toFixed(1)} ms`);
    }
  }
  if (want('slider') && (!cpu || all)) {
    const s = await sliderBench(EVAL_SAMPLES, EVAL_BATCH, a.quick ? 12 : 30, a.quick ? 150 : 300);
    const acc = `base clean ${(100 * s.baseClean).toFixed(1)}%, transfer ${(100 * s.baseTransfer).toFixed(1)}%`;
    out.rows.push(
      row('slider-clean+transfer', 'lenet', backend, SWEEP_BATCH, s.partial, {
        samples: EVAL_SAMPLES,
        note: `${acc}; one sweep over [clean; transfer] (${2 * EVAL_SAMPLES} images, batches of ${SWEEP_BATCH}); median phases: masks ${s.phases.masks.toFixed(1)} ms, sweep ${s.phases.sweep.toFixed(1)} ms; ${s.trainSteps} training steps; evaluator built in ${s.createMs.toFixed(0)} ms`,
      }),
      row('slider-white-box', 'lenet', backend, EVAL_BATCH, s.whiteBox, {
        samples: EVAL_SAMPLES,
        note: `PGD-10 on clean-correct samples; tensors cached ${s.tensorsCached}, after ${s.tensorsAfter}`,
      }),
      row('slider-white-box-first', 'lenet', backend, WHITE_BOX_FIRST_N, s.progressive.first, {
        samples: PROGRESSIVE_N,
        attacked: s.progressive.targets,
        note: `from the call to the first white-box estimate (masks, sweep, PGD-10 on a random ${WHITE_BOX_FIRST_N} of ${s.progressive.targets.toFixed(0)} clean-correct images on average); ${s.progressive.noEstimate} moves without one`,
      }),
      row('slider-white-box-full', 'lenet', backend, EVAL_BATCH, s.progressive.full, {
        samples: PROGRESSIVE_N,
        attacked: s.progressive.targets,
        note: `from the call to the full PGD-10 figure (exact; after the estimate), ${PROGRESSIVE_N} images`,
      }),
    );
    log(`  ${backend} slider: ${s.partial.median.toFixed(1)} / p95 ${s.partial.p95.toFixed(1)} ms`);
  }
  if (want('scaling')) {
    const s = await scalingBench(backend, a.quick);
    out.rows.push(...s.rows);
    out.notes.push(...s.notes);
  }
  if (want('memory') && (!cpu || all || !a.quick)) {
    const steps = a.quick ? 250 : 1000;
    const m = await memoryBench(backend, steps);
    out.memory.push(m);
    log(`  ${backend} memory: tensors ${m.tensorsBefore} → ${m.tensorsAfter} over ${steps} steps`);
  }
  if (tf.memory().numTensors > 0)
    out.notes.push(`${backend}: ${tf.memory().numTensors} tensors alive at the end`);
  return out;
}
