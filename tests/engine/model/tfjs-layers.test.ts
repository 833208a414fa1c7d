// tfjs Layers export: every architecture, dense, masked (unstructured and structured) and
// compacted, opens with tf.loadLayersModel(tf.io.fromMemory(...)) and predicts the engine's
// logits within 1e-5 on real Fashion-MNIST test images; the masks are baked into the weights
// (pruned entries exactly 0); ResNet's topology is functional (Add layers); no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { planModel } from '@/engine/model';
import { saveModelTfjsLayers } from '@/engine/model/serialize/tfjs-layers';
import type { TfjsLayersModelJson } from '@/engine/model/serialize/tfjs-layers';
import { expectNoLeak } from './helpers';
import {
  ARCHS,
  VARIANTS,
  engineLogits,
  fashionImages,
  makeCase,
  maxAbsDiff,
} from './export-fixtures';
import type { Case } from './export-fixtures';

const N = 24;
let images: Float32Array;

beforeAll(async () => {
  images = (await fashionImages(N)).data;
});

/** The weights of the file by name (float32, little-endian, manifest order). */
function fileWeights(json: TfjsLayersModelJson, bin: Uint8Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let at = 0;
  for (const w of json.weightsManifest[0].weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    out.set(w.name, new Float32Array(bin.slice(at, at + 4 * n).buffer));
    at += 4 * n;
  }
  expect(at).toBe(bin.length);
  return out;
}

function expectPrunedZero(c: Case, json: TfjsLayersModelJson, bin: Uint8Array): void {
  const w = fileWeights(json, bin);
  let checked = 0;
  for (const l of planModel(c.model.spec).prunable) {
    const m = c.plain.get(l.kernelName);
    if (!m) continue;
    const layer = l.name.replace(/\//g, '_');
    const k = w.get(`${layer}/kernel`) as Float32Array;
    const out = l.neurons;
    const structured = m.shape.length === 1;
    for (let i = 0; i < k.length; i++) {
      if ((structured ? m.data[i % out] : m.data[i]) === 0) {
        expect(Object.is(k[i], 0), `${layer}/kernel[${i}]`).toBe(true);
        checked++;
      }
    }
    if (structured) {
      const names = l.bnName ? [`${layer}_bn/gamma`, `${layer}_bn/beta`] : [`${layer}/bias`];
      for (const n of names) {
        const v = w.get(n) as Float32Array;
        m.data.forEach((keep, u) => {
          if (keep === 0) expect(Object.is(v[u], 0), `${n}[${u}]`).toBe(true);
        });
      }
    }
  }
  if (c.variant === 'masked' || c.variant === 'structured') expect(checked).toBeGreaterThan(0);
}

async function layersLogits(json: TfjsLayersModelJson, bin: Uint8Array): Promise<Float32Array> {
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.slice().buffer,
    }),
  );
  try {
    const x = tf.tensor4d(images, [N, 28, 28, 1]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([N, 10]);
    const data = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    return data;
  } finally {
    model.dispose();
  }
}

describe('tfjs Layers export', () => {
  for (const arch of ARCHS) {
    for (const variant of VARIANTS) {
      it(`${arch} ${variant}: tf.loadLayersModel predicts the engine's logits within 1e-5`, async () => {
        const c = await makeCase(arch, variant);
        try {
          const { modelJson, weightsBin } = await saveModelTfjsLayers(c.model, c.masks);
          // what a file round trip sees: plain JSON
          const json = JSON.parse(JSON.stringify(modelJson)) as TfjsLayersModelJson;
          expect(json.format).toBe('layers-model');
          expect(json.userDefinedMetadata.advprune.input).toEqual({
            name: 'input',
            layout: 'NHWC',
            shape: [null, 28, 28, 1],
            range: [0, 1],
          });
          const classes = (
            json.modelTopology.config as { layers: { class_name: string }[] }
          ).layers.map((l) => l.class_name);
          if (arch === 'resnet-small') expect(classes).toContain('Add');
          expectPrunedZero(c, json, weightsBin);
          const got = await layersLogits(json, weightsBin);
          const want = await engineLogits(c, images);
          expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
        } finally {
          c.dispose();
        }
      });
    }
  }

  it('creates no tensors (repeated calls)', async () => {
    const c = await makeCase('resnet-small', 'structured');
    try {
      await expectNoLeak(() => saveModelTfjsLayers(c.model, c.masks));
    } finally {
      c.dispose();
    }
  });
});
