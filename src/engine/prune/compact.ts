/**
 * Compaction: turn structured (`[out]`) masks into a physically smaller model, the way filter
 * pruning ships (Li et al. 2017, "Pruning Filters for Efficient ConvNets", arXiv 1608.08710;
 * Vora et al. 2023, arXiv 2308.08160 benchmark such pruned models).
 *
 * For a layer whose units are removed: its kernel's output axis (HWIO `Cout` / dense `out`), bias,
 * BN gamma, beta, moving mean and variance lose those entries; the next prunable layer loses the
 * matching inputs: conv→(pool)→conv the kernel's `Cin` axis; conv→(pool)→flatten→dense the dense
 * rows of those channels at every spatial position (NHWC flatten: row (h·W + w)·C + c);
 * conv→globalAvgPool→dense and dense→dense the rows of those units. A masked unit outputs exactly
 * 0 (forward.ts masks kernel, bias, gamma and beta), so the compacted model computes the same
 * logits as the masked one (inference and training mode alike).
 *
 * Residual blocks (He et al. 2016, arXiv 1512.03385). Channels of the residual stream (a block's
 * conv2 and shortcut, and whatever feeds an identity shortcut, e.g. the stem) are added to each
 * other, so they are NOT removed: their masks are returned in `masks`, to apply to the compacted
 * model (same kernel names, same `[out]` shape). A block's conv1 is compacted (its width becomes the
 * block's `midFilters`, and conv2 loses the matching input channels). Inputs a block reads from a
 * compacted layer (its conv1 and projection shortcut) are shrunk. The classifier head (the last
 * dense layer) cannot lose units; unstructured masks throw (compaction is structured-only).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMasks } from '../model/masks';
import { layerParams, paramShapes } from '../model/params';
import { planModel, stepOutShape } from '../model/plan';
import type { PrunableLayer } from '../model/plan';
import type { ModelSpec } from '../model/spec';
import type { Model, ParamName } from '../model/types';
import { MaskError } from './masks';
import type { PlainMasks } from './types';

export interface CompactResult {
  /** a new model (new variables, owned by the caller: disposeModel); the input is untouched */
  model: Model;
  /** layer name → removed output indices (ascending), for every layer physically shrunk */
  removed: Record<string, number[]>;
  /** masks not compacted (residual stream and block conv1), to apply to the compacted model */
  masks: PlainMasks;
}

export const COMPACTED_SUFFIX = ' (compacted)';

/** Layers whose outputs cannot be shrunk in the spec: the residual stream's members. */
function fixedLayers(plan: ReturnType<typeof planModel>): Set<string> {
  const fixed = new Set<string>();
  let producers: PrunableLayer[] = [];
  for (const s of plan.steps) {
    if (s.op === 'conv2d' || s.op === 'dense') producers = [s.layer];
    else if (s.op === 'residual') {
      const fromInput = s.shortcut ? [s.shortcut] : producers; // identity: the input is added
      for (const l of [s.conv2, ...fromInput]) fixed.add(l.name);
      producers = [s.conv2, ...fromInput];
    }
  }
  return fixed;
}

/**
 * Compact `model` under structured plain masks (`[out]`, 0 = removed, keyed by kernel name).
 * Returns the smaller model (spec named '<name> (compacted)', same layer and parameter names),
 * the removed indices and the masks left as masks. Throws MaskError for unstructured masks, a
 * mask removing classifier outputs or every unit of a layer; ModelInputError for masks that do
 * not fit the model.
 */
