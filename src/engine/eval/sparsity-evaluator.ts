/**
 * Re-evaluation of one model at any sparsity, fast enough for the dashboard's sparsity slider.
 *
 * Everything that does not depend on the sparsity is computed once, at creation, and kept on the
 * device: the transfer-adversarial images crafted ONCE on the dense base model (Vora et al. 2023,
 * arXiv 2308.08160: inputs crafted on the base, applied to its pruned versions), stacked under the
 * clean images into one tensor `[2N, H, W, C]` = [clean; transfer], its labels `[2N]` (the labels
 * twice) and the labels `[N]`, and that stack cut once into sweep batches (a copy: ~6 MB for
 * N = 1,000 LeNet images; cutting it on every move cost ~15% of the sweep on WASM). The base
 * model's figures are computed then too. A call costs
 *   masks = ranking.masksAt(s) (plain, O(weights), no sorting) → tensor masks →
 *   ONE sweep of forwards over [clean; transfer] in batches of `sweepBatchSize`, ONE read of the
 *   2N correct flags → onPartial → white-box attack on the masked model (clean-correct samples
 *   only) → result.
 * Nothing of the base (its forwards, the transfer attack, uploads of the data) runs again.
 * Per-sample results do not depend on how the sweep is batched, so the figures equal separate
 * clean and transfer passes exactly (tested).
 *
 * Figures, all fractions of the N samples in [0, 1]:
 * - clean: argmax f_s(x) = y;
 * - transfer: argmax f_s(x'_base) = y (Vora et al.'s number; a transferred input may be
 *   misclassified by the base and correct on the pruned model, so transfer ≤ clean is NOT
 *   guaranteed); transferRobust: clean-correct AND correct on x'_base (≤ clean);
 * - whiteBox: robustness.ts protocol, the attack re-run on the masked model against the
 *   clean-correct samples, robust = clean-correct and not fooled (≤ clean); equal, sample for
 *   sample, to `evaluateRobustness(logitsFn(model, {masks}), data, [attack])`.
 *
 * Progressive white-box (`whiteBoxEstimate: { n }`): the full attack's figure takes seconds, so
 * before it, in this order,
 *   1. first estimate: the same attack (same options) on a uniform random sample of n of the T
 *      clean-correct samples (the first n clean-correct ones of a permutation of 0..N−1 seeded
 *      once at creation, so neighbouring sparsities share most of it); r of them resist. Robust
 *      accuracy = (T/N)·(fraction of the T that resist), so the estimate is (T/N)·r/n with the
 *      95% Wilson score interval of r/n scaled by T/N (conservative: no finite-population
 *      correction). Skipped when T < 2n (the full attack would cost at most twice as much);
 *   2. refinements, after each batch of the full attack but the last: its first k targets are
 *      final (r_k resist) and the other T−k are estimated from the sample:
 *      (r_k + (T−k)·p)/N for p = r/n and for the interval's ends (without a sample, the hard
 *      bounds [r_k/N, (r_k + T−k)/N]). The interval narrows to the exact figure;
 *   3. the full attack's figure, computed exactly as without estimates: the sample's attack is
 *      separate work (never reused: its batches and random starts differ), so `whiteBox` still
 *      equals `evaluateRobustness` sample for sample (tested).
 * Each estimate comes through `onPartial` (`estimate` set) after the clean + transfer partial;
 * the full attack then reads each batch before queuing the next (device-set.ts, `paced`), so a
 * superseding call waits for at most one batch of queued device work. Costs n/T more attack work.
 *
 * Supersede and cancel: calls run one at a time. A new `evaluate` supersedes the running one,
 * which stops at its next batch or attack iteration and resolves `{ status: 'superseded' }`;
 * `signal.aborted` (or `dispose()`) resolves `{ status: 'cancelled' }`. Only bad input rejects.
 *
 * The base model is only read (never modified); it must stay alive and unchanged while the
 * evaluator is used (the transfer set reflects its weights at creation).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AbortFlag } from '../attacks/options';
import { logitsFn } from '../model/forward';
import type { PlainMasks } from '../model/masks';
import type { Model } from '../model/types';
import { disposeMasks, toTensorMasks } from '../prune/masks';
import { sparsityReport, type SparsityReport } from '../prune/sparsity';
import { Rng } from '../rng';
import { EvalInputError } from './accuracy';
import {
  type Batches,
  checkBatchSize,
  correctPerBatch,
  countOnes,
  craftAdversarialSet,
  deviceSet,
  planAttack,
  toBatches,
  type DeviceSet,
  whiteBoxResisted,
  type PlainLabeledData,
} from './device-set';
import type { AttackSpec } from './robustness';

/** What the evaluator needs of a ScoreRanking (prune/ranking.ts): masks at a sparsity. */
export interface MaskSource {
  /** masks removing `sparsity` ∈ [0, 1) (fraction removed) */
  masksAt(sparsity: number): PlainMasks;
  /**
   * the weights the masks apply to at `sparsity` (same spec as the base), e.g. the fine-tuned
   * checkpoint of a pruning path (session/path.ts); absent: the base model. The transfer set stays
   * crafted on the base model.
   */
  modelAt?(sparsity: number): Model;
}

