/**
 * Lowers a ModelSpec to a validated plan: every layer checked (also when the spec comes from an
 * untrusted JSON file), every activation shape inferred, residual blocks expanded into their
 * convs. params.ts, init.ts, forward.ts and counts.ts all walk this one plan, so they agree on
 * names, shapes and order.
 *
 * Shape rules (TensorFlow conventions, NHWC): conv 'same' → ⌈H/s⌉; conv 'valid' →
 * ⌊(H−k)/s⌋+1 (needs H ≥ k); max pool is 'valid' (⌊(H−size)/stride⌋+1); flatten → H·W·C in
 * NHWC order; global average pool → C. Convs followed by batch norm have no bias (it would be
 * cancelled by the BN shift). Residual blocks (He et al. 2016, arXiv 1512.03385) are
 * conv3x3(stride)-BN-ReLU, conv3x3-BN, plus identity or conv1x1(stride)-BN shortcut, add, ReLU.
 */
import { SpecError } from './errors';
import { checkSpec } from './validate';
import type { Activation, ModelSpec } from './spec';

/** A prunable (conv2d or dense) layer with every shape resolved. */
export interface PrunableLayer {
  /** 'conv1', or nested in a residual block: 'block1/conv1', 'block1/conv2', 'block1/shortcut' */
  name: string;
  kind: 'conv2d' | 'dense';
  /** `${name}/kernel`: conv HWIO `[k, k, Cin, Cout]`, dense `[in, out]` */
  kernelName: string;
  kernelShape: number[];
  /** `${name}/bias` `[out]`, or null when the layer has batch norm */
  biasName: string | null;
  /** `${name}/bn` (its params are `${bnName}/gamma` ...), or null */
  bnName: string | null;
  /** output channels (conv) or units (dense): the unit of structured pruning */
  neurons: number;
  /** inputs per neuron: k·k·Cin (conv) or in (dense) */
  fanIn: number;
  /** activation shape without batch: `[H, W, C]` (conv) or `[in]` (dense) */
  inShape: number[];
  /** activation shape without batch: `[H, W, C]` (conv) or `[units]` (dense) */
  outShape: number[];
  /** output spatial size; 1 × 1 for dense */
  outHeight: number;
  outWidth: number;
  /** conv geometry; null for dense */
  conv: { kernelSize: number; stride: number; padding: 'same' | 'valid' } | null;
  /** applied after BN, before the tap. Residual conv2 and shortcut: 'none' (tapped pre-add) */
  activation: Activation;
}

export type PlanStep =
  | { op: 'conv2d' | 'dense'; layer: PrunableLayer }
  | { op: 'maxPool'; name: string; size: number; stride: number; outShape: number[] }
  | { op: 'flatten'; name: string; outShape: number[] }
  | { op: 'globalAvgPool'; name: string; outShape: number[] }
  | {
      op: 'residual';
      name: string;
      conv1: PrunableLayer;
      conv2: PrunableLayer;
      shortcut: PrunableLayer | null;
    };

export interface Plan {
  spec: ModelSpec;
  steps: PlanStep[];
  /** prunable layers in forward order (a block's conv1, conv2, shortcut) */
  prunable: PrunableLayer[];
}

type Act = { kind: 'image'; h: number; w: number; c: number } | { kind: 'flat'; n: number };

/** Upper bound on a model's parameter count (1 GB of float32): guards against absurd specs. */
export const MAX_PARAMS = 2 ** 28;

function convLayer(
  name: string,
  input: Act,
  filters: number,
  kernelSize: number,
  stride: number,
  padding: 'same' | 'valid',
  batchNorm: boolean,
  activation: Activation,
): PrunableLayer {
  if (input.kind !== 'image')
    throw new SpecError('conv2d needs an image input [H, W, C], got a flat vector', name);
  let outH: number;
  let outW: number;
  if (padding === 'same') {
    outH = Math.ceil(input.h / stride);
    outW = Math.ceil(input.w / stride);
  } else {
    if (kernelSize > input.h || kernelSize > input.w)
      throw new SpecError(
        `valid conv kernel ${kernelSize}×${kernelSize} is larger than its input ${input.h}×${input.w}`,
        name,
      );
    outH = Math.floor((input.h - kernelSize) / stride) + 1;
    outW = Math.floor((input.w - kernelSize) / stride) + 1;
  }
  return {
    name,
    kind: 'conv2d',
    kernelName: `${name}/kernel`,
    kernelShape: [kernelSize, kernelSize, input.c, filters],
    biasName: batchNorm ? null : `${name}/bias`,
    bnName: batchNorm ? `${name}/bn` : null,
    neurons: filters,
    fanIn: kernelSize * kernelSize * input.c,
    inShape: [input.h, input.w, input.c],
    outShape: [outH, outW, filters],
    outHeight: outH,
    outWidth: outW,
    conv: { kernelSize, stride, padding },
    activation,
  };
}

