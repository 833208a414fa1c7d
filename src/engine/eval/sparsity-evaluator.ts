/**
 * Re-evaluation of one model at any sparsity, fast enough for the dashboard's sparsity slider.
 *
 * Everything that does not depend on the sparsity is computed once, at creation, and kept on the
 * device: the clean images `[N, H, W, C]`, the labels `[N]`, and the transfer-adversarial images
 * `[N, H, W, C]` crafted ONCE on the dense base model (Vora et al. 2023, arXiv 2308.08160:
 * inputs crafted on the base, applied to its pruned versions). A call then costs
 *   masks = ranking.masksAt(s) (plain, O(weights)) → tensor masks →
 *   clean correctness (batched forwards, one read) → transfer correctness (one read) →
 *   onPartial → white-box attack on the masked model (clean-correct samples only) → result.
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
 * Supersede and cancel: calls run one at a time. A new `evaluate` supersedes the running one,
 * which stops at its next batch or attack iteration and resolves `{ status: 'superseded' }`;
 * `signal.aborted` (or `dispose()`) resolves `{ status: 'cancelled' }`. Only bad input rejects.
 *
 * The base model is only read (never modified); it must stay alive and unchanged while the
 * evaluator is used (the transfer set reflects its weights at creation).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { AbortFlag } from '../attacks/options';
import { logitsFn } from '../model/forward';
import type { PlainMasks } from '../model/masks';
import type { Model } from '../model/types';
import { disposeMasks, toTensorMasks } from '../prune/masks';
import { sparsityReport, type SparsityReport } from '../prune/sparsity';
import { EvalInputError } from './accuracy';
import {
  checkBatchSize,
  correctPerSample,
  countOnes,
  craftAdversarialSet,
  deviceSet,
  planAttack,
  whiteBoxResisted,
  type PlainLabeledData,
} from './device-set';
import type { AttackSpec } from './robustness';

/** What the evaluator needs of a ScoreRanking (prune/ranking.ts): masks at a sparsity. */
export interface MaskSource {
  /** masks removing `sparsity` ∈ [0, 1) (fraction removed) */
  masksAt(sparsity: number): PlainMasks;
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
  /** cancels the creation (crafting the transfer set) */
  signal?: AbortFlag;
}

/** clean and transfer figures, available before the white-box attack finishes */
export interface PartialPoint {
  sparsity: number;
  clean: number;
  transfer: number;
  transferRobust: number;
}

export interface SparsityPoint extends PartialPoint {
  /** white-box robust accuracy in [0, 1]; null without a white-box attack */
  whiteBox: number | null;
  report: SparsityReport;
  /** wall milliseconds per phase (masks: masksAt + tensor masks + report) */
  ms: { masks: number; clean: number; transfer: number; whiteBox: number };
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
const since = (t0: number) => performance.now() - t0;

/**
 * Build an evaluator: uploads the data and crafts the transfer set on the base model (the slow
 * part: one attack over N samples). Throws EvalInputError / AttackOptionError for bad input.
 */
export async function createSparsityEvaluator(
  o: SparsityEvaluatorOptions,
): Promise<SparsityEvaluator> {
  checkBatchSize(o.batchSize);
  if (typeof o.ranking?.masksAt !== 'function')
    throw new EvalInputError('ranking must have masksAt(sparsity) (see prune/ranking.ts)');
  const transferPlan = planAttack(o.transferAttack);
  const whitePlan = o.whiteBoxAttack ? planAttack(o.whiteBoxAttack) : null;
  const { model, batchSize } = o;
  const set = await deviceSet(o.data, model.spec);
  let xAdv: tf.Tensor4D | undefined;
  let base: SparsityEvaluator['base'];
  try {
    const f0 = logitsFn(model);
    xAdv = await craftAdversarialSet(f0, set, transferPlan, batchSize, o.signal);
    const c = await correctPerSample(f0, set.x, set.y, batchSize, o.signal);
    const t = await correctPerSample(f0, xAdv, set.y, batchSize, o.signal);
    base = {
      clean: countOnes(c) / set.n,
      transfer: countOnes(t) / set.n,
      transferRobust: countOnes(c.map((v, i) => v & t[i])) / set.n,
    };
  } catch (e) {
    set.dispose();
    xAdv?.dispose();
    throw e;
  }
  const transferSet = xAdv;
  let generation = 0;
  let disposed = false;
  let tail: Promise<unknown> = Promise.resolve();

  async function run(s: number, eo: EvaluateOptions, flag: AbortFlag): Promise<SparsityPoint> {
    let t0 = performance.now();
    const plain = o.ranking.masksAt(s);
    const report = sparsityReport(model.spec, plain);
    const masks = toTensorMasks(plain);
    try {
      const f = logitsFn(model, { masks });
      const ms = { masks: since(t0), clean: 0, transfer: 0, whiteBox: 0 };
      t0 = performance.now();
      const c = await correctPerSample(f, set.x, set.y, batchSize, flag);
      ms.clean = since(t0);
      t0 = performance.now();
      const t = await correctPerSample(f, transferSet, set.y, batchSize, flag);
      ms.transfer = since(t0);
      const n = set.n;
      const partial: PartialPoint = {
        sparsity: s,
        clean: countOnes(c) / n,
        transfer: countOnes(t) / n,
        transferRobust: countOnes(c.map((v, i) => v & t[i])) / n,
      };
      eo.onPartial?.(partial);
      let whiteBox: number | null = null;
      if (whitePlan) {
        t0 = performance.now();
        const targets: number[] = [];
        c.forEach((v, i) => v && targets.push(i));
        const ok = await whiteBoxResisted(f, set, whitePlan, targets, batchSize, flag);
        whiteBox = countOnes(ok) / n;
        ms.whiteBox = since(t0);
      }
      return { ...partial, whiteBox, report, ms };
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
      transferSet.dispose();
    },
  };
}
