/**
 * Square Attack, L∞ (black-box, score-based: queries logits, never gradients).
 *   Andriushchenko, Croce, Flammarion, Hein 2020, "Square Attack: a query-efficient black-box
 *   adversarial attack via random search", ECCV 2020, arXiv 1912.00049, Algorithm 1 + 2.
 *
 *   init: x̂ = clip_[0,1](x + ε·s), s ∈ {−1, +1} per (sample, channel, column): vertical stripes
 *   repeat (each query): for every sample not yet fooled, pick a square window of side
 *     h_i = max(round(√(p_i · H·W)), 1) ≤ min(H, W) − 1 at a random position, set it to
 *     clip_[0,1](x + ε·σ_c) with a random sign σ_c per channel (redrawn if that changes nothing),
 *     query the model, and accept the candidate when its margin z_y − max_{j≠y} z_j decreases
 *     (or it is misclassified). Fooled samples are not queried again.
 *   p schedule (the paper's piecewise-constant halving, for N queries rescaled to 10 000):
 *     p = p_init, halved after 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000 (scaled) queries.
 *
 * Every candidate is a vertex-like point clip(x ± ε), so ‖x' − x‖∞ ≤ ε and x' ∈ [0, 1] exactly.
 * Defaults: N = 5000 queries (AutoAttack's budget), p_init = 0.05 (the paper's L∞ value;
 * AutoAttack's standard run uses 0.8). Randomness from Rng(seed), drawn in JS.
 * Shapes: x `[B, H, W, C]` float32 in [0, 1] (H, W ≥ 2), y `[B]` int32 → x' `[B, H, W, C]`.
 * The images are kept in CPU memory (Float32Array); only queries run on the tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { Rng } from '../rng';
import { checkAttackInputs, makeTicker } from './common';
import { AttackInputError } from './errors';
import { SQUARE_FIELDS } from './fields';
import { validateOptions, type SignalOption } from './options';

export interface SquareOptions extends SignalOption {
  /** L∞ radius ε, pixel units in [0, 1] */
  eps: number;
  /** query budget per sample, including the initial query (default 5000) */
  nQueries?: number;
  /** initial fraction p of pixels changed per query (default 0.05) */
  pInit?: number;
  /** seed of the random search (default 0) */
  seed?: number;
}

/** The paper's schedule: fraction p of pixels changed at iteration `it` of `nQueries`. */
export function squareP(pInit: number, it: number, nQueries: number): number {
  const t = Math.floor((it / nQueries) * 10000);
  const bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
  let halvings = 0;
  for (const bound of bounds) if (t > bound) halvings++;
  return pInit / 2 ** halvings;
}

/** Side of the square window for fraction p on an H×W image: in [1, min(H, W) − 1]. */
export function squareSide(p: number, h: number, w: number): number {
  const s = Math.round(Math.sqrt(p * h * w));
  return Math.min(Math.max(s, 1), Math.min(h, w) - 1);
}

/** Query logits for `n` images packed in `imgs`; returns margins and misclassification. */
async function query(f: LogitsFn, imgs: Float32Array, shape: number[], labels: Int32Array) {
  const n = labels.length;
  const logits = tf.tidy(() => f(tf.tensor4d(imgs, [n, shape[1], shape[2], shape[3]])));
  const z = await logits.data();
  const k = logits.shape[1];
  logits.dispose();
  if (k < 2) throw new AttackInputError(`square: needs ≥ 2 classes, got ${k}`);
  const margin = new Float32Array(n);
  const fooled = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let other = -Infinity;
    let arg = 0;
    for (let j = 0; j < k; j++) {
      const v = z[i * k + j];
      if (j !== labels[i] && v > other) other = v;
      if (v > z[i * k + arg]) arg = j;
    }
    margin[i] = z[i * k + labels[i]] - other;
    fooled[i] = arg !== labels[i] ? 1 : 0;
  }
  return { margin, fooled };
}

/** Square Attack L∞. Returns a new tensor; inputs are untouched. */
export async function squareLinf(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: SquareOptions,
): Promise<tf.Tensor4D> {
  const o = validateOptions<Required<SquareOptions>>('square', SQUARE_FIELDS, opts);
  checkAttackInputs('square', x, y);
  const [b, h, w, c] = x.shape;
  if (h < 2 || w < 2) throw new AttackInputError(`square: images must be ≥ 2×2, got ${h}×${w}`);
  const tick = makeTicker(o.signal, 'square');
  await tick();
  if (b === 0 || o.eps === 0) return tf.clone(x);
  const d = h * w * c;
  const xs = (await x.data()) as Float32Array;
  const ys = (await y.data()) as Int32Array;
  const rng = new Rng(o.seed);
  const vertex = (i: number, sign: number) => Math.min(Math.max(xs[i] + sign * o.eps, 0), 1);
  const best = new Float32Array(b * d);
  for (let n = 0; n < b; n++) {
    for (let col = 0; col < w; col++) {
      for (let ch = 0; ch < c; ch++) {
        const sign = rng.next() < 0.5 ? -1 : 1; // one sign per vertical stripe
        for (let row = 0; row < h; row++) {
          const i = n * d + (row * w + col) * c + ch;
          best[i] = vertex(i, sign);
        }
      }
    }
  }
  const init = await query(f, best, x.shape, ys);
  const bestMargin = init.margin;
  const done = init.fooled;
  for (let it = 0; it < o.nQueries - 1; it++) {
    await tick();
    const active: number[] = [];
    for (let n = 0; n < b; n++) if (!done[n]) active.push(n);
    if (active.length === 0) break;
    const s = squareSide(squareP(o.pInit, it, o.nQueries), h, w);
    const cand = new Float32Array(active.length * d);
    active.forEach((n, a) => {
      cand.set(best.subarray(n * d, (n + 1) * d), a * d);
      for (let tries = 0; tries < 100; tries++) {
        const top = rng.int(h - s);
        const left = rng.int(w - s);
        const signs = Array.from({ length: c }, () => (rng.next() < 0.5 ? -1 : 1));
        let changed = false;
        for (let row = top; row < top + s; row++) {
          for (let col = left; col < left + s; col++) {
            for (let ch = 0; ch < c; ch++) {
              const off = (row * w + col) * c + ch;
              const v = vertex(n * d + off, signs[ch]);
              if (Math.abs(v - best[n * d + off]) > 1e-7) changed = true;
              cand[a * d + off] = v;
            }
          }
        }
        if (changed) break; // else redraw: this window would not change the image
        cand.set(best.subarray(n * d, (n + 1) * d), a * d);
      }
    });
    const r = await query(
      f,
      cand,
      [active.length, h, w, c],
      Int32Array.from(active, (n) => ys[n]),
    );
    active.forEach((n, a) => {
      if (r.margin[a] < bestMargin[n] || r.fooled[a]) {
        best.set(cand.subarray(a * d, (a + 1) * d), n * d);
        bestMargin[n] = r.margin[a];
        done[n] = r.fooled[a];
      }
    });
  }
  return tf.tensor4d(best, x.shape);
}
