/**
 * Mask checks and conversions. A mask (types.ts) is keyed by a kernel name and holds 0/1 values
 * with either the kernel's full shape (unstructured) or `[out]` (structured: one entry per output
 * channel or unit, which also zeroes that unit's bias and BN gamma/beta).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ModelInputError } from './errors';
import type { PrunableLayer } from './plan';
import type { Masks, ParamName } from './types';

/** A mask as plain data (crosses the worker boundary; read by counts.ts and the serializers). */
export interface PlainMask {
  /** the kernel's shape (unstructured) or `[out]` (structured) */
  shape: number[];
  /** 0/1 values, row-major; length = product of shape */
  data: Float32Array | Uint8Array;
}

export type PlainMasks = Map<ParamName, PlainMask>;

/** 'unstructured' for a full-kernel-shape mask, 'structured' for `[out]`, or a reason it fits neither. */
export function maskKind(
  layer: PrunableLayer,
  shape: readonly number[],
): 'unstructured' | 'structured' | string {
  const k = layer.kernelShape;
  if (shape.length === k.length && shape.every((d, i) => d === k[i])) return 'unstructured';
  if (shape.length === 1 && shape[0] === layer.neurons) return 'structured';
  return `mask for '${layer.kernelName}' has shape [${shape}], expected [${k}] or [${layer.neurons}]`;
}

/** The prunable layer of each mask; throws ModelInputError for an unknown key, shape or dtype. */
export function checkMasks(
  prunable: readonly PrunableLayer[],
  masks: Masks | PlainMasks | undefined,
): Map<ParamName, PrunableLayer> {
  const byKernel = new Map(prunable.map((l) => [l.kernelName, l]));
  const out = new Map<ParamName, PrunableLayer>();
  if (!masks) return out;
  for (const [name, m] of masks) {
    const layer = byKernel.get(name);
    if (!layer)
      throw new ModelInputError(
        `mask key '${name}' is not a kernel of this model (kernels: ${[...byKernel.keys()].join(', ')})`,
      );
    const kind = maskKind(layer, m.shape);
    if (kind !== 'unstructured' && kind !== 'structured') throw new ModelInputError(kind);
    const isTensor = 'dtype' in m; // a tf.Tensor (plain masks have no dtype)
    if (isTensor && m.dtype !== 'float32')
      throw new ModelInputError(`mask for '${name}' must be float32, got ${m.dtype}`);
    if (!isTensor && m.data.length !== m.shape.reduce((a, b) => a * b, 1))
      throw new ModelInputError(
        `mask for '${name}' has ${m.data.length} values for shape [${m.shape}]`,
      );
    out.set(name, layer);
  }
  return out;
}

/** Read tensor masks into plain float32 data (async: reads the backend). */
export async function readMasks(masks: Masks): Promise<PlainMasks> {
  const out: PlainMasks = new Map();
  for (const [name, m] of masks) {
    out.set(name, { shape: [...m.shape], data: new Float32Array(await (m as tf.Tensor).data()) });
  }
  return out;
}
