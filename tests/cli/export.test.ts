/**
 * `--export safetensors,onnx,tfjs-layers`: the CLI writes the trained model and every saved
 * pruned model (masked and compacted) in each format, and the ONNX and tfjs Layers files run (ONNX
 * Runtime, tf.loadLayersModel) to the logits of the safetensors file loaded back into the engine.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main, parseArgs } from '@/cli/experiment';
import { logitsFn } from '@/engine/model/forward';
import { disposeModel } from '@/engine/model/init';
import { loadModelSafetensors } from '@/engine/model/serialize/model-io';
import { disposeMasks } from '@/engine/prune/masks';

const CONFIG = {
  name: 'export-smoke',
  seed: 0,
  data: { kind: 'synthetic', trainSize: 128, testSize: 32, shape: [16, 16, 1], numClasses: 4 },
  model: { architecture: 'lenet' },
  train: {
    epochs: 1,
    batchSize: 64,
    objective: { kind: 'standard' },
    optimizer: { kind: 'adam' },
    schedule: { kind: 'constant', lr: 0.003 },
  },
  eval: { n: 32, batchSize: 32, attacks: [{ name: 'fgsm' }] },
  prune: {
    scoringSamples: 32,
    methods: [{ name: 'magnitude' }],
    granularity: 'structured',
    sparsities: [0.5],
    fineTune: {
      epochs: 1,
      batchSize: 64,
      objective: { kind: 'standard' },
      optimizer: { kind: 'adam' },
      schedule: { kind: 'constant', lr: 0.001 },
    },
  },
};

let dir: string;
let out: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'advprune-export-'));
  out = path.join(dir, 'run');
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(CONFIG));
  const argv = [file, '--out', out, '--threads', '1', '--quiet'];
  expect(await main([...argv, '--export', 'safetensors,onnx,tfjs-layers'])).toBe(0);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const N = 6;
const X = Float32Array.from({ length: N * 256 }, (_, i) => ((i * 7919) % 1000) / 1000);

async function engineLogits(stem: string): Promise<Float32Array> {
  const f = path.join(out, `${stem}.safetensors`);
  const { model, masks } = loadModelSafetensors(new Uint8Array(await readFile(f)), f);
  const x = tf.tensor4d(X, [N, 16, 16, 1]);
  const y = logitsFn(model, { masks: masks.size > 0 ? masks : undefined })(x);
  const data = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  disposeModel(model);
  disposeMasks(masks);
  return data;
}

function expectClose(a: Float32Array, b: Float32Array, tol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(tol));
}

describe('experiment --export', () => {
  it('parses the format list', () => {
    expect(parseArgs(['c.json', '--out', 'o']).export).toBeUndefined();
    expect(parseArgs(['c.json', '--out', 'o', '--export', 'onnx,tfjs-layers,onnx']).export).toEqual(
      ['onnx', 'tfjs-layers'],
    );
    expect(() => parseArgs(['c.json', '--out', 'o', '--export', 'onnx,keras'])).toThrow(
      /--export .*'keras'/,
    );
    expect(() => parseArgs(['c.json', '--out', 'o', '--export'])).toThrow(/--export/);
  });

  for (const stem of ['model', 'pruned/magnitude-s50', 'pruned/magnitude-s50.compact'])
    it(`${stem}: ONNX and tfjs Layers files give the safetensors model's logits`, async () => {
      const want = await engineLogits(stem);
      const bytes = new Uint8Array(await readFile(path.join(out, `${stem}.onnx`)));
      const session = await ort.InferenceSession.create(bytes);
      const { logits } = await session.run({ input: new ort.Tensor('float32', X, [N, 16, 16, 1]) });
      await session.release();
      expectClose(logits.data as Float32Array, want, 1e-4);

      const json = JSON.parse(await readFile(path.join(out, `${stem}.layers.json`), 'utf8')) as {
        modelTopology: object;
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      };
      expect(json.weightsManifest[0].paths).toEqual([`${path.basename(stem)}.layers.bin`]);
      const bin = await readFile(path.join(out, `${stem}.layers.bin`));
      const model = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest[0].weights,
          weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        }),
      );
      const x = tf.tensor4d(X, [N, 16, 16, 1]);
      const y = model.predict(x) as tf.Tensor;
      expectClose((await y.data()) as Float32Array, want, 1e-5);
      tf.dispose([x, y]);
      model.dispose();
    });
});
