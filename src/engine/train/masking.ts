/**
 * From kernel masks to per-parameter multipliers, for keeping pruned weights at exactly zero
 * while training.
 *
 * A mask (model/types.ts `Masks`) is keyed by a kernel name and holds 0/1 values with either the
 * kernel's full shape (unstructured) or shape `[out]` (structured: one entry per output channel
 * or unit). A structured mask also applies to that layer's bias and batch-norm gamma/beta `[out]`,
 * so a pruned unit outputs exactly 0. `[out]` broadcasts against a kernel's last axis (conv HWIO
 * `[k, k, Cin, Cout]`, dense `[in, out]`).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { maskKind } from '../model/masks';
import { prunableLayers } from '../model/params';
import type { Masks, Model, ParamName } from '../model/types';
import { TrainError } from './errors';

/** Parameter name → 0/1 multiplier (the caller's mask tensors, shared, never copied). */
export type ParamMasks = Map<ParamName, tf.Tensor>;

/**
 * The multipliers of every masked parameter. Creates no tensors: the values are the caller's mask
 * tensors, which stay owned (and disposed) by the caller. Values are not read (they are assumed 0/1).
 * @throws TrainError `bad-mask` when a mask names no kernel of the model or has another shape
 */
export function expandMasks(model: Model, masks: Masks | undefined): ParamMasks {
  const out: ParamMasks = new Map();
  if (masks === undefined || masks.size === 0) return out;
  const layers = new Map(prunableLayers(model.spec).map((l) => [l.kernelName, l]));
  for (const [name, mask] of masks) {
    const layer = layers.get(name);
    if (layer === undefined) {
      throw new TrainError(
        'bad-mask',
        `mask '${name}' names no kernel of model '${model.spec.name}' ` +
          `(kernels: ${[...layers.keys()].join(', ')})`,
      );
    }
    if (mask.isDisposed) throw new TrainError('bad-mask', `mask '${name}' is disposed`);
    const kind = maskKind(layer, mask.shape);
    if (kind === 'unstructured') {
      out.set(name, mask);
    } else if (kind === 'structured') {
      out.set(name, mask);
      if (layer.biasName !== null) out.set(layer.biasName, mask);
      if (layer.bnName !== null) {
        out.set(`${layer.bnName}/gamma`, mask);
        out.set(`${layer.bnName}/beta`, mask);
      }
    } else {
      throw new TrainError(
        'bad-mask',
        `mask '${name}' has shape [${mask.shape.join(', ')}]; expected the kernel's ` +
          `[${layer.kernelShape.join(', ')}] or [${layer.neurons}] (structured)`,
      );
    }
  }
  return out;
}