export function compactModel(model: Model, masks: PlainMasks): CompactResult {
  const plan = planModel(model.spec);
  checkMasks(plan.prunable, masks);
  const head = plan.prunable[plan.prunable.length - 1];
  const fixed = fixedLayers(plan);
  const keep = new Map<string, number[]>(); // layer name → kept output indices
  const removed: Record<string, number[]> = {};
  const kept: PlainMasks = new Map();
  for (const l of plan.prunable) {
    const m = masks.get(l.kernelName);
    if (!m) continue;
    if (m.shape.length !== 1)
      throw new MaskError(
        `mask for '${l.kernelName}' is unstructured (shape [${m.shape}]); compaction needs structured [out] masks`,
      );
    const on: number[] = [];
    const off: number[] = [];
    m.data.forEach((v, i) => (v !== 0 ? on : off).push(i));
    if (off.length === 0) continue;
    if (l === head)
      throw new MaskError(
        `mask for '${l.kernelName}' removes classifier outputs (the head's units)`,
      );
    if (fixed.has(l.name)) {
      kept.set(l.kernelName, { shape: [...m.shape], data: m.data.slice() });
      continue;
    }
    if (on.length === 0)
      throw new MaskError(`mask for '${l.kernelName}' removes every unit; keep at least one`);
    keep.set(l.name, on);
    removed[l.name] = off;
  }

  const tensors: Record<ParamName, tf.Tensor> = {};
  const pick = (t: tf.Tensor, idx: number[] | null, axis: number): tf.Tensor =>
    idx ? tf.gather(t, tf.tensor1d(idx, 'int32'), axis) : t;
  const get = (name: string, buffer: boolean): tf.Tensor => {
    const v = (buffer ? model.buffers : model.params).get(name);
    if (!v) throw new MaskError(`model has no parameter '${name}' (disposed?)`);
    return v;
  };
  const emit = (l: PrunableLayer, inSel: number[] | null, outSel: number[] | null): void => {
    for (const p of layerParams(l)) {
      const v = get(p.name, !p.trainable);
      tensors[p.name] =
        p.kind === 'kernel'
          ? tf.clone(pick(pick(v, inSel, p.shape.length - 2), outSel, p.shape.length - 1)) // [.., Cin', Cout']
          : tf.clone(pick(v, outSel, 0)); // [Cout']
    }
  };
  const built = tf.tidy(() => {
    let sel: number[] | null = null; // kept channels/features of the current activation
    let shape: number[] = model.spec.inputShape;
    for (const s of plan.steps) {
      if (s.op === 'conv2d' || s.op === 'dense') {
        const out = keep.get(s.layer.name) ?? null;
        emit(s.layer, sel, out);
        sel = out;
      } else if (s.op === 'flatten' && shape.length === 3 && sel) {
        const [h, w, c] = shape;
        const ch: number[] = sel;
        const rows: number[] = [];
        for (let p = 0; p < h * w; p++) for (const k of ch) rows.push(p * c + k); // NHWC order
        sel = rows;
      } else if (s.op === 'residual') {
        const mid = keep.get(s.conv1.name) ?? null; // conv1's kept channels (midFilters)
        emit(s.conv1, sel, mid);
        emit(s.conv2, mid, null);
        if (s.shortcut) emit(s.shortcut, sel, null);
        sel = null;
      } // maxPool and globalAvgPool keep the channel selection
      shape = stepOutShape(s);
    }
    return tensors;
  });

  const spec = JSON.parse(JSON.stringify(model.spec)) as ModelSpec;
  if (!spec.name.endsWith(COMPACTED_SUFFIX)) spec.name += COMPACTED_SUFFIX;
  for (const l of spec.layers) {
    const k = keep.get(l.name);
    if (k && l.kind === 'conv2d') l.filters = k.length;
    if (k && l.kind === 'dense') l.units = k.length;
    const mid = l.kind === 'residual' ? keep.get(`${l.name}/conv1`) : undefined;
    if (mid && l.kind === 'residual') l.midFilters = mid.length;
  }
  const shapes = paramShapes(spec);
  for (const p of shapes) {
    const t = built[p.name] as tf.Tensor | undefined;
    if (!t || t.shape.some((d, i) => d !== p.shape[i])) {
      tf.dispose(Object.values(built));
      throw new MaskError(`internal: compacted '${p.name}' is [${t?.shape}], want [${p.shape}]`);
    }
  }
  const params = new Map<ParamName, tf.Variable>();
  const buffers = new Map<ParamName, tf.Variable>();
  for (const p of shapes) {
    const t = built[p.name];
    (p.trainable ? params : buffers).set(p.name, tf.variable(t, p.trainable));
    t.dispose(); // the variable holds its own reference
  }
  return { model: { spec, params, buffers }, removed, masks: kept };
}
