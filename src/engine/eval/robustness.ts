/**
 * Robust accuracy under a list of attacks, per attack and in the worst case per sample.
 *
 * Protocol (AutoAttack-style, Croce & Hein 2020, arXiv 2003.01690):
 * - clean pass: a sample counts as robust only if it is classified correctly without attack;
 * - worst case: a sample is robust only if no attack in the list fools it (argmax f(x') ≠ y);
 *   `worstCaseAccuracy` = fraction of all N samples still robust after every attack;
 * - `standalone: true` (default): every attack runs on all clean-correct samples, so each
 *   attack's `robustAccuracy` is its own number, comparable across lists; the worst case is the
 *   per-sample AND of these results (same tally as AutoAttack, more compute);
 * - `standalone: false`: as in AutoAttack, each attack runs only on the samples still robust after
 *   the previous ones (cheaper); then `robustAccuracy` equals `cumulativeAccuracy`, the accuracy
 *   after attacks 1..i, and depends on the order of the list.
 * Always robust ≤ clean (attacks only ever run on clean-correct samples). Each adversarial batch
 * is checked against its budget (‖x' − x‖ ≤ ε + 1e-5 in the attack's norm, x' ∈ [0, 1]).
 * Attacks with a `seed` get a different seed per batch (seed + 0x9e3779b9·batch, mod 2^32), so
 * random starts differ between batches; results depend on `batchSize` only through that.
 *
 * Shapes: images `[N, H, W, C]` float32 in [0, 1] (Float32Array + shape, or a tensor); labels
 * `[N]` int32. Results are plain numbers and typed arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted } from '../attacks/common';
import { AttackBudgetError } from '../attacks/errors';
import type { AbortFlag } from '../attacks/options';
import { getAttack, type AttackEntry, type AttackOptions } from '../attacks/registry';
import type { LogitsFn } from '../model/types';
import { correctOn, dataView, EvalInputError, type DataView, type LabeledData } from './accuracy';

/** An attack of the evaluation: a registry name and its full options. */
export interface AttackSpec {
  name: string;
  options: Record<string, unknown>;
}

export interface RobustnessProgress {
  phase: 'clean' | 'attack';
  /** attack name in the 'attack' phase */
  attack?: string;
  /** index of the attack in the list (−1 in the clean phase) */
  attackIndex: number;
  /** samples processed in this phase so far, out of `total` */
  done: number;
  total: number;
}

export interface RobustnessOptions {
  /** images per forward/attack batch (bounds memory), integer ≥ 1 */
  batchSize: number;
  /** run each attack on all clean-correct samples (default true); see the file comment */
  standalone?: boolean;
  signal?: AbortFlag;
  onProgress?: (p: RobustnessProgress) => void;
}

export interface AttackResult {
  name: string;
  /** the validated options the attack ran with */
  options: AttackOptions;
  /** accuracy in [0, 1] under this attack alone (standalone), else equal to cumulativeAccuracy */
  robustAccuracy: number;
  /** accuracy in [0, 1] under the worst case of this attack and the ones before it */
  cumulativeAccuracy: number;
  /** number of samples the attack was run on */
  evaluated: number;
  /** wall-clock seconds spent in this attack */
  seconds: number;
}

export interface RobustnessResult {
  n: number;
  cleanAccuracy: number;
  perAttack: AttackResult[];
  worstCaseAccuracy: number;
  /** 1 = correct and not fooled by any attack, `[N]` */
  perSampleRobust: Uint8Array;
  /** 1 = correct without attack, `[N]` */
  perSampleClean: Uint8Array;
  standalone: boolean;
}

const count = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

/** Throw when x' leaves [0, 1] or its ε-ball (in the attack's norm). */
async function checkBudget(e: AttackEntry, eps: number, x: tf.Tensor4D, xAdv: tf.Tensor4D) {
  if (xAdv.shape.join() !== x.shape.join()) {
    throw new AttackBudgetError(`${e.name} returned shape [${xAdv.shape}] for input [${x.shape}]`);
  }
  const stats = tf.tidy(() => {
    const d = tf.sub(xAdv, x); // [B, H, W, C]
    const dist =
      e.norm === 'linf' ? tf.max(tf.abs(d)) : tf.max(tf.sqrt(tf.sum(tf.square(d), [1, 2, 3])));
    return tf.stack([dist, tf.min(xAdv), tf.max(xAdv)]);
  });
  const [dist, lo, hi] = await stats.data();
  stats.dispose();
  if (!(dist <= eps + 1e-5) || !(lo >= 0) || !(hi <= 1)) {
    throw new AttackBudgetError(
      `${e.name} left its budget: ${e.norm} distance ${dist} (ε = ${eps}), range [${lo}, ${hi}]`,
    );
  }
}