export interface SparsityEvaluatorOptions {
  /** the dense base model (read only) */
  model: Model;
  /** e.g. `rankScores(spec, scores, rule)` */
  ranking: MaskSource;
  /** the fixed evaluation set, e.g. 1000 test images; pixels in [0, 1] */
  data: PlainLabeledData;
  /** crafted once on the base model */
  transferAttack: AttackSpec;
  /** re-run on the masked model at every call; null to skip */
  whiteBoxAttack: AttackSpec | null;
  /** images per forward / attack batch, integer ≥ 1 */
  batchSize: number;
  /**
   * images per forward of the clean + transfer sweep (no gradients, so it may exceed
   * `batchSize`), integer ≥ 1; default `batchSize`
   */
  sweepBatchSize?: number;
  /** cancels the creation (crafting the transfer set) */
  signal?: AbortFlag;
  /**
   * progressive white-box (file comment): estimate first on a random sample of `n` clean-correct
   * samples (integer ≥ 1; the permutation seeded by `seed`, default 0), then refine; absent: none
   */
  whiteBoxEstimate?: { n: number; seed?: number };
}

/**
 * What the white-box figure is while its full attack runs (file comment): fractions of the N
 * samples in [0, 1].
 */
export interface WhiteBoxEstimate {
  /** the estimate of the white-box robust accuracy */
  value: number;
  /** its interval at `level` (lo ≤ value ≤ hi ≤ clean) */
  lo: number;
  hi: number;
  /** 0.95 */
  level: number;
  /** clean-correct samples of the random sample behind the estimate (0: hard bounds only) */
  sampled: number;
  /** clean-correct samples whose full-attack result is in (exact) */
  done: number;
  /** clean-correct samples the full attack runs on (T) */
  targets: number;
  /** the white-box attack, and its gradient steps per image (steps × restarts; FGSM 1) */
  attack: string;
  steps: number;
}

/** clean and transfer figures, available before the white-box attack finishes */
export interface PartialPoint {
  sparsity: number;
  clean: number;
  transfer: number;
  transferRobust: number;
  /** sparsity per layer and global of the masks evaluated (computed once per call) */
  report: SparsityReport;
  /** set on the partials that estimate the white-box figure before it is in (file comment) */
  estimate?: WhiteBoxEstimate;
}

export interface SparsityPoint extends PartialPoint {
  /** white-box robust accuracy in [0, 1]; null without a white-box attack */
  whiteBox: number | null;
  /**
   * wall milliseconds per phase: masks (masksAt + tensor masks + report), sweep (the clean and
   * transfer forwards and their one read), whiteBox (0 without a white-box attack; includes the
   * estimate), estimate (from the white-box phase's start to the first estimate; 0 without one)
   */
  ms: { masks: number; sweep: number; whiteBox: number; estimate: number };
}

export type EvaluateOutcome =
  | { status: 'done'; point: SparsityPoint }
  | { status: 'superseded' | 'cancelled'; sparsity: number };

export interface EvaluateOptions {
  signal?: AbortFlag;
  onPartial?: (p: PartialPoint) => void;
}

export interface SparsityEvaluator {
  /** number of evaluation samples */
  n: number;
  /** the dense base model's figures (transferRobust = its white-box robust accuracy) */
  base: { clean: number; transfer: number; transferRobust: number };
  evaluate(sparsity: number, opts?: EvaluateOptions): Promise<EvaluateOutcome>;
  /** stop the running call and free the device cache (awaits the running call) */
  dispose(): Promise<void>;
}

const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';

/** [clean; transfer] images `[2N, H, W, C]` and their labels `[2N]` (the N labels twice). */
interface SweepSet {
  x: tf.Tensor4D;
  y2: tf.Tensor1D;
  dispose(): void;
}

/** The sweep set and the same cut into sweep batches once (what every slider move runs on). */
interface SweepCache extends SweepSet {
  batches: Batches;
}

/**
 * Stack the clean images of `set` and the transfer images `xAdv` `[N, H, W, C]` into one sweep
 * set, once. Frees `xAdv` and `set.x` (the stacked tensor holds both); `set.y` stays.
 */
export function stackSweepSet(set: DeviceSet, xAdv: tf.Tensor4D): SweepSet {
  const x = tf.concat([set.x, xAdv]); // [2N, H, W, C]
  const y2 = tf.concat([set.y, set.y]); // [2N]
  tf.dispose([xAdv, set.x]);
  return { x, y2, dispose: () => tf.dispose([x, y2]) };
}

