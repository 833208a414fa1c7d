/**
 * One optimizer step of (adversarial) training:
 *   x' = objective.craft(x, y)            outside the tape (the attack takes input gradients)
 *   L, ∇θL = variableGrads(objective.loss(x, x', y), θ)     model in training mode, masks on
 *   θ', state' = optimizer update (masked), r' = BN running statistics: computed, not written
 *   read [L, finite(θ', state', r'), clean correct, adversarial correct] (one small async read)
 *   if L and the flag are finite: write θ', state', r'
 * A NaN/±Inf loss, gradient, new weight, optimizer state or BN running statistic skips the whole
 * update: weights, optimizer state and BN statistics stay those of the last good step.
 * Pipelined (WebGPU by default, `dispatchPipelinedStep`): the update is committed on the device
 * behind a gate, θ ← where(healthy ∧ finite, θ′, θ), and the read happens later, after the next
 * step is dispatched: no host-device synchronization between steps, the same results. A
 * non-finite gradient always shows up in the new weights (p − lr·NaN, p − lr·Inf, Adam's Inf/Inf
 * are all non-finite, masked or not), so the flag checks the new values only; when it fails, a
 * second read (that step only) names the culprits. The one read per good step is the loss the
 * progress stream shows anyway.
 * Shapes: x `[B, H, W, C]` in [0, 1]; y `[B]` int32.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AbortFlag } from '../attacks/options';
import { allFiniteKernel, hasAllFiniteKernel } from '../backend/kernels/sgd-update';
import { forward, updateBnRunningStats } from '../model/forward';
import type { Masks, Model, ParamName } from '../model/types';
import type { ParamMasks } from './masking';
import { correctCount } from './objectives/losses';
import type { BnStats, Objective } from './objectives';
import {
  commitUpdate,
  computeUpdate,
  disposeUpdate,
  type Optimizer,
  type PendingUpdate,
} from './optimizers';

export interface StepContext {
  model: Model;
  objective: Objective;
  optimizer: Optimizer;
  masks: Masks | undefined;
  /** masks expanded to every masked parameter (masking.ts) */
  paramMasks: ParamMasks;
  /** BN running-statistics momentum in [0, 1] */
  bnMomentum: number;
  signal?: AbortFlag;
}

/** What went non-finite in a step that was not applied. */
export interface NonFinite {
  /**
   * the first kind found, in this order: the loss, gradients, new weights, new optimizer state,
   * new BN running statistics
   */
  what: 'loss' | 'gradient' | 'weight' | 'optimizer-state' | 'bn-statistic';
  /** parameter or buffer names (empty for the loss) */
  names: string[];
}

export interface StepOutcome {
  /** false when anything non-finite showed up (no update applied); see `nonFinite` */
  finite: boolean;
  /** null when finite */
  nonFinite: NonFinite | null;
  /** batch-mean loss, nats (may be NaN when !finite) */
  loss: number;
  /** correctly classified clean samples of the batch */
  cleanCorrect: number;
  /** correctly classified adversarial samples, or null for standard training */
  advCorrect: number | null;
}

function keepStats(stats: BnStats): BnStats {
  for (const { mean, variance } of stats.values()) {
    tf.keep(mean);
    tf.keep(variance);
  }
  return stats;
}

/**
 * The BN running statistics the step would write, for the finiteness check only: the same
 * update as model/bn.ts `updateBnRunningStats`, r ← (1 − momentum)·r + momentum·batch, folded in
 * order (TRADES: clean then adversarial). Keys are buffer names (`conv1/bn/movingMean`).
 */
function bnCandidates(model: Model, stats: BnStats[], momentum: number): Map<string, tf.Tensor> {
  const next = new Map<string, tf.Tensor>();
  tf.tidy(() => {
    for (const s of stats) {
      for (const [bn, { mean, variance }] of s) {
        for (const [key, batch] of [
          [`${bn}/movingMean`, mean],
          [`${bn}/movingVariance`, variance],
        ] as const) {
          const r = next.get(key) ?? model.buffers.get(key);
          if (!r) continue; // updateBnRunningStats reports it
          const v = tf.keep(tf.add(tf.mul(r, 1 - momentum), tf.mul(batch, momentum))); // [C]
          next.get(key)?.dispose();
          next.set(key, v);
        }
      }
    }
  });
  return next;
}

/** Every value the update would write. */
function newValues(pending: PendingUpdate, bnNext: Map<string, tf.Tensor>): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const u of pending.values.values()) out.push(u.param, ...u.slots);
  return [...out, ...bnNext.values()];
}

/**
 * Names what is non-finite (the failing step only: one more read). Gradients first, as a
 * non-finite gradient makes its new weight non-finite too.
 */
