/**
 * The parameters a spec implies, by name and shape, in one fixed order; and its prunable layers.
 *
 * Order: prunable layers in forward order (a residual block's conv1, conv2, then shortcut); per
 * layer `kernel`, `bias` (no bias when the layer has batch norm), then `bn/gamma`, `bn/beta`,
 * `bn/movingMean`, `bn/movingVariance`. Trainable: kernel, bias, gamma, beta. Names follow
 * types.ts: `conv1/kernel`, `block1/conv2/bn/gamma`, `block1/shortcut/bn/movingVariance`.
 */
import { planModel } from './plan';
import type { PrunableLayer } from './plan';
import type { ModelSpec } from './spec';
import type { ParamName } from './types';

export type { PrunableLayer } from './plan';

export type ParamKind = 'kernel' | 'bias' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance';

export interface ParamShape {
  name: ParamName;
  shape: number[];
  kind: ParamKind;
  /** the prunable layer this parameter belongs to, e.g. 'block1/conv1' */
  layer: string;
  /** false for BN running statistics (model.buffers) */
  trainable: boolean;
}

/** Parameters of one prunable layer, in the fixed order. */
export function layerParams(layer: PrunableLayer): ParamShape[] {
  const out: ParamShape[] = [];
  const add = (name: string, shape: number[], kind: ParamKind, trainable: boolean): void => {
    out.push({ name, shape, kind, layer: layer.name, trainable });
  };
  const n = layer.neurons;
  add(layer.kernelName, layer.kernelShape, 'kernel', true);
  if (layer.biasName !== null) add(layer.biasName, [n], 'bias', true);
  if (layer.bnName !== null) {
    add(`${layer.bnName}/gamma`, [n], 'gamma', true);
    add(`${layer.bnName}/beta`, [n], 'beta', true);
    add(`${layer.bnName}/movingMean`, [n], 'movingMean', false);
    add(`${layer.bnName}/movingVariance`, [n], 'movingVariance', false);
  }
  return out;
}

/**
 * Every parameter and buffer of `spec` with its shape, in the fixed order. Throws SpecError for
 * an invalid spec.
 */
export function paramShapes(spec: ModelSpec): ParamShape[] {
  return planModel(spec).prunable.flatMap(layerParams);
}

/** Names of the trainable parameters, in order (the order of `model.params`). */
export function paramNames(spec: ModelSpec): ParamName[] {
  return paramShapes(spec)
    .filter((p) => p.trainable)
    .map((p) => p.name);
}

/** Names of the BN running statistics, in order (the order of `model.buffers`). */
export function bufferNames(spec: ModelSpec): ParamName[] {
  return paramShapes(spec)
    .filter((p) => !p.trainable)
    .map((p) => p.name);
}

/**
 * Every conv2d/dense layer, residual convs included ('block1/conv1', 'block1/conv2',
 * 'block1/shortcut'), in forward order, with kernel name, neurons (out channels or units),
 * fan-in, shapes, output spatial size and BN name. Throws SpecError for an invalid spec.
 */
export function prunableLayers(spec: ModelSpec): PrunableLayer[] {
  return planModel(spec).prunable;
}