/** Run one attack on `targets`; returns 1 where the sample resisted (still correct). */
async function resisted(
  f: LogitsFn,
  view: DataView,
  e: AttackEntry,
  options: AttackOptions,
  targets: number[],
  o: RobustnessOptions,
  progress: (done: number) => void,
): Promise<Uint8Array> {
  const out = new Uint8Array(targets.length);
  for (let start = 0, batch = 0; start < targets.length; start += o.batchSize, batch++) {
    throwIfAborted(o.signal, 'robustness evaluation');
    const sel = targets.slice(start, start + o.batchSize);
    const opts: Record<string, unknown> = { ...options, signal: o.signal };
    if (typeof options.seed === 'number') opts.seed = (options.seed + 0x9e3779b9 * batch) % 2 ** 32;
    const xb = view.batch(sel);
    const yb = tf.tensor1d(
      Int32Array.from(sel, (i) => view.labels[i]),
      'int32',
    );
    let xAdv: tf.Tensor4D | undefined;
    try {
      xAdv = await e.run(f, xb, yb, opts);
      await checkBudget(e, options.eps as number, xb, xAdv);
      const ok = tf.tidy(() => tf.equal(tf.argMax(f(xAdv as tf.Tensor4D), 1), yb));
      const v = await ok.data();
      ok.dispose();
      for (let i = 0; i < sel.length; i++) out[start + i] = v[i] ? 1 : 0;
    } finally {
      tf.dispose([xb, yb]);
      xAdv?.dispose();
    }
    progress(start + sel.length);
  }
  return out;
}

/**
 * Clean, per-attack and worst-case robust accuracy of `f` on `data` under `attacks` (run in list
 * order). Attack options are validated before any work; unknown names and bad options throw
 * AttackOptionError. Cancel with `signal` (throws an error named 'AbortError').
 */
export async function evaluateRobustness(
  f: LogitsFn,
  data: LabeledData,
  attacks: readonly AttackSpec[],
  o: RobustnessOptions,
): Promise<RobustnessResult> {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) {
    throw new EvalInputError(`batchSize must be an integer ≥ 1, got ${o.batchSize}`);
  }
  const standalone = o.standalone ?? true;
  const plan = attacks.map((a) => {
    const e = getAttack(a.name);
    return { e, options: e.validate(a.options) };
  });
  const view = await dataView(data);
  if (view.n === 0) throw new EvalInputError('robustness of an empty data set is undefined');
  const n = view.n;
  throwIfAborted(o.signal, 'robustness evaluation');
  o.onProgress?.({ phase: 'clean', attackIndex: -1, done: 0, total: n });
  const clean = await correctOn(f, view, o.batchSize);
  o.onProgress?.({ phase: 'clean', attackIndex: -1, done: n, total: n });
  const robust = clean.slice();
  const perAttack: AttackResult[] = [];
  for (const [i, { e, options }] of plan.entries()) {
    const t0 = performance.now();
    const pool = standalone ? clean : robust;
    const targets: number[] = [];
    for (let j = 0; j < n; j++) if (pool[j]) targets.push(j);
    const report = (done: number) =>
      o.onProgress?.({
        phase: 'attack',
        attack: e.name,
        attackIndex: i,
        done,
        total: targets.length,
      });
    report(0);
    const ok = await resisted(f, view, e, options, targets, o, report);
    targets.forEach((j, t) => (robust[j] &= ok[t]));
    const cumulativeAccuracy = count(robust) / n;
    perAttack.push({
      name: e.name,
      options,
      robustAccuracy: standalone ? count(ok) / n : cumulativeAccuracy,
      cumulativeAccuracy,
      evaluated: targets.length,
      seconds: (performance.now() - t0) / 1000,
    });
  }
  return {
    n,
    cleanAccuracy: count(clean) / n,
    perAttack,
    worstCaseAccuracy: count(robust) / n,
    perSampleRobust: robust,
    perSampleClean: clean,
    standalone,
  };
}