async function diagnose(
  grads: Map<ParamName, tf.Tensor>,
  pending: PendingUpdate,
  bnNext: Map<string, tf.Tensor>,
): Promise<NonFinite> {
  const groups: [NonFinite['what'], string, tf.Tensor][] = [];
  for (const [n, g] of grads) groups.push(['gradient', n, g]);
  for (const [n, u] of pending.values) groups.push(['weight', n, u.param]);
  for (const [n, u] of pending.values)
    for (const s of u.slots) groups.push(['optimizer-state', n, s]);
  for (const [n, r] of bnNext) groups.push(['bn-statistic', n, r]);
  if (groups.length === 0) return { what: 'weight', names: [] };
  const flags = tf.tidy(() =>
    tf.stack(groups.map(([, , t]) => tf.cast(tf.all(tf.isFinite(t)), 'float32'))),
  ); // [groups]
  const ok = await flags.data();
  flags.dispose();
  for (const what of ['gradient', 'weight', 'optimizer-state', 'bn-statistic'] as const) {
    const names = groups.filter(([w], i) => w === what && ok[i] !== 1).map(([, n]) => n);
    if (names.length > 0) return { what, names: [...new Set(names)] };
  }
  // the flag failed but no single tensor does: cannot happen; report the weights
  return { what: 'weight', names: [] };
}

/** A step whose update is computed (and, gated, committed on the device) but not read yet. */
export interface DispatchedStep {
  /** [loss, finite flag (1/0), clean correct, adversarial correct or −1] */
  summary: tf.Tensor1D;
  hasAdv: boolean;
  /** kept until the step is settled, to name what went non-finite */
  grads: Map<ParamName, tf.Tensor>;
  pending: PendingUpdate;
  bnStats: BnStats[];
  bnNext: Map<string, tf.Tensor>;
  owned: tf.Tensor[];
  /** whether the update was already committed on the device behind a gate */
  gated: boolean;
}

/**
 * Crafts x′, takes the gradients and computes the update (and its finiteness flag) without
 * reading anything. With `healthy` (a bool scalar variable), also commits the update on the
 * device: every parameter, optimizer slot and BN buffer becomes `where(h′, new, old)` with
 * h′ = healthy ∧ finite(loss) ∧ finite(new values), and `healthy` becomes h′; the optimizer's
 * step count advances now (the caller rewinds it if the step turns out non-finite). Once a step
 * fails, `healthy` stays false and every later gated step leaves the state alone, so a caller
 * that reads a step's summary late still finds the state of the last good step.
 */
async function dispatchStep(
  ctx: StepContext,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  lr: number,
  seed: number,
  healthy: tf.Variable | null,
): Promise<DispatchedStep> {
  const { model, objective } = ctx;
  const names: ParamName[] = [...model.params.keys()];
  const vars = names.map((n) => model.params.get(n) as tf.Variable);
  const owned: tf.Tensor[] = [];
  let bnStats: BnStats[] = [];
  try {
    const xAdv = await objective.craft(model, x, y, { masks: ctx.masks, seed, signal: ctx.signal });
    if (xAdv) owned.push(xAdv);
    let logitsClean: tf.Tensor2D | null = null;
    let logitsAdv: tf.Tensor2D | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const r = objective.loss(model, x, xAdv, y, { masks: ctx.masks, training: true });
      logitsClean = r.logitsClean ? tf.keep(r.logitsClean) : null;
      logitsAdv = r.logitsAdv ? tf.keep(r.logitsAdv) : null;
      bnStats = r.bnStats.map(keepStats);
      return r.loss;
    }, vars);
    owned.push(value, ...Object.values(grads));
    for (const s of bnStats)
      for (const { mean, variance } of s.values()) owned.push(mean, variance);
    const zAdv = logitsAdv as tf.Tensor2D | null;
    let zClean = logitsClean as tf.Tensor2D | null;
    if (zClean === null) {
      // clean accuracy for the progress stream: training-mode BN, statistics discarded
      zClean = tf.tidy(() => forward(model, x, { masks: ctx.masks, training: true }).logits);
    }
    owned.push(zClean);
    if (zAdv) owned.push(zAdv);
    const gradMap = new Map<ParamName, tf.Tensor>();
    names.forEach((n, i) => {
      const g = grads[vars[i].name];
      if (g) gradMap.set(n, g);
    });
    const pending = computeUpdate(ctx.optimizer, model.params, gradMap, lr, ctx.paramMasks);
    let bnNext = new Map<string, tf.Tensor>();
    try {
      bnNext = bnCandidates(model, bnStats, ctx.bnMomentum);
      owned.push(...bnNext.values());
      const [okAll, summary] = tf.tidy(() => {
        const fresh = newValues(pending, bnNext);
        // bool scalar: every new value finite (one concat, one test: ~3 kernels, not 3 per
        // tensor; on WASM one kernel of ours over all of them: backend/kernels/sgd-update.ts)
        const ok =
          fresh.length === 0
            ? tf.scalar(true)
            : hasAllFiniteKernel() && fresh.every((t) => t.dtype === 'float32')
              ? allFiniteKernel(fresh)
              : tf.all(tf.isFinite(tf.concat(fresh.map((t) => tf.reshape(t, [-1])))));
        const sum = tf.stack([
          value,
          tf.cast(ok, 'float32'),
          correctCount(zClean as tf.Tensor2D, y),
          zAdv ? correctCount(zAdv, y) : tf.scalar(-1),
        ]) as tf.Tensor1D; // [4]
        // the gate of a pipelined step also needs a finite loss (kernels only when gated)
        return [healthy ? tf.logicalAnd(ok, tf.isFinite(value)) : ok, sum];
      });
      owned.push(okAll, summary);
      if (healthy) commitGated(ctx, pending, bnNext, healthy, okAll);
      return {
        summary,
        hasAdv: zAdv !== null,
        grads: gradMap,
        pending,
        bnStats,
        bnNext,
        owned,
        gated: healthy !== null,
      };
    } catch (e) {
      disposeUpdate(pending);
      throw e;
    }
  } catch (e) {
    for (const t of owned) if (!t.isDisposed) t.dispose();
    throw e;
  }
}

