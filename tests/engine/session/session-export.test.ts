// Session exports for other runtimes: at the slider's sparsity, the 'onnx' file runs in ONNX
// Runtime and the 'tfjs-layers' pair opens with tf.loadLayersModel, and both give the logits of
// the session's own safetensors export (loaded back into the engine, masks applied); no tensor
// leaks across repeated exports.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { disposeModel } from '@/engine/model/init';
import { logitsFn } from '@/engine/model/forward';
import { loadModelSafetensors } from '@/engine/model/serialize/model-io';
import { disposeMasks } from '@/engine/prune/masks';
import { Rng } from '@/engine/rng';
import { expectNoLeak, tinySession } from './helpers';
import { K, SHAPE } from '../../fixtures/models';

const SLIDER = {
  criterion: 'magnitude' as const,
  granularity: 'unstructured' as const,
  evalN: 16,
  samples: 16,
  whiteBoxAttack: null,
};

describe('Session exports for ONNX Runtime and tfjs Layers', () => {
  it('give the logits of the safetensors export at the slider sparsity', async () => {
    const s = tinySession();
    await s.prepareSlider(SLIDER);
    const r = await s.evaluateSparsity(0.6);
    expect(r.status).toBe('done');
    const n = 5;
    const rng = new Rng(3);
    const x = Float32Array.from({ length: n * SHAPE[0] * SHAPE[1] * SHAPE[2] }, () => rng.next());

    const [st] = await s.exportFiles('safetensors');
    const back = loadModelSafetensors(new Uint8Array(st.bytes), st.name);
    expect(back.masks.size).toBeGreaterThan(0);
    const xt = tf.tensor4d(x, [n, ...SHAPE]);
    const yt = logitsFn(back.model, { masks: back.masks })(xt);
    const want = (await yt.data()) as Float32Array;
    tf.dispose([xt, yt]);
    disposeModel(back.model);
    disposeMasks(back.masks);

    const [onnxFile] = await s.exportFiles('onnx');
    expect(onnxFile.name).toBe('tiny-conv-s60.0.onnx');
    const session = await ort.InferenceSession.create(new Uint8Array(onnxFile.bytes));
    const { logits } = await session.run({ input: new ort.Tensor('float32', x, [n, ...SHAPE]) });
    await session.release();
    const got = logits.data as Float32Array;
    expect(got.length).toBe(n * K);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));

    const [jsonFile, binFile] = await s.exportFiles('tfjs-layers');
    expect([jsonFile.name, binFile.name]).toEqual([
      'tiny-conv-s60.0.layers.json',
      'tiny-conv-s60.0.layers.bin',
    ]);
    const json = JSON.parse(new TextDecoder().decode(jsonFile.bytes)) as {
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    };
    expect(json.weightsManifest[0].paths).toEqual([binFile.name]);
    const layers = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: binFile.bytes,
      }),
    );
    const xl = tf.tensor4d(x, [n, ...SHAPE]);
    const yl = layers.predict(xl) as tf.Tensor;
    const fromLayers = (await yl.data()) as Float32Array;
    tf.dispose([xl, yl]);
    layers.dispose();
    fromLayers.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
  });

  it('refuses to import a tfjs Layers export, saying which files to import', async () => {
    const s = tinySession();
    const [json, bin] = await s.exportFiles('tfjs-layers');
    await expect(s.importTfjs(new TextDecoder().decode(json.bytes), bin.bytes)).rejects.toThrow(
      /tfjs Layers model.*safetensors/,
    );
  });

  it('keeps the tensor count flat across repeated exports', async () => {
    const s = tinySession();
    await s.prepareSlider(SLIDER);
    await s.evaluateSparsity(0.5);
    await expectNoLeak(() => s.exportFiles('onnx'));
    await expectNoLeak(() => s.exportFiles('tfjs-layers'));
  });
});