function actOf(layer: PrunableLayer): Act {
  return layer.kind === 'dense'
    ? { kind: 'flat', n: layer.neurons }
    : { kind: 'image', h: layer.outHeight, w: layer.outWidth, c: layer.neurons };
}

function shapeOf(act: Act): number[] {
  return act.kind === 'image' ? [act.h, act.w, act.c] : [act.n];
}

/** Activation shape after a step, without batch: `[H, W, C]` or `[n]`. */
export function stepOutShape(step: PlanStep): number[] {
  if ('layer' in step) return step.layer.outShape;
  if (step.op === 'residual') return step.conv2.outShape;
  return step.outShape;
}

/**
 * Validate a spec and infer every shape. Throws SpecError naming the layer for an impossible spec
 * (valid conv or pool larger than its input, zero filters, dense on an image, bad last layer...).
 */
export function planModel(spec: ModelSpec): Plan {
  checkSpec(spec);
  const [h0, w0, c0] = spec.inputShape;
  let act: Act = { kind: 'image', h: h0, w: w0, c: c0 };
  const steps: PlanStep[] = [];
  const prunable: PrunableLayer[] = [];
  for (const l of spec.layers) {
    switch (l.kind) {
      case 'conv2d': {
        const layer = convLayer(
          l.name,
          act,
          l.filters,
          l.kernelSize,
          l.stride ?? 1,
          l.padding ?? 'same',
          l.batchNorm ?? false,
          l.activation ?? 'relu',
        );
        steps.push({ op: 'conv2d', layer });
        prunable.push(layer);
        act = actOf(layer);
        break;
      }
      case 'dense': {
        if (act.kind !== 'flat')
          throw new SpecError(
            `dense needs a flat input; add a flatten or globalAvgPool layer before it (input is ${act.h}×${act.w}×${act.c})`,
            l.name,
          );
        const layer: PrunableLayer = {
          name: l.name,
          kind: 'dense',
          kernelName: `${l.name}/kernel`,
          kernelShape: [act.n, l.units],
          biasName: `${l.name}/bias`,
          bnName: null,
          neurons: l.units,
          fanIn: act.n,
          inShape: [act.n],
          outShape: [l.units],
          outHeight: 1,
          outWidth: 1,
          conv: null,
          activation: l.activation ?? 'relu',
        };
        steps.push({ op: 'dense', layer });
        prunable.push(layer);
        act = actOf(layer);
        break;
      }
      case 'maxPool': {
        const stride = l.stride ?? l.size;
        if (act.kind !== 'image') throw new SpecError('maxPool needs an image input', l.name);
        if (l.size > act.h || l.size > act.w)
          throw new SpecError(
            `pool ${l.size}×${l.size} is larger than its input ${act.h}×${act.w}`,
            l.name,
          );
        act = {
          kind: 'image',
          h: Math.floor((act.h - l.size) / stride) + 1,
          w: Math.floor((act.w - l.size) / stride) + 1,
          c: act.c,
        };
        steps.push({ op: 'maxPool', name: l.name, size: l.size, stride, outShape: shapeOf(act) });
        break;
      }
      case 'flatten':
        if (act.kind === 'image') act = { kind: 'flat', n: act.h * act.w * act.c };
        steps.push({ op: 'flatten', name: l.name, outShape: shapeOf(act) });
        break;
      case 'globalAvgPool':
        if (act.kind !== 'image') throw new SpecError('globalAvgPool needs an image input', l.name);
        act = { kind: 'flat', n: act.c };
        steps.push({ op: 'globalAvgPool', name: l.name, outShape: shapeOf(act) });
        break;
      case 'residual': {
        const stride = l.stride ?? 1;
        const conv1 = convLayer(
          `${l.name}/conv1`,
          act,
          l.midFilters ?? l.filters,
          3,
          stride,
          'same',
          true,
          'relu',
        );
        const conv2 = convLayer(
          `${l.name}/conv2`,
          actOf(conv1),
          l.filters,
          3,
          1,
          'same',
          true,
          'none',
        );
        const needsProjection = stride !== 1 || (act.kind === 'image' && act.c !== l.filters);
        const shortcut = needsProjection
          ? convLayer(`${l.name}/shortcut`, act, l.filters, 1, stride, 'same', true, 'none')
          : null;
        steps.push({ op: 'residual', name: l.name, conv1, conv2, shortcut });
        prunable.push(conv1, conv2);
        if (shortcut) prunable.push(shortcut);
        act = actOf(conv2);
        break;
      }
    }
  }
  const last = spec.layers[spec.layers.length - 1];
  if (last.kind !== 'dense' || act.kind !== 'flat' || act.n !== spec.numClasses)
    throw new SpecError(
      `the last layer must be dense with units = numClasses (${spec.numClasses}), got ${last.kind}`,
      last.name,
    );
  let total = 0;
  for (const p of prunable) {
    total += p.kernelShape.reduce((a, b) => a * b, 1) + 2 * p.neurons;
    if (total > MAX_PARAMS) throw new SpecError(`model exceeds ${MAX_PARAMS} parameters`, p.name);
  }
  return { spec, steps, prunable };
}
