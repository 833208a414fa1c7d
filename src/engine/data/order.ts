/**
 * Seeded sample orders: shuffles, per-epoch permutations and train/validation splits.
 *
 * Determinism: every order is a pure function of its arguments. The permutation of epoch e is
 * drawn from a seed derived from (seed, e) alone, so a run resumed at (epoch, batch) needs no RNG
 * state to replay the same order: `epochOrder(n, seed, e)` is identical every time.
 */
import { Rng } from '../rng';
import { datasetSize, subset, type Dataset } from './dataset';

/**
 * Mixes a seed with further integers into a new 32-bit seed (murmur3's finalizer on each step),
 * so nearby inputs such as epochs 0, 1, 2 give unrelated streams.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = seed >>> 0;
  for (const p of [...parts, parts.length]) {
    h = (h ^ Math.imul((p >>> 0) + 0x9e3779b9, 0x85ebca6b)) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function checkCount(n: number, what: string): void {
  if (!(Number.isSafeInteger(n) && n >= 0))
    throw new RangeError(`${what}: n must be ≥ 0, got ${n}`);
}

/** A seeded permutation of 0..n-1 (Fisher-Yates with `Rng(seed)`). */
export function shuffledIndices(n: number, seed: number): Int32Array {
  checkCount(n, 'shuffledIndices');
  return new Rng(seed).permutation(n);
}

/**
 * The sample order of one epoch: a permutation of 0..n-1 that depends only on (n, seed, epoch).
 * @param epoch a non-negative integer
 */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  checkCount(n, 'epochOrder');
  if (!(Number.isSafeInteger(epoch) && epoch >= 0)) {
    throw new RangeError(`epochOrder: epoch must be an integer ≥ 0, got ${epoch}`);
  }
  return new Rng(deriveSeed(seed, epoch)).permutation(n);
}

export interface SplitOptions {
  /** keep each class's share equal in both parts (default true when labels are given) */
  stratified?: boolean;
}

/**
 * Seeded split of 0..n-1 into disjoint `train` and `val` index sets that together cover every
 * index once. `val` gets round(n·valFraction) indices (per class when stratified), sorted
 * ascending in both parts.
 * @param valFraction in [0, 1]
 * @param labels when given (and stratified), each class is split separately
 */
export function splitIndices(
  n: number,
  valFraction: number,
  seed: number,
  labels?: ArrayLike<number>,
  opts: SplitOptions = {},
): { train: Int32Array; val: Int32Array } {
  checkCount(n, 'splitIndices');
  if (!(valFraction >= 0 && valFraction <= 1)) {
    throw new RangeError(`splitIndices: valFraction must be in [0, 1], got ${valFraction}`);
  }
  if (labels !== undefined && labels.length !== n) {
    throw new RangeError(`splitIndices: ${labels.length} labels for n = ${n}`);
  }
  const rng = new Rng(deriveSeed(seed, 0x5b117));
  const isVal = new Uint8Array(n);
  const groups = new Map<number, number[]>();
  if (labels !== undefined && opts.stratified !== false) {
    for (let i = 0; i < n; i++) {
      const g = groups.get(labels[i]);
      if (g === undefined) groups.set(labels[i], [i]);
      else g.push(i);
    }
  } else {
    groups.set(
      0,
      Array.from({ length: n }, (_, i) => i),
    );
  }
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const members = rng.shuffle(groups.get(key) as number[]);
    const k = Math.round(members.length * valFraction);
    for (let j = 0; j < k; j++) isVal[members[j]] = 1;
  }
  let nVal = 0;
  for (let i = 0; i < n; i++) nVal += isVal[i];
  const train = new Int32Array(n - nVal);
  const val = new Int32Array(nVal);
  for (let i = 0, t = 0, v = 0; i < n; i++) {
    if (isVal[i] === 1) val[v++] = i;
    else train[t++] = i;
  }
  return { train, val };
}

/**
 * Splits a dataset into training and validation parts (copies), stratified by label unless
 * `opts.stratified` is false. Names get '/train' and '/val' suffixes.
 * @param valFraction in [0, 1]: the share of samples held out for validation
 */
export function trainValSplit(
  ds: Dataset,
  valFraction: number,
  seed: number,
  opts: SplitOptions = {},
): { train: Dataset; val: Dataset } {
  const { train, val } = splitIndices(datasetSize(ds), valFraction, seed, ds.labels, {
    stratified: opts.stratified ?? true,
  });
  return {
    train: subset(ds, train, `${ds.name}/train`),
    val: subset(ds, val, `${ds.name}/val`),
  };
}
