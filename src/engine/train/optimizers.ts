/**
 * SGD and Adam written out over a model's parameter Map, with their state in tensors that export
 * to plain data and restore bit-exactly (checkpoints). Gradients are those of a loss averaged
 * over the batch; the learning rate comes from the schedule at each step.
 *
 * SGD (PyTorch torch.optim.SGD, dampening 0; momentum of Sutskever et al. 2013; on WASM one
 * kernel of ours per parameter, bit for bit these operations: backend/kernels/sgd-update.ts):
 *   g ← g + wd·p;  b ← μ·b + g;  g ← g + μ·b (nesterov) or g ← b;  p ← p − lr·g
 *   (b starts at 0, which equals PyTorch's b₁ = g₁.) Defaults: μ 0.9, nesterov false, wd 5e-4.
 * Adam (Kingma and Ba 2015, arXiv 1412.6980; PyTorch torch.optim.Adam), step t from 1:
 *   g ← g + wd·p (Adam) or p ← p·(1 − lr·wd) (AdamW, Loshchilov and Hutter 2019, arXiv 1711.05101)
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)
 *   Defaults: β₁ 0.9, β₂ 0.999, ε 1e-8, wd 0, decoupled false.
 * Masks (masking.ts): the gradient, the state and the updated parameter are multiplied by the
 * parameter's 0/1 mask, so pruned weights stay exactly 0 and their state stays 0.
 * Two phases: `computeUpdate` builds the new parameter and state tensors without writing them,
 * `commitUpdate` writes them (the training step checks them for NaN/±Inf in between, so a
 * diverging update leaves both the weights and the optimizer state as they were).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { NamedTensorMap } from '@tensorflow/tfjs-core';
import { SGD_UPDATE, hasSgdUpdateKernel } from '../backend/kernels/sgd-update';
import type { ParamName } from '../model/types';
import { TrainError } from './errors';
import type { ParamMasks } from './masking';
import { parseOrThrow } from './parse';

export const sgdSchema = z.strictObject({
  kind: z.literal('sgd'),
  /** momentum μ in [0, 1) (default 0.9; 0 = plain SGD) */
  momentum: z.number().min(0).lt(1).default(0.9),
  /** Nesterov momentum, needs μ > 0 (default false) */
  nesterov: z.boolean().default(false),
  /** L2 weight decay coupled into the gradient, ≥ 0 (default 5e-4) */
  weightDecay: z.number().min(0).default(5e-4),
});
export const adamSchema = z.strictObject({
  kind: z.literal('adam'),
  /** β₁ in [0, 1) (default 0.9) */
  beta1: z.number().min(0).lt(1).default(0.9),
  /** β₂ in [0, 1) (default 0.999) */
  beta2: z.number().min(0).lt(1).default(0.999),
  /** ε > 0 added to the denominator (default 1e-8) */
  eps: z.number().gt(0).default(1e-8),
  /** weight decay ≥ 0 (default 0) */
  weightDecay: z.number().min(0).default(0),
  /** true: AdamW's decoupled decay p ← p·(1 − lr·wd); false: L2 in the gradient (default) */
  decoupled: z.boolean().default(false),
});
export const optimizerSchema = z
  .discriminatedUnion('kind', [sgdSchema, adamSchema])
  .refine((c) => c.kind !== 'sgd' || !c.nesterov || c.momentum > 0, {
    message: 'nesterov needs momentum > 0',
    path: ['nesterov'],
  });
export type OptimizerConfig = z.output<typeof optimizerSchema>;
export type OptimizerConfigInput = z.input<typeof optimizerSchema>;

/** A live optimizer: config, update count and state tensors per parameter. */
export interface Optimizer {
  config: OptimizerConfig;
  /** updates applied so far */
  step: number;
  /** parameter name → state: SGD [momentum buffer] (none when μ = 0); Adam [m, v] */
  slots: Map<ParamName, tf.Variable[]>;
}

/** The optimizer's state as plain data (JSON-safe apart from the Float32Arrays). */
export interface OptimizerState {
  config: OptimizerConfig;
  step: number;
  /** parameter name → its slots' values, each of the parameter's shape */
  slots: Record<ParamName, Float32Array[]>;
}

function slotCount(c: OptimizerConfig): number {
  return c.kind === 'adam' ? 2 : c.momentum > 0 ? 1 : 0;
}

/**
 * A fresh optimizer (zero state) for `params`.
 * @throws TrainError `bad-config` for a bad config
 */
export function createOptimizer(
  config: OptimizerConfigInput,
  params: Map<ParamName, tf.Variable>,
): Optimizer {
  const c = parseOrThrow(optimizerSchema, config, 'optimizer');
  const slots = new Map<ParamName, tf.Variable[]>();
  for (const [name, p] of params) {
    slots.set(
      name,
      Array.from({ length: slotCount(c) }, () =>
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      ),
    );
  }
  return { config: c, step: 0, slots };
}