/** The sweep set cut into batches of `batchSize` once; frees the set if cutting fails. */
function withBatches(stacked: SweepSet, batchSize: number): SweepCache {
  let batches: Batches;
  try {
    batches = toBatches(stacked.x, stacked.y2, batchSize);
  } catch (e) {
    stacked.dispose();
    throw e;
  }
  return {
    ...stacked,
    batches,
    dispose: () => {
      batches.dispose();
      stacked.dispose();
    },
  };
}

/**
 * Clean, transfer and transfer-robust accuracy in [0, 1] from the 2N correct flags of a sweep
 * (first N clean, last N transfer); `correct` is the clean half.
 */
export function splitCorrect(
  flags: Uint8Array,
  n: number,
): { clean: number; transfer: number; transferRobust: number; correct: Uint8Array } {
  const correct = flags.subarray(0, n);
  const transfer = flags.subarray(n, 2 * n);
  let both = 0;
  for (let i = 0; i < n; i++) both += correct[i] & transfer[i];
  return {
    clean: countOnes(correct) / n,
    transfer: countOnes(transfer) / n,
    transferRobust: both / n,
    correct,
  };
}
const since = (t0: number) => performance.now() - t0;

/** z of the two-sided 95% normal quantile */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval (Wilson 1927) of a binomial proportion: `successes` of `n` trials, at the
 * two-sided level of `z` (default 95%); [0, 1] for n = 0.
 */
export function wilsonInterval(successes: number, n: number, z = Z95): { lo: number; hi: number } {
  if (n <= 0) return { lo: 0, hi: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lo: Math.max(0, center - half), hi: Math.min(1, center + half) };
}

/**
 * The estimate after the full attack's first `done` of `targets` targets (`resisted` of them
 * resisted), the rest estimated from a sample (`sampleResisted` of `sampled`), as fractions of `n`.
 * Without a sample (`sampled` 0) the interval is the hard bound and the value extrapolates.
 */
export function whiteBoxEstimate(
  n: number,
  targets: number,
  done: number,
  resisted: number,
  sampled: number,
  sampleResisted: number,
  attack: { name: string; steps: number },
): WhiteBoxEstimate {
  const rest = targets - done;
  const p = sampled > 0 ? sampleResisted / sampled : done > 0 ? resisted / done : 0.5;
  const ci = sampled > 0 ? wilsonInterval(sampleResisted, sampled) : { lo: 0, hi: 1 };
  return {
    value: (resisted + rest * p) / n,
    lo: (resisted + rest * ci.lo) / n,
    hi: (resisted + rest * ci.hi) / n,
    level: 0.95,
    sampled,
    done,
    targets,
    attack: attack.name,
    steps: attack.steps,
  };
}

/** Gradient steps per image of an attack's options: steps × restarts (1 for one-step attacks). */
function stepsOf(options: Record<string, unknown>): number {
  const steps = typeof options.steps === 'number' ? options.steps : 1;
  const restarts = typeof options.restarts === 'number' ? options.restarts : 1;
  return steps * restarts;
}

/**
 * Build an evaluator: uploads the data and crafts the transfer set on the base model (the slow
 * part: one attack over N samples). Throws EvalInputError / AttackOptionError for bad input.
 */
