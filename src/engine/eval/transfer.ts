/**
 * The base-to-pruned transfer benchmark (Vora et al. 2023, "Benchmarking adversarial robustness
 * of compressed deep learning models", arXiv 2308.08160; see also "Pruning in the face of
 * adversaries", arXiv 2108.08560): adversarial inputs crafted on a dense base model are applied
 * to its pruned (possibly fine-tuned) versions, beside each version's own white-box robustness,
 * its effective parameters and MACs, and its measured inference time.
 *
 * Protocol, per attack a (registry name + options; ε and steps as given):
 * 1. craft x'_a `[N, H, W, C]` ONCE on the base over all N samples (batches of `batchSize`,
 *    batch b seeded seed + 0x9e3779b9·b as in robustness.ts), budget-checked;
 * 2. base: clean accuracy, and white-box robust accuracy = clean-correct AND base(x'_a) = y;
 * 3. every variant v: clean; transferAccuracy = v(x'_a) = y over all N (Vora et al.'s figure,
 *    not bounded by clean); transferRobust = clean-correct AND v(x'_a) = y (≤ clean);
 *    whiteBoxRobust = the same attack crafted on v itself, over all N with the same batching and
 *    seeds, counted as in step 2 (so a variant identical to the base reproduces the base's
 *    figures exactly, even for random-start attacks);
 * 4. params and MACs: effective counts after pruning (prune/sparsity.ts sparsityReport: kept and
 *    actually used) under the variant's masks, or its spec's dense counts without masks (e.g. a
 *    compacted model);
 * 5. inferenceMs: median wall time of one forward of `timing.batch` images (the set's first
 *    images, cycled) including the read-back, after warm-up (timing.ts). A masked model still
 *    runs dense kernels; only a compacted model is actually smaller.
 *
 * All accuracies are fractions in [0, 1] of the N samples. Everything cached is freed on return,
 * also on error or cancellation (`signal`, throws an error named 'AbortError').
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AbortFlag } from '../attacks/options';
import { logitsFn } from '../model/forward';
import type { PlainMasks } from '../model/masks';
import type { LogitsFn, Model } from '../model/types';
import { disposeMasks, toTensorMasks } from '../prune/masks';
import { sparsityReport } from '../prune/sparsity';
import { EvalInputError } from './accuracy';
import {
  checkBatchSize,
  correctPerSample,
  countOnes,
  craftAdversarialSet,
  deviceSet,
  planAttack,
  type AttackPlan,
  type DeviceSet,
  type PlainLabeledData,
} from './device-set';
import type { AttackSpec } from './robustness';
import { measureInference } from './timing';

export { formatTransferTable, transferMatrix } from './transfer-table';

/** An attack of the benchmark; `label` (default: the name) tells two settings apart. */
export interface TransferAttackSpec extends AttackSpec {
  label?: string;
}

/** A pruned version of the base, prepared by the caller. */
export interface TransferVariant {
  /** pruning method, e.g. 'magnitude', 'anomaly-activation' */
  method: string;
  /** nominal sparsity (fraction removed, [0, 1]) the variant was pruned to */
  sparsity: number;
  /** same input shape and classes as the base */
  model: Model;
  /** masks applied in its forward pass (omit for an unmasked or compacted model) */
  masks?: PlainMasks;
}

export interface TransferBenchmarkOptions {
  base: Model;
  variants: readonly TransferVariant[];
  attacks: readonly TransferAttackSpec[];
  data: PlainLabeledData;
  /** images per forward / attack batch, integer ≥ 1 */
  batchSize: number;
  /** images per timed forward (integer ≥ 1), timed runs (≥ 1), warm-up runs (default 2) */
  timing: { batch: number; repeats: number; warmup?: number };
  signal?: AbortFlag;
  /** after the base (done 0) and after each variant (done = 1..variants) */
  onProgress?: (p: { done: number; total: number; method: string; sparsity: number }) => void;
}

export interface TransferCell {
  method: string;
  sparsity: number;
  /** attack label */
  attack: string;
  clean: number;
  transferAccuracy: number;
  transferRobust: number;
  whiteBoxRobust: number;
  /** effective trainable parameters */
  params: number;
  /** effective multiply-accumulates per image */
  macs: number;
  /** median ms of one forward of `timing.batch` images */
  inferenceMs: number;
}

export interface TransferReport {
  n: number;
  attacks: { label: string; name: string; options: Record<string, unknown> }[];
  base: {
    clean: number;
    params: number;
    macs: number;
    inferenceMs: number;
    perAttack: { attack: string; whiteBox: number }[];
  };
  /** one per (variant, attack), variants in order, attacks in order within */
  cells: TransferCell[];
  timing: { batch: number; repeats: number; warmup: number };
  /** wall seconds of the whole benchmark */
  seconds: number;
}

const and = (a: Uint8Array, b: Uint8Array) => countOnes(a.map((v, i) => v & b[i]));