/** Frees the state tensors; the optimizer is unusable afterwards. */
export function disposeOptimizer(opt: Optimizer): void {
  for (const s of opt.slots.values()) for (const v of s) v.dispose();
  opt.slots.clear();
}

/** What one parameter's update would write: the new parameter and slot values. */
export interface UpdatedValues {
  /** the parameter after the update, same shape */
  param: tf.Tensor;
  /** the slots after the update (same order as `Optimizer.slots`) */
  slots: tf.Tensor[];
}

/**
 * An update computed but not yet written (step.ts checks it is finite before committing it).
 * The tensors belong to the holder: `commitUpdate` writes and frees them, `disposeUpdate` frees
 * them without writing.
 */
export interface PendingUpdate {
  /** the optimizer's update count once committed */
  step: number;
  values: Map<ParamName, UpdatedValues>;
}

function sgdUpdate(
  c: Extract<OptimizerConfig, { kind: 'sgd' }>,
  p: tf.Variable,
  slots: tf.Variable[],
  grad: tf.Tensor,
  lr: number,
  mask: tf.Tensor | undefined,
): tf.Tensor[] {
  const fullMask =
    mask === undefined ||
    (mask.dtype === 'float32' &&
      mask.shape.length === p.shape.length &&
      mask.shape.every((d, i) => d === p.shape[i]));
  if (hasSgdUpdateKernel() && grad.dtype === 'float32' && fullMask) {
    // on WASM: the same float32 operations as below in one kernel of ours, bit for bit (a mask
    // that broadcasts, e.g. one per output unit, takes the tfjs ops)
    const inputs: NamedTensorMap = { p, g: grad };
    if (c.momentum > 0) inputs.b = slots[0];
    if (mask) inputs.mask = mask;
    const attrs = { lr, momentum: c.momentum, weightDecay: c.weightDecay, nesterov: c.nesterov };
    return tf.engine().runKernel(SGD_UPDATE, inputs, attrs as never) as tf.Tensor[];
  }
  const m = (t: tf.Tensor): tf.Tensor => (mask ? tf.mul(t, mask) : t);
  let g = m(grad); // same shape as p
  if (c.weightDecay > 0) g = tf.add(g, tf.mul(p, c.weightDecay));
  const newSlots: tf.Tensor[] = [];
  if (c.momentum > 0) {
    const b = m(tf.add(tf.mul(slots[0], c.momentum), g));
    newSlots.push(b);
    g = c.nesterov ? tf.add(g, tf.mul(b, c.momentum)) : b;
  }
  return [m(tf.sub(p, tf.mul(g, lr))), ...newSlots];
}

function adamUpdate(
  c: Extract<OptimizerConfig, { kind: 'adam' }>,
  p: tf.Variable,
  slots: tf.Variable[],
  grad: tf.Tensor,
  lr: number,
  t: number,
  mask: tf.Tensor | undefined,
): tf.Tensor[] {
  const m = (x: tf.Tensor): tf.Tensor => (mask ? tf.mul(x, mask) : x);
  let g = m(grad);
  let w: tf.Tensor = p;
  if (c.weightDecay > 0) {
    if (c.decoupled) w = tf.mul(p, 1 - lr * c.weightDecay);
    else g = tf.add(g, tf.mul(p, c.weightDecay));
  }
  const m1 = m(tf.add(tf.mul(slots[0], c.beta1), tf.mul(g, 1 - c.beta1)));
  const v1 = m(tf.add(tf.mul(slots[1], c.beta2), tf.mul(tf.square(g), 1 - c.beta2)));
  const bc1 = 1 - Math.pow(c.beta1, t);
  const bc2 = 1 - Math.pow(c.beta2, t);
  const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(bc2)), c.eps);
  return [m(tf.sub(w, tf.mul(tf.div(m1, denom), lr / bc1))), m1, v1];
}

/**
 * The new values of every parameter that has a gradient and of its optimizer state, without
 * writing them (parameters without a gradient are left alone, as PyTorch skips parameters whose
 * grad is None). Nothing in the optimizer or the parameters changes until `commitUpdate`.
 * @param grads parameter name → ∂loss/∂p, same shape as the parameter; not disposed here
 * @param lr learning rate, finite and ≥ 0
 * @param masks optional 0/1 multipliers per parameter (masking.ts `expandMasks`)
 * @returns tensors owned by the caller (commit or dispose them)
 * @throws TrainError `bad-state` for a gradient of an unknown parameter or of another shape
 */
