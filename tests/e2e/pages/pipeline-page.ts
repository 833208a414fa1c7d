/**
 * In-browser side of tests/e2e/webgpu-pipeline.test.ts (served by Vite): on tfjs's WebGPU backend
 * (a SwiftShader adapter in headless Chromium without a GPU), trains a small conv net for one
 * epoch with the loop's default (pipelined on WebGPU) and with pipelining off, and reports the
 * backend, both results, whether the weights agree bit for bit, the tensor counts, and at which
 * point each step summary was read (counted in gated-commit Select kernels); then the same run on
 * WebGL (its default: not pipelined), whose losses must agree within float tolerance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@/engine/backend';
import { syntheticDataset } from '@/engine/data/synthetic';
import { disposeModel, initModel } from '@/engine/model/init';
import { trainModel } from '@/engine/train/loop';
import { tinyConvSpec } from '../../fixtures/models';

const spec = tinyConvSpec();

async function runPipelineCheck() {
  const choice = await initBackend({
    prefer: 'webgpu',
    platform: 'browser',
    loadBrowserBackend: async (name) => {
      if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
      else await import('@tensorflow/tfjs-backend-webgl');
    },
  });
  if (choice.name !== 'webgpu') return { backend: choice.name, error: choice.reason };
  const train = syntheticDataset({ n: 96, shape: [8, 8, 1], numClasses: 4, seed: 3 });
  const config = {
    epochs: 1,
    batchSize: 16,
    seed: 2,
    objective: { kind: 'fgsm-rs' as const, eps: 0.1 },
    optimizer: { kind: 'sgd' as const, momentum: 0.9 },
    validation: { subsetSize: 0 },
  };
  const engine = tf.engine() as unknown as { runKernel: (...a: unknown[]) => unknown };
  const original = engine.runKernel;
  const proto = tf.Tensor.prototype as unknown as { data: () => Promise<unknown> };
  const data = proto.data;
  const out = [];
  for (const pipelined of [undefined, false]) {
    let selects = 0;
    const atRead: number[] = [];
    engine.runKernel = function (this: unknown, ...args: unknown[]) {
      if (args[0] === 'Select') selects++;
      return original.apply(this, args);
    };
    proto.data = function (this: tf.Tensor) {
      if (this.rank === 1 && this.shape[0] === 4) atRead.push(selects);
      return data.call(this);
    };
    const before = tf.memory().numTensors;
    const model = initModel(spec, 1);
    const t0 = performance.now();
    let r;
    try {
      r = await trainModel(model, { train }, config, pipelined === undefined ? {} : { pipelined });
    } finally {
      engine.runKernel = original;
      proto.data = data;
    }
    const ms = performance.now() - t0;
    const weights: number[] = [];
    for (const p of model.params.values()) weights.push(...(await p.data()));
    disposeModel(model);
    out.push({
      status: r.status,
      losses: r.history.map((h) => h.trainLoss),
      weights,
      leaked: tf.memory().numTensors - before,
      atRead,
      selects,
      ms,
    });
  }
  const [piped, plain] = out;
  const bits = (v: number[]) => Array.from(new Uint32Array(Float32Array.from(v).buffer));
  // the same run on WebGL (its fused kernels and their gradients), unpipelined by default there
  const gl = await initBackend({
    prefer: 'webgl',
    platform: 'browser',
    loadBrowserBackend: async () => {
      await import('@tensorflow/tfjs-backend-webgl');
    },
  });
  let webgl: { backend: string; status?: string; losses?: number[]; selects?: number } = {
    backend: gl.name,
  };
  if (gl.name === 'webgl') {
    let selects = 0;
    engine.runKernel = function (this: unknown, ...args: unknown[]) {
      if (args[0] === 'Select') selects++;
      return original.apply(this, args);
    };
    const model = initModel(spec, 1);
    try {
      const r = await trainModel(model, { train }, config);
      webgl = { ...webgl, status: r.status, losses: r.history.map((h) => h.trainLoss), selects };
    } finally {
      engine.runKernel = original;
      disposeModel(model);
    }
  }
  return {
    webgl,
    backend: choice.name,
    piped: { ...piped, weights: undefined },
    plain: { ...plain, weights: undefined },
    sameWeights: JSON.stringify(bits(piped.weights)) === JSON.stringify(bits(plain.weights)),
    finite: piped.weights.every(Number.isFinite),
  };
}

const g = globalThis as unknown as {
  runPipelineCheck: typeof runPipelineCheck;
  pageReady: boolean;
};
g.runPipelineCheck = runPipelineCheck;
g.pageReady = true;
