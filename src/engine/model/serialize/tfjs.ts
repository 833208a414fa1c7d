/**
 * The TensorFlow.js weights format: a model.json with a `weightsManifest` and one binary
 * `weights.bin` holding every weight in manifest order, little-endian, with no padding (the
 * tf.io conventions: tf.io.decodeWeights(weightsBin.buffer, manifest[0].weights) reads it).
 *
 * model.json: `format: 'advprune-lab'`, `generatedBy`, `convertedBy: null`,
 * `weightsManifest: [{ paths: ['weights.bin'], weights: [{ name, shape, dtype }] }]` (dtype
 * 'float32', or 'bool' for 0/1 masks, one byte each), and `userDefinedMetadata.advprune =
 * { formatVersion, spec, bnEpsilon }`. There is no `modelTopology`: this is the app's own round
 * trip (masks kept as masks), loaded with loadModelTfjs. For tf.loadLayersModel, export the tfjs
 * Layers model (tfjs-layers.ts, masks baked in); loadModelTfjs refuses that one with a hint.
 */
import { BN_EPSILON } from '../bn';
import { ModelFormatError } from '../errors';
import type { ModelSpec } from '../spec';
import type { Masks, Model } from '../types';
import { FORMAT_NAME, FORMAT_VERSION, assembleModel, collectTensors, parseSpec } from './common';
import type { NamedData } from './common';
import { MAX_JSON_DEPTH, describeValue, jsonDepth } from './json-guard';

export interface TfjsWeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'bool';
}

export interface TfjsModelJson {
  format: string;
  generatedBy: string;
  convertedBy: null;
  weightsManifest: { paths: string[]; weights: TfjsWeightEntry[] }[];
  userDefinedMetadata: { advprune: { formatVersion: string; spec: ModelSpec; bnEpsilon: number } };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Serialize `model` (and optional masks) as a model.json object and weights.bin bytes. */
export async function saveModelTfjs(
  model: Model,
  masks?: Masks,
): Promise<{ modelJson: TfjsModelJson; weightsBin: Uint8Array }> {
  const tensors = await collectTensors(model, masks);
  const total = tensors.reduce((a, t) => a + t.data.byteLength, 0);
  const weightsBin = new Uint8Array(total);
  const view = new DataView(weightsBin.buffer);
  let at = 0;
  for (const t of tensors) {
    if (t.data instanceof Uint8Array || LITTLE_ENDIAN) {
      weightsBin.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    } else {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    }
    at += t.data.byteLength;
  }
  const weights: TfjsWeightEntry[] = tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    dtype: t.data instanceof Uint8Array ? 'bool' : 'float32',
  }));
  return {
    modelJson: {
      format: FORMAT_NAME,
      generatedBy: 'AdvPrune Lab',
      convertedBy: null,
      weightsManifest: [{ paths: ['weights.bin'], weights }],
      userDefinedMetadata: {
        advprune: { formatVersion: FORMAT_VERSION, spec: model.spec, bnEpsilon: BN_EPSILON },
      },
    },
    weightsBin,
  };
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Rebuild a model and its masks from a model.json (parsed JSON) and the bytes of all its weight
 * files concatenated in manifest order. Throws ModelFormatError naming `file` and the problem.
 */
export function loadModelTfjs(
  modelJson: unknown,
  weightsBin: Uint8Array,
  file: string,
): { model: Model; masks: Masks } {
  const fail = (
    problem: ConstructorParameters<typeof ModelFormatError>[1],
    detail: string,
  ): never => {
    throw new ModelFormatError(file, problem, detail);
  };
  if (!isRec(modelJson)) return fail('bad-json', 'model.json must be a JSON object');
  if (jsonDepth(modelJson) > MAX_JSON_DEPTH)
    fail('bad-json', `model.json is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (modelJson.format === 'layers-model' && 'modelTopology' in modelJson)
    fail(
      'bad-metadata',
      "this is a tfjs Layers model (for tf.loadLayersModel, masks baked in); to load a model here, use the safetensors or the tfjs weights export (format 'advprune-lab')",
    );
  if (modelJson.format !== FORMAT_NAME)
    fail('bad-metadata', `format is ${describeValue(modelJson.format)}, expected '${FORMAT_NAME}'`);
  const meta = isRec(modelJson.userDefinedMetadata)
    ? modelJson.userDefinedMetadata.advprune
    : undefined;
  if (!isRec(meta)) return fail('bad-metadata', 'userDefinedMetadata.advprune is missing');
  if (meta.formatVersion !== FORMAT_VERSION)
    fail('bad-metadata', `unsupported formatVersion ${describeValue(meta.formatVersion)}`);
  const spec = parseSpec(file, meta.spec);
  const groups = modelJson.weightsManifest;
  if (!Array.isArray(groups)) return fail('bad-header', 'weightsManifest must be an array');
  const tensors: NamedData[] = [];
  const seen = new Set<string>();
  let at = 0;
  for (const g of groups) {
    if (!isRec(g) || !Array.isArray(g.weights))
      return fail('bad-header', 'each manifest group needs a weights array');
    for (const w of g.weights as unknown[]) {
      if (!isRec(w) || typeof w.name !== 'string')
        return fail('bad-header', 'each weight needs a name');
      const name = w.name;
      if (seen.has(name)) fail('bad-name', `duplicate weight '${name}'`);
      seen.add(name);
      if ('quantization' in w) fail('bad-dtype', `weight '${name}' is quantized (unsupported)`);
      if (w.dtype !== 'float32' && w.dtype !== 'bool')
        fail(
          'bad-dtype',
          `weight '${name}' has dtype ${describeValue(w.dtype)}; supported: float32, bool`,
        );
      const shape = w.shape;
      if (
        !Array.isArray(shape) ||
        !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
      )
        return fail('bad-shape', `weight '${name}' has shape ${describeValue(shape)}`);
      const n = (shape as number[]).reduce((a, b) => a * b, 1);
      const bytes = n * (w.dtype === 'bool' ? 1 : 4);
      if (at + bytes > weightsBin.length)
        fail(
          'truncated',
          `weight '${name}' needs bytes [${at}, ${at + bytes}) of a ${weightsBin.length}-byte file`,
        );
      const chunk = weightsBin.slice(at, at + bytes); // aligned, owned copy
      let data: Float32Array | Uint8Array = chunk;
      if (w.dtype === 'float32') {
        if (LITTLE_ENDIAN) data = new Float32Array(chunk.buffer);
        else {
          const v = new DataView(chunk.buffer);
          data = Float32Array.from({ length: n }, (_, i) => v.getFloat32(4 * i, true));
        }
      }
      tensors.push({ name, shape: shape as number[], data });
      at += bytes;
    }
  }
  if (at !== weightsBin.length)
    fail('size-mismatch', `manifest describes ${at} bytes, weights file has ${weightsBin.length}`);
  return assembleModel(file, spec, tensors);
}