function checkOptions(o: TransferBenchmarkOptions): string[] {
  checkBatchSize(o.batchSize);
  const { batch, repeats, warmup = 2 } = o.timing ?? {};
  for (const [k, v, min] of [
    ['batch', batch, 1],
    ['repeats', repeats, 1],
    ['warmup', warmup, 0],
  ] as const)
    if (!Number.isInteger(v) || (v as number) < min)
      throw new EvalInputError(`timing.${k} must be an integer ≥ ${min}, got ${String(v)}`);
  if (!Array.isArray(o.attacks) || o.attacks.length === 0)
    throw new EvalInputError('attacks must list at least one attack');
  const labels = o.attacks.map((a) => a.label ?? a.name);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup !== undefined)
    throw new EvalInputError(`two attacks are labelled '${dup}': give each a label`);
  const s = o.base.spec;
  o.variants.forEach((v, i) => {
    const vs = v.model?.spec;
    if (!vs || vs.inputShape.join() !== s.inputShape.join() || vs.numClasses !== s.numClasses)
      throw new EvalInputError(
        `variant ${i} (${v.method}) must take [${s.inputShape}] images and give ${s.numClasses} classes`,
      );
    if (!(v.sparsity >= 0 && v.sparsity <= 1))
      throw new EvalInputError(
        `variant ${i} (${v.method}) sparsity must be in [0, 1], got ${v.sparsity}`,
      );
  });
  return labels;
}

/** Clean correctness, white-box robust counts per attack, counts and time of one model. */
async function measureModel(
  f: LogitsFn,
  set: DeviceSet,
  plans: AttackPlan[],
  timingX: tf.Tensor4D,
  o: TransferBenchmarkOptions,
): Promise<{ clean: Uint8Array; whiteBox: number[]; inferenceMs: number }> {
  const clean = await correctPerSample(f, set.x, set.y, o.batchSize, o.signal);
  const whiteBox: number[] = [];
  for (const p of plans) {
    const xAdv = await craftAdversarialSet(f, set, p, o.batchSize, o.signal);
    const ok = await correctPerSample(f, xAdv, set.y, o.batchSize, o.signal).finally(() =>
      xAdv.dispose(),
    );
    whiteBox.push(and(clean, ok) / set.n);
  }
  const { timing } = o;
  const t = await measureInference(f, timingX, {
    repeats: timing.repeats,
    warmup: timing.warmup ?? 2,
  });
  return { clean, whiteBox, inferenceMs: t.median };
}

/**
 * Run the benchmark (see the file comment). Throws EvalInputError / AttackOptionError for bad
 * input before any work, an 'AbortError' when cancelled.
 */
export async function transferBenchmark(o: TransferBenchmarkOptions): Promise<TransferReport> {
  const t0 = performance.now();
  const labels = checkOptions(o);
  const plans = o.attacks.map(planAttack);
  const set = await deviceSet(o.data, o.base.spec);
  const owned: tf.Tensor[] = [];
  try {
    const idx = tf.tensor1d(
      Int32Array.from({ length: o.timing.batch }, (_, i) => i % set.n),
      'int32',
    );
    const timingX = tf.gather(set.x, idx); // [batch, H, W, C]
    owned.push(idx, timingX);
    const fb = logitsFn(o.base);
    const xAdvs: tf.Tensor4D[] = [];
    for (const p of plans) {
      xAdvs.push(await craftAdversarialSet(fb, set, p, o.batchSize, o.signal));
      owned.push(xAdvs[xAdvs.length - 1]);
    }
    const baseClean = await correctPerSample(fb, set.x, set.y, o.batchSize, o.signal);
    const perAttack: TransferReport['base']['perAttack'] = [];
    for (const [i, xa] of xAdvs.entries()) {
      const ok = await correctPerSample(fb, xa, set.y, o.batchSize, o.signal);
      perAttack.push({ attack: labels[i], whiteBox: and(baseClean, ok) / set.n });
    }
    const bt = await measureInference(fb, timingX, {
      repeats: o.timing.repeats,
      warmup: o.timing.warmup ?? 2,
    });
    const bc = sparsityReport(o.base.spec, undefined).global;
    const total = o.variants.length;
    o.onProgress?.({ done: 0, total, method: 'base', sparsity: 0 });
    const cells: TransferCell[] = [];
    for (const [vi, v] of o.variants.entries()) {
      const masks = v.masks ? toTensorMasks(v.masks) : undefined;
      try {
        const f = logitsFn(v.model, { masks });
        const m = await measureModel(f, set, plans, timingX, o);
        const counts = sparsityReport(v.model.spec, v.masks).global;
        for (const [i, xa] of xAdvs.entries()) {
          const ok = await correctPerSample(f, xa, set.y, o.batchSize, o.signal);
          cells.push({
            method: v.method,
            sparsity: v.sparsity,
            attack: labels[i],
            clean: countOnes(m.clean) / set.n,
            transferAccuracy: countOnes(ok) / set.n,
            transferRobust: and(m.clean, ok) / set.n,
            whiteBoxRobust: m.whiteBox[i],
            params: counts.paramsAfter,
            macs: counts.macsAfter,
            inferenceMs: m.inferenceMs,
          });
        }
      } finally {
        if (masks) disposeMasks(masks);
      }
      o.onProgress?.({ done: vi + 1, total, method: v.method, sparsity: v.sparsity });
    }
    return {
      n: set.n,
      attacks: plans.map((p, i) => ({
        label: labels[i],
        name: p.entry.name,
        options: { ...p.options },
      })),
      base: {
        clean: countOnes(baseClean) / set.n,
        params: bc.paramsAfter,
        macs: bc.macsAfter,
        inferenceMs: bt.median,
        perAttack,
      },
      cells,
      timing: { batch: o.timing.batch, repeats: o.timing.repeats, warmup: o.timing.warmup ?? 2 },
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    tf.dispose(owned);
    set.dispose();
  }
}
