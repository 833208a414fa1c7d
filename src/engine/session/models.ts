/**
 * The session's model plumbing, free of session state: a new model of a built-in architecture,
 * a model read from the app's files (safetensors, or a tfjs model.json with its weights.bin), its
 * description for the UI (ModelInfo), and whether it fits the loaded dataset. Errors are readable
 * sentences (SessionError, ModelFormatError).
 */
import { ModelFormatError } from '../model/errors';
import { countModel } from '../model/counts';
import { initModel } from '../model/init';
import { prunableLayers } from '../model/params';
import { loadModelSafetensors, loadModelTfjs } from '../model/serialize/model-io';
import { ARCHITECTURES, type ArchitectureName } from '../model/spec';
import type { Model } from '../model/types';
import { disposeMasks } from '../prune/masks';
import { SessionError } from './errors';
import type { DatasetInfo, ModelInfo } from './types';

/** A fresh model of a built-in architecture for images of `shape` in `numClasses` classes. */
export function newArchitectureModel(
  architecture: string,
  seed: number,
  shape: [number, number, number],
  numClasses: number,
): Model {
  if (!Object.hasOwn(ARCHITECTURES, architecture))
    throw new SessionError(
      `unknown architecture '${architecture}'; expected one of ${Object.keys(ARCHITECTURES).join(', ')}`,
    );
  const make = ARCHITECTURES[architecture as ArchitectureName];
  return initModel(make(shape, numClasses), seed);
}

/** A model file saved by the app or the CLI (safetensors); masks saved with it are dropped. */
export function modelFromSafetensors(bytes: Uint8Array, file: string): Model {
  if (bytes.length > 0 && bytes[0] === 0x7b)
    throw new ModelFormatError(
      file,
      'bad-header',
      'this looks like a tfjs model.json: import it together with its weights.bin',
    );
  const { model, masks } = loadModelSafetensors(bytes, file);
  // masks saved with a model are already multiplied into its weights (export.ts)
  disposeMasks(masks);
  return model;
}

/** A tfjs model.json (text) with its weights.bin. */
export function modelFromTfjs(json: string, weights: Uint8Array): Model {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new ModelFormatError('model.json', 'bad-json', (e as Error).message);
  }
  const { model, masks } = loadModelTfjs(parsed, weights, 'model.json');
  disposeMasks(masks);
  return model;
}

/** The model as the UI shows it: spec, parameter and MAC counts, prunable layers. */
export function describeModel(model: Model, source: string): ModelInfo {
  const counts = countModel(model.spec);
  return {
    spec: model.spec,
    params: counts.total.params,
    macs: counts.total.macs,
    source,
    layers: prunableLayers(model.spec).map((l, i) => ({
      layer: l.name,
      kernelName: l.kernelName,
      kind: l.kind,
      neurons: l.neurons,
      weights: counts.layers[i].weights,
    })),
  };
}

/** Throws a SessionError unless the model takes the dataset's image shape and classes. */
export function assertFits(model: Model, d: DatasetInfo): void {
  const s = model.spec;
  if (s.inputShape.join() !== d.shape.join() || s.numClasses !== d.numClasses)
    throw new SessionError(
      `the model takes ${s.inputShape.join('×')} images with ${s.numClasses} classes, the dataset has ${d.shape.join('×')} with ${d.numClasses}: create or import a model that fits`,
    );
}