export function computeUpdate(
  opt: Optimizer,
  params: Map<ParamName, tf.Variable>,
  grads: Map<ParamName, tf.Tensor>,
  lr: number,
  masks?: ParamMasks,
): PendingUpdate {
  if (!(Number.isFinite(lr) && lr >= 0)) {
    throw new TrainError('bad-config', `learning rate must be finite and ≥ 0, got ${lr}`);
  }
  for (const [name, g] of grads) {
    const p = params.get(name);
    const slots = opt.slots.get(name);
    if (!p || !slots) throw new TrainError('bad-state', `gradient for unknown parameter '${name}'`);
    if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i])) {
      throw new TrainError(
        'bad-state',
        `gradient of '${name}' has shape [${g.shape}], parameter has [${p.shape}]`,
      );
    }
  }
  const t = opt.step + 1;
  const c = opt.config;
  const pending: PendingUpdate = { step: t, values: new Map() };
  try {
    for (const [name, g] of grads) {
      const p = params.get(name) as tf.Variable;
      const slots = opt.slots.get(name) as tf.Variable[];
      const mask = masks?.get(name);
      const [param, ...newSlots] = tf.tidy(() =>
        c.kind === 'sgd'
          ? sgdUpdate(c, p, slots, g, lr, mask)
          : adamUpdate(c, p, slots, g, lr, t, mask),
      );
      pending.values.set(name, { param, slots: newSlots });
    }
  } catch (e) {
    disposeUpdate(pending);
    throw e;
  }
  return pending;
}

/** Writes a pending update into the parameters and the optimizer state, then frees it. */
export function commitUpdate(
  opt: Optimizer,
  params: Map<ParamName, tf.Variable>,
  pending: PendingUpdate,
): void {
  for (const [name, u] of pending.values) {
    (params.get(name) as tf.Variable).assign(u.param);
    const slots = opt.slots.get(name) as tf.Variable[];
    u.slots.forEach((s, i) => slots[i].assign(s));
  }
  opt.step = pending.step;
  disposeUpdate(pending);
}

/** Frees a pending update without writing it (the optimizer and the parameters are unchanged). */
export function disposeUpdate(pending: PendingUpdate): void {
  for (const u of pending.values.values()) {
    u.param.dispose();
    for (const s of u.slots) s.dispose();
  }
  pending.values.clear();
}

/**
 * One update of every parameter that has a gradient: `computeUpdate` then `commitUpdate` (no
 * finiteness check; the training step checks, see step.ts).
 * @param grads parameter name → ∂loss/∂p, same shape as the parameter; not disposed here
 * @param lr learning rate, finite and ≥ 0
 * @param masks optional 0/1 multipliers per parameter (masking.ts `expandMasks`)
 * @throws TrainError `bad-state` for a gradient of an unknown parameter or of another shape
 */
export function applyGradients(
  opt: Optimizer,
  params: Map<ParamName, tf.Variable>,
  grads: Map<ParamName, tf.Tensor>,
  lr: number,
  masks?: ParamMasks,
): void {
  commitUpdate(opt, params, computeUpdate(opt, params, grads, lr, masks));
}

/** Reads the state into plain data (copies). */
export async function exportOptimizerState(opt: Optimizer): Promise<OptimizerState> {
  const slots: Record<ParamName, Float32Array[]> = {};
  for (const [name, vs] of opt.slots) {
    slots[name] = await Promise.all(vs.map(async (v) => new Float32Array(await v.data())));
  }
  return { config: structuredCloneConfig(opt.config), step: opt.step, slots };
}

function structuredCloneConfig(c: OptimizerConfig): OptimizerConfig {
  return JSON.parse(JSON.stringify(c)) as OptimizerConfig;
}

/**
 * An optimizer holding exactly the exported state, for `params` (same names and shapes).
 * @throws TrainError `bad-state` when the state does not fit the parameters
 */
export function restoreOptimizer(
  state: OptimizerState,
  params: Map<ParamName, tf.Variable>,
): Optimizer {
  const config = parseOrThrow(optimizerSchema, state.config, 'optimizer');
  if (!(Number.isSafeInteger(state.step) && state.step >= 0)) {
    throw new TrainError('bad-state', `optimizer step must be an integer ≥ 0, got ${state.step}`);
  }
  const k = slotCount(config);
  const names = Object.keys(state.slots);
  for (const name of names) {
    if (!params.has(name))
      throw new TrainError('bad-state', `optimizer state for unknown parameter '${name}'`);
  }
  for (const [name, p] of params) {
    const s = state.slots[name];
    if (s === undefined)
      throw new TrainError('bad-state', `optimizer state lacks parameter '${name}'`);
    if (s.length !== k)
      throw new TrainError(
        'bad-state',
        `'${name}' has ${s.length} slots, ${config.kind} needs ${k}`,
      );
    for (const d of s) {
      if (!(d instanceof Float32Array) || d.length !== p.size) {
        throw new TrainError(
          'bad-state',
          `a slot of '${name}' needs a Float32Array of ${p.size} values`,
        );
      }
    }
  }
  const slots = new Map<ParamName, tf.Variable[]>();
  for (const [name, p] of params) {
    slots.set(
      name,
      state.slots[name].map((d) =>
        tf.tidy(() => tf.variable(tf.tensor(d.slice(), p.shape, 'float32'), false)),
      ),
    );
  }
  return { config, step: state.step, slots };
}
