/**
 * Seed model files of the model-format fuzzers: a tiny conv net (with batch norm, so buffers are
 * saved too) written by our own writers as safetensors and as tfjs model.json + weights.bin,
 * without masks, with a 0/1 unstructured mask (stored as bytes) and with a fractional structured
 * mask (stored as float32).
 */
import * as tf from '@tensorflow/tfjs-core';
import { disposeModel, initModel } from '@/engine/model/init';
import { saveModelSafetensors, saveModelTfjs } from '@/engine/model/serialize/model-io';
import type { TfjsModelJson } from '@/engine/model/serialize/tfjs';
import type { ModelSpec } from '@/engine/model/spec';
import type { Masks, Model } from '@/engine/model/types';

/** conv3x3(2, BN) → maxPool → flatten → dense(3): 6×6×1 inputs. */
export function fuzzSpec(): ModelSpec {
  return {
    name: 'fuzz',
    inputShape: [6, 6, 1],
    numClasses: 3,
    layers: [
      { kind: 'conv2d', name: 'c1', filters: 2, kernelSize: 3, batchNorm: true },
      { kind: 'maxPool', name: 'p1', size: 2 },
      { kind: 'flatten', name: 'flat' },
      { kind: 'dense', name: 'out', units: 3, activation: 'none' },
    ],
  };
}

export interface ModelSeeds {
  safetensors: Uint8Array[];
  tfjs: { modelJson: TfjsModelJson; weightsBin: Uint8Array }[];
}

/** Writes the seed files; every tensor made here is disposed before it returns. */
export async function modelSeeds(): Promise<ModelSeeds> {
  const model = initModel(fuzzSpec(), 3);
  const maskSets: (Masks | undefined)[] = [
    undefined,
    new Map([
      [
        'c1/kernel',
        tf.tensor([1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1], [3, 3, 1, 2]),
      ],
    ]),
    new Map([['out/kernel', tf.tensor([0.5, 1, 0], [3])]]),
  ];
  const out: ModelSeeds = { safetensors: [], tfjs: [] };
  for (const masks of maskSets) {
    out.safetensors.push(await saveModelSafetensors(model, masks));
    out.tfjs.push(await saveModelTfjs(model, masks));
  }
  for (const m of maskSets) for (const t of m?.values() ?? []) t.dispose();
  disposeModel(model);
  return out;
}

/** Frees a loaded model and its masks. */
export function disposeLoaded(r: { model: Model; masks: Masks }): void {
  disposeModel(r.model);
  for (const t of r.masks.values()) t.dispose();
}

/** Number of float values a loaded model and its masks hold. */
export function loadedValues(r: { model: Model; masks: Masks }): number {
  let n = 0;
  for (const v of [...r.model.params.values(), ...r.model.buffers.values(), ...r.masks.values()])
    n += v.size;
  return n;
}
