/**
 * What both file formats share: the list of named tensors a model (plus masks) is saved as, and
 * the validated rebuild of a model from such a list.
 *
 * Tensors, in order: every parameter and BN buffer in paramShapes order (float32), then one
 * `mask/<kernelName>` per mask, in the order of the masks map (0/1 values stored as bytes when
 * every value is exactly 0 or 1, else float32).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ModelFormatError, SpecError, WeightsError } from '../errors';
import { getWeights, modelFromWeights } from '../init';
import type { WeightData } from '../init';
import type { PlainMask } from '../masks';
import { checkMasks, maskKind, readMasks } from '../masks';
import { planModel } from '../plan';
import type { ModelSpec } from '../spec';
import { MAX_JSON_DEPTH, jsonDepth } from './json-guard';
import type { Masks, Model } from '../types';

/** Prefix of mask tensors: `mask/conv1/kernel`. */
export const MASK_PREFIX = 'mask/';
/** Format name and version written in both formats' metadata. */
export const FORMAT_NAME = 'advprune-lab';
export const FORMAT_VERSION = '1';

export interface NamedData {
  name: string;
  shape: number[];
  /** Uint8Array only for 0/1 masks */
  data: Float32Array | Uint8Array;
}

function isBinary(d: Float32Array): boolean {
  for (let i = 0; i < d.length; i++) if (d[i] !== 1 && !Object.is(d[i], 0)) return false;
  return true;
}

/** The tensors to write for `model` and `masks` (reads the backend). */
export async function collectTensors(model: Model, masks?: Masks): Promise<NamedData[]> {
  checkMasks(planModel(model.spec).prunable, masks);
  const out: NamedData[] = [];
  for (const [name, w] of await getWeights(model)) out.push({ name, shape: w.shape, data: w.data });
  if (masks) {
    for (const [kernel, m] of await readMasks(masks)) {
      const d = m.data as Float32Array;
      out.push({
        name: MASK_PREFIX + kernel,
        shape: m.shape,
        data: isBinary(d) ? Uint8Array.from(d) : d,
      });
    }
  }
  return out;
}

/** Parse and validate the spec JSON stored in a file. */
export function parseSpec(file: string, json: unknown): ModelSpec {
  let spec: unknown = json;
  try {
    if (typeof json === 'string') spec = JSON.parse(json);
    // checkSpec quotes bad values with JSON.stringify, which overflows on deep nesting
    if (jsonDepth(spec) > MAX_JSON_DEPTH)
      throw new ModelFormatError(
        file,
        'bad-metadata',
        `spec is nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    planModel(spec as ModelSpec);
  } catch (e) {
    if (e instanceof SyntaxError)
      throw new ModelFormatError(file, 'bad-metadata', `spec is not JSON: ${e.message}`);
    if (e instanceof SpecError)
      throw new ModelFormatError(file, 'bad-metadata', `invalid spec: ${e.message}`);
    throw e;
  }
  return spec as ModelSpec;
}

/**
 * Build a model and its masks from the tensors of a file, checking them against `spec`: every
 * parameter present with its shape, no unknown tensor, masks on known kernels with a valid shape.
 */
export function assembleModel(
  file: string,
  spec: ModelSpec,
  tensors: NamedData[],
): { model: Model; masks: Masks } {
  const plan = planModel(spec);
  const weights = new Map<string, WeightData>();
  const maskData: NamedData[] = [];
  for (const t of tensors) {
    if (t.name.startsWith(MASK_PREFIX)) {
      const kernel = t.name.slice(MASK_PREFIX.length);
      const layer = plan.prunable.find((l) => l.kernelName === kernel);
      if (!layer)
        throw new ModelFormatError(
          file,
          'spec-mismatch',
          `mask '${t.name}' names no kernel of the spec`,
        );
      const kind = maskKind(layer, t.shape);
      if (kind !== 'structured' && kind !== 'unstructured')
        throw new ModelFormatError(file, 'spec-mismatch', kind);
      maskData.push(t);
    } else {
      if (!(t.data instanceof Float32Array))
        throw new ModelFormatError(file, 'bad-dtype', `weight '${t.name}' must be float32`);
      weights.set(t.name, { shape: t.shape, data: t.data });
    }
  }
  let model: Model;
  try {
    model = modelFromWeights(spec, weights);
  } catch (e) {
    if (e instanceof WeightsError) throw new ModelFormatError(file, 'spec-mismatch', e.message);
    throw e;
  }
  const masks: Masks = new Map();
  for (const t of maskData) {
    masks.set(
      t.name.slice(MASK_PREFIX.length),
      tf.tensor(Float32Array.from(t.data), t.shape, 'float32'),
    );
  }
  return { model, masks };
}

/**
 * Every parameter and buffer as plain data with `masks` multiplied in, for the formats that run
 * the model as it is (ONNX, tfjs Layers): a full-shape mask multiplies the kernel; an `[out]` mask
 * multiplies the kernel's last axis, the bias and BN gamma and beta, as forward.ts does. A pruned
 * entry is written as +0 (never -0). Reads the backend; creates no tensors.
 */
export async function bakedWeights(
  model: Model,
  masks?: Masks,
): Promise<{ plan: ReturnType<typeof planModel>; weights: Map<string, WeightData> }> {
  const plan = planModel(model.spec);
  checkMasks(plan.prunable, masks);
  const weights = await getWeights(model);
  const plain = masks ? await readMasks(masks) : new Map<string, PlainMask>();
  const mul = (name: string, m: ArrayLike<number>, period: number): void => {
    const w = weights.get(name);
    if (!w) return;
    const d = w.data;
    for (let i = 0; i < d.length; i++) {
      const f = m[period === 0 ? i : i % period];
      d[i] = f === 0 ? 0 : d[i] * f;
    }
  };
  for (const l of plan.prunable) {
    const m = plain.get(l.kernelName);
    if (!m) continue;
    if (maskKind(l, m.shape) !== 'structured') {
      mul(l.kernelName, m.data, 0);
      continue;
    }
    mul(l.kernelName, m.data, l.neurons); // [..., out]: the last axis varies fastest
    if (l.biasName !== null) mul(l.biasName, m.data, l.neurons);
    if (l.bnName !== null) {
      mul(`${l.bnName}/gamma`, m.data, l.neurons);
      mul(`${l.bnName}/beta`, m.data, l.neurons);
    }
  }
  return { plan, weights };
}