export async function createSparsityEvaluator(
  o: SparsityEvaluatorOptions,
): Promise<SparsityEvaluator> {
  checkBatchSize(o.batchSize);
  const sweepBatch = o.sweepBatchSize ?? o.batchSize;
  checkBatchSize(sweepBatch);
  if (typeof o.ranking?.masksAt !== 'function')
    throw new EvalInputError('ranking must have masksAt(sparsity) (see prune/ranking.ts)');
  const transferPlan = planAttack(o.transferAttack);
  const whitePlan = o.whiteBoxAttack ? planAttack(o.whiteBoxAttack) : null;
  const sampleN = o.whiteBoxEstimate?.n;
  if (sampleN !== undefined && !(Number.isInteger(sampleN) && sampleN >= 1))
    throw new EvalInputError(`whiteBoxEstimate.n must be an integer ≥ 1, got ${String(sampleN)}`);
  const { model, batchSize } = o;
  const set = await deviceSet(o.data, model.spec);
  const n = set.n;
  let both: SweepCache | undefined;
  let base: SparsityEvaluator['base'];
  try {
    const f0 = logitsFn(model);
    const xAdv = await craftAdversarialSet(f0, set, transferPlan, batchSize, o.signal);
    both = withBatches(stackSweepSet(set, xAdv), sweepBatch); // frees xAdv and set.x
    const b = splitCorrect(await correctPerBatch(f0, both.batches, o.signal), n);
    base = { clean: b.clean, transfer: b.transfer, transferRobust: b.transferRobust };
  } catch (e) {
    set.dispose(); // a no-op for what stackSweepSet already freed
    both?.dispose();
    throw e;
  }
  const cache = both;
  // the white-box attack gathers clean images by index: rows < N of [clean; transfer]
  const whiteSet: DeviceSet = { ...set, x: cache.x, dispose: () => undefined };
  // the estimate's sample order: a seeded permutation of 0..N−1, fixed for the evaluator's life
  const order = new Rng(o.whiteBoxEstimate?.seed ?? 0).shuffle(
    Int32Array.from({ length: n }, (_, i) => i),
  );
  const whiteAttack = whitePlan
    ? { name: whitePlan.entry.name, steps: stepsOf(whitePlan.options) }
    : null;
  let generation = 0;
  let disposed = false;
  let tail: Promise<unknown> = Promise.resolve();

  async function run(s: number, eo: EvaluateOptions, flag: AbortFlag): Promise<SparsityPoint> {
    let t0 = performance.now();
    const plain = o.ranking.masksAt(s);
    const report = sparsityReport(model.spec, plain);
    const masks = toTensorMasks(plain);
    try {
      const f = logitsFn(o.ranking.modelAt?.(s) ?? model, { masks });
      const ms = { masks: since(t0), sweep: 0, whiteBox: 0, estimate: 0 };
      t0 = performance.now();
      const r = splitCorrect(await correctPerBatch(f, cache.batches, flag), n);
      ms.sweep = since(t0);
      const partial: PartialPoint = {
        sparsity: s,
        clean: r.clean,
        transfer: r.transfer,
        transferRobust: r.transferRobust,
        report,
      };
      eo.onPartial?.(partial);
      let whiteBox: number | null = null;
      if (whitePlan && whiteAttack) {
        t0 = performance.now();
        const targets: number[] = [];
        r.correct.forEach((v, i) => v && targets.push(i));
        const T = targets.length;
        let onBatch: ((done: number, resisted: number) => void) | undefined;
        if (sampleN !== undefined) {
          // 1. the first estimate on a random sample of the clean-correct samples
          let sampled = 0;
          let sampleResisted = 0;
          if (T >= 2 * sampleN) {
            const sample: number[] = [];
            for (let i = 0; i < n && sample.length < sampleN; i++)
              if (r.correct[order[i]]) sample.push(order[i]);
            const ok = await whiteBoxResisted(f, whiteSet, whitePlan, sample, batchSize, flag);
            sampled = sample.length;
            sampleResisted = countOnes(ok);
            ms.estimate = since(t0);
            eo.onPartial?.({
              ...partial,
              estimate: whiteBoxEstimate(n, T, 0, 0, sampled, sampleResisted, whiteAttack),
            });
          }
          // 2. refined after each batch of the full attack (paced: one read per batch)
          onBatch = (done, resisted) =>
            eo.onPartial?.({
              ...partial,
              estimate: whiteBoxEstimate(
                n,
                T,
                done,
                resisted,
                sampled,
                sampleResisted,
                whiteAttack,
              ),
            });
        }
        // 3. the full attack, as without estimates
        const ok = await whiteBoxResisted(
          f,
          whiteSet,
          whitePlan,
          targets,
          batchSize,
          flag,
          onBatch,
        );
        whiteBox = countOnes(ok) / n;
        ms.whiteBox = since(t0);
      }
      return { ...partial, whiteBox, ms };
    } finally {
      disposeMasks(masks);
    }
  }

  return {
    n: set.n,
    base,
    evaluate(sparsity, eo = {}) {
      if (disposed) return Promise.reject(new EvalInputError('the sparsity evaluator is disposed'));
      if (typeof sparsity !== 'number' || !(sparsity >= 0 && sparsity < 1))
        return Promise.reject(
          new EvalInputError(`sparsity must be a number in [0, 1), got ${String(sparsity)}`),
        );
      const mine = ++generation;
      const flag: AbortFlag = {
        get aborted() {
          return disposed || mine !== generation || eo.signal?.aborted === true;
        },
      };
      const stopped = (): EvaluateOutcome => ({
        status: mine !== generation ? 'superseded' : 'cancelled',
        sparsity,
      });
      const p = tail.then(async (): Promise<EvaluateOutcome> => {
        if (flag.aborted) return stopped();
        try {
          return { status: 'done', point: await run(sparsity, eo, flag) };
        } catch (e) {
          if (flag.aborted && isAbort(e)) return stopped();
          throw e;
        }
      });
      tail = p.catch(() => undefined);
      return p;
    },
    async dispose() {
      if (disposed) return tail.then(() => undefined);
      disposed = true;
      await tail;
      set.dispose();
      cache.dispose();
    },
  };
}
