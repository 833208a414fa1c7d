/**
 * Seeded pseudo-random numbers for everything that must be reproducible: shuffles, splits,
 * initialization, random starts of attacks. A run's RNG state is one number and is saved in
 * checkpoints, so a resumed run draws the same numbers as an uninterrupted one.
 *
 * Generator: mulberry32 (Tommy Ettinger, public domain): 32-bit state, period 2^32, fast, and
 * good enough for shuffles and seeds (not for cryptography).
 */

export class Rng {
  private s: number;

  /** @param seed any finite number; it is reduced to a 32-bit unsigned integer. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be finite, got ${seed}`);
    this.s = seed >>> 0;
  }

  /** The whole generator state: pass it to `Rng.fromState` to continue the same stream. */
  get state(): number {
    return this.s;
  }

  static fromState(state: number): Rng {
    return new Rng(state);
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A fresh 31-bit seed for a tfjs random op (tf.randomUniform(..., seed)). */
  seed(): number {
    return Math.floor(this.next() * 2147483647);
  }

  /** Standard normal sample (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher-Yates shuffle; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