/** The device-side commit of a gated step (see dispatchStep). */
function commitGated(
  ctx: StepContext,
  pending: PendingUpdate,
  bnNext: Map<string, tf.Tensor>,
  healthy: tf.Variable,
  okAll: tf.Tensor,
): void {
  const { model, optimizer } = ctx;
  tf.tidy(() => {
    const h = tf.logicalAnd(healthy, okAll); // bool scalar
    for (const [name, u] of pending.values) {
      const p = model.params.get(name) as tf.Variable;
      p.assign(tf.where(h, u.param, p));
      const slots = optimizer.slots.get(name) as tf.Variable[];
      u.slots.forEach((sl, i) => slots[i].assign(tf.where(h, sl, slots[i])));
    }
    for (const [key, next] of bnNext) {
      const r = model.buffers.get(key) as tf.Variable;
      r.assign(tf.where(h, next, r));
    }
    healthy.assign(h);
  });
  optimizer.step = pending.step;
}

/**
 * Reads a dispatched step's summary (its only read), names the culprit of a non-finite step
 * (one more read, that step only), commits an ungated step when it is finite, and frees the
 * step's tensors.
 */
async function settleStep(ctx: StepContext, d: DispatchedStep): Promise<StepOutcome> {
  try {
    const [loss, ok, cc, ac] = await d.summary.data();
    let nonFinite: NonFinite | null = null;
    if (!Number.isFinite(loss)) nonFinite = { what: 'loss', names: [] };
    else if (ok !== 1) nonFinite = await diagnose(d.grads, d.pending, d.bnNext);
    if (nonFinite === null && !d.gated) {
      commitUpdate(ctx.optimizer, ctx.model.params, d.pending);
      for (const s of d.bnStats) if (s.size > 0) updateBnRunningStats(ctx.model, s, ctx.bnMomentum);
    }
    return {
      finite: nonFinite === null,
      nonFinite,
      loss,
      cleanCorrect: cc,
      advCorrect: d.hasAdv ? ac : null,
    };
  } finally {
    discardStep(d);
  }
}

/** Frees a dispatched step's tensors (a gated step's commit stays). */
export function discardStep(d: DispatchedStep): void {
  disposeUpdate(d.pending); // no-op once committed
  for (const t of d.owned) if (!t.isDisposed) t.dispose();
}

/**
 * Runs one step at learning rate `lr` (≥ 0). `seed` drives the attack's random start.
 * Disposes everything it creates; never disposes x or y.
 */
export async function trainStep(
  ctx: StepContext,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  lr: number,
  seed: number,
): Promise<StepOutcome> {
  return settleStep(ctx, await dispatchStep(ctx, x, y, lr, seed, null));
}

/** `trainStep` in two halves: dispatch now, `settle()` (read, commit when finite) later. */
export async function dispatchUngatedStep(
  ctx: StepContext,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  lr: number,
  seed: number,
): Promise<{ settle(): Promise<StepOutcome>; discard(): void }> {
  const d = await dispatchStep(ctx, x, y, lr, seed, null);
  return { settle: () => settleStep(ctx, d), discard: () => discardStep(d) };
}

/**
 * A pipelined step (WebGPU by default): dispatches the step and commits it on the device behind the
 * `healthy` gate without reading anything; `settle()` later reads its summary. The caller may
 * dispatch the next step before settling this one, so the device never waits for the host
 * between steps. Same results as `trainStep`, bit for bit (`where` picks the new value itself).
 * Disposes everything it creates once settled or discarded; never disposes x or y.
 */
export async function dispatchPipelinedStep(
  ctx: StepContext,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  lr: number,
  seed: number,
  healthy: tf.Variable,
): Promise<{ settle(): Promise<StepOutcome>; discard(): void }> {
  const d = await dispatchStep(ctx, x, y, lr, seed, healthy);
  return { settle: () => settleStep(ctx, d), discard: () => discardStep(d) };
}
