/**
 * The browser benchmark proper (bench/browser/worker.ts runs it in a dedicated worker, like the
 * app's engine): `runBench(backend, quick, label, wasmThreads)` initializes one tfjs backend
 * (webgpu, webgl, wasm, cpu) and times training steps of step-core.ts on a synthetic batch, the
 * same way as in Node (untimed warm-up, then median / p95 of timed steps, each ending in a
 * read-back): standard, FGSM-RS and PGD-7 AT (PGD-7 on the MLP only off WASM); on WASM also the
 * PGD-20 evaluation of 1,000 images (bench/tasks/pgd-eval-core.ts) and slider moves
 * (bench/tasks/slider-core.ts: clean + transfer, and the progressive white-box figure); on WebGPU / WebGL also the training loop's time per step,
 * pipelined and not (src/engine/train/step-pipeline.ts). The page is cross-origin
 * isolated (vite.config.ts headers), so WASM runs its threaded build.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { describeBackend, initBackend, type BackendName } from '../../src/engine/backend';
import type { SpawnSimdHelper } from '../../src/engine/backend/simd/helpers';
import { lenetSpec, mlpSpec } from '../../src/engine/model/spec';
import { latencyStats } from '../../src/engine/eval/timing';
import { EVAL_BATCH, SWEEP_BATCH, WHITE_BOX_FIRST_N } from '../../src/engine/session/slider';
import { syntheticDataset } from '../../src/engine/data/synthetic';
import { disposeModel, initModel } from '../../src/engine/model/init';
import { trainModel } from '../../src/engine/train/loop';
import type { ModelSpec } from '../../src/engine/model/spec';
import { pgdEvalRunnerOn } from '../tasks/pgd-eval-core';
import { sliderMoves, sliderWhiteBoxMoves } from '../tasks/slider-core';
import { stepRunnerOn, syntheticBatch } from '../tasks/step-core';

export interface BrowserRow {
  task: string;
  model: string;
  backend: string;
  batch: number;
  median_ms: number;
  p95_ms: number;
  runs: number;
  /** white-box slider rows: mean clean-correct images attacked per move (ResultRow.attacked) */
  attacked?: number;
  note?: string;
}

setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');

async function loadBrowserBackend(name: 'webgpu' | 'webgl'): Promise<void> {
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  else await import('@tensorflow/tfjs-backend-webgl');
}

/** A synthetic batch as a tuple (x `[n, H, W, C]`, y `[n]`). */
function syntheticXY(spec: ModelSpec, n: number): [tf.Tensor4D, tf.Tensor1D] {
  const { x, y } = syntheticBatch(spec, n);
  return [x, y];
}

/**
 * Wall time per step of `trainModel` (MLP, standard objective, batch 64, synthetic 28×28 images)
 * over `steps` steps, after an untimed first epoch of the same length.
 */
async function loopStepMs(steps: number, pipelined: boolean): Promise<number> {
  const train = syntheticDataset({ n: steps * 64, shape: [28, 28, 1], numClasses: 10, seed: 5 });
  const model = initModel(mlpSpec(), 1);
  const config = {
    epochs: 1,
    batchSize: 64,
    objective: { kind: 'standard' as const },
    validation: { subsetSize: 0 },
  };
  try {
    await trainModel(model, { train }, config, { pipelined }); // warm-up (shader compilation)
    const t0 = performance.now();
    const r = await trainModel(model, { train }, config, { pipelined });
    if (r.status !== 'completed') throw new Error(`loop: ${r.message}`);
    return (performance.now() - t0) / steps;
  } finally {
    disposeModel(model);
  }
}

/** What `runBench` measures. */
export interface BenchOptions {
  /** fewer repeats */
  quick: boolean;
  /** rows are named `chromium-<label>` (default: the backend's name) */
  label?: string;
  /**
   * WASM only: threads of the threaded build, which the page gets because the dev server sends
   * COOP/COEP (cross-origin isolation); 1 gives the single-threaded figure for comparison
   */
  wasmThreads?: number;
  /** task groups (default all): train, pgd-eval and slider (these two on WASM only) */
  tasks?: readonly ('train' | 'pgd-eval' | 'slider')[];
}

/** Time the `opts.tasks` groups on `backend`. */
export async function runBench(
  backend: BackendName,
  opts: BenchOptions,
  simdHelpers?: SpawnSimdHelper,
): Promise<{ rows: BrowserRow[]; description: unknown; error?: string }> {
  const { quick, label = backend, wasmThreads } = opts;
  const want = (t: 'train' | 'pgd-eval' | 'slider') => opts.tasks?.includes(t) ?? true;
  const choice = await initBackend({
    prefer: backend,
    platform: 'browser',
    loadBrowserBackend,
    wasmThreads,
    simdHelpers,
  });
  if (choice.name !== backend)
    return { rows: [], description: null, error: choice.notUsed[backend] ?? 'did not start' };
  const description = await describeBackend();
  const rows: BrowserRow[] = [];
  const [warmup, repeats] = quick ? [1, 3] : [2, 10];
  if (want('train')) {
    for (const [name, spec] of [
      ['mlp', mlpSpec()],
      ['lenet', lenetSpec()],
    ] as const) {
      if (backend === 'cpu' && name === 'lenet') continue; // ~10 s per step
      for (const batch of quick ? [64] : [64, 128]) {
        // PGD-7 AT: 8 forward/backward passes per step; on the software GPUs (SwiftShader) and the
        // JS CPU backend only the MLP (a LeNet step takes ~45 s on SwiftShader WebGPU)
        const pgd7 = backend === 'wasm' || name === 'mlp';
        for (const task of [
          'train-standard',
          'train-fgsm-rs',
          ...(pgd7 ? ['train-pgd7-at'] : []),
        ]) {
          const { x, y } = syntheticBatch(spec, batch);
          const r = stepRunnerOn(spec, task, x, y);
          for (let i = 0; i < warmup; i++) await r.step();
          const ms: number[] = [];
          for (let i = 0; i < repeats; i++) {
            const t0 = performance.now();
            await r.step();
            ms.push(performance.now() - t0);
          }
          r.dispose();
          const s = latencyStats(ms);
          rows.push({
            task,
            model: name,
            backend: `chromium-${label}`,
            batch,
            median_ms: s.median,
            p95_ms: s.p95,
            runs: s.runs,
            note: 'synthetic batch, dedicated worker (like the app)',
          });
        }
      }
    }
  }
  if (want('train') && (backend === 'webgpu' || backend === 'webgl')) {
    // the training loop itself, pipelined (the default on GPU backends) and not: per-step time
    for (const pipelined of [true, false]) {
      const ms = await loopStepMs(quick ? 8 : 24, pipelined);
      rows.push({
        task: pipelined ? 'train-loop-pipelined' : 'train-loop-synced',
        model: 'mlp',
        backend: `chromium-${label}`,
        batch: 64,
        median_ms: ms,
        p95_ms: ms,
        runs: 1,
        note: `trainModel, standard objective, ${quick ? 8 : 24} steps after a warm-up epoch: wall time per step (${pipelined ? 'step k+1 dispatched before step k is read' : 'one read per step before the next'})`,
      });
    }
  }
  if (backend === 'wasm' && want('pgd-eval')) {
    // PGD-20 evaluation of 1,000 synthetic images in batches of 250 (every sample attacked)
    for (const [name, spec] of [
      ['mlp', mlpSpec()],
      ['lenet', lenetSpec()],
    ] as const) {
      const model = initModel(spec, 1);
      try {
        const warm = pgdEvalRunnerOn(model, ...syntheticXY(spec, 250), 250);
        await warm.run(); // one batch: kernels and buffers warmed up
        warm.dispose();
        const runner = pgdEvalRunnerOn(model, ...syntheticXY(spec, 1000), 250);
        const ms: number[] = [];
        for (let i = 0; i < (quick ? 1 : 3); i++) {
          const t0 = performance.now();
          await runner.run();
          ms.push(performance.now() - t0);
        }
        runner.dispose();
        const st = latencyStats(ms);
        rows.push({
          task: 'eval-pgd20',
          model: name,
          backend: `chromium-${label}`,
          batch: 250,
          median_ms: st.median,
          p95_ms: st.p95,
          runs: st.runs,
          note: '1,000 synthetic images, dedicated worker (like the app)',
        });
      } finally {
        disposeModel(model);
      }
    }
  }
  if (backend === 'wasm' && want('slider')) {
    // the slider on the CPU path: 1,000 evaluation images, one [clean; transfer] sweep per move
    const s = latencyStats(await sliderMoves(1000, quick ? 8 : 20));
    rows.push({
      task: 'slider-clean+transfer',
      model: 'lenet',
      backend: `chromium-${label}`,
      batch: SWEEP_BATCH,
      median_ms: s.median,
      p95_ms: s.p95,
      runs: s.runs,
      note: '1,000 synthetic images, FGSM transfer set, dedicated worker (like the app)',
    });
    // the progressive white-box figure with the app's settings on 250 images, from the call
    const w = await sliderWhiteBoxMoves(250, quick ? 6 : 20);
    const first = latencyStats(w.first);
    const full = latencyStats(w.full);
    const about = `250 synthetic images (${w.targets.toFixed(0)} clean-correct on average), PGD-10, dedicated worker`;
    rows.push(
      {
        task: 'slider-white-box-first',
        model: 'lenet',
        backend: `chromium-${label}`,
        batch: WHITE_BOX_FIRST_N,
        median_ms: first.median,
        p95_ms: first.p95,
        runs: first.runs,
        attacked: w.targets,
        note: `${about}; first estimate on ${WHITE_BOX_FIRST_N}; ${w.noEstimate} moves without one`,
      },
      {
        task: 'slider-white-box-full',
        model: 'lenet',
        backend: `chromium-${label}`,
        batch: EVAL_BATCH,
        median_ms: full.median,
        p95_ms: full.p95,
        runs: full.runs,
        attacked: w.targets,
        note: about,
      },
    );
  }
  return { rows, description };
}
