/**
 * The inputs shared by every data-dependent pruning score (anomaly degree, SNIP/Taylor), their
 * validation, and the batch loop over the scoring samples.
 *
 * `scoringBatches` walks the samples in their given order (no shuffle) in batches of
 * `batchSize`, uploads each as tensors x `[B, H, W, C]` (pixels in [0, 1]) and y `[B]` int32,
 * optionally crafts x' `[B, H, W, C]` with the configured attack from the registry (white-box on
 * the model *under its masks*, BN in inference mode), yields them, and disposes all three as soon
 * as the consumer asks for the next batch (or stops early, or throws). Attack seeds: an attack
 * with a `seed` option gets `(s + 0x9e3779b9·batch) mod 2^32` with s = the attack options' own
 * seed when given, else `ctx.seed`, so random starts differ between batches and runs repeat.
 * Cancellation: `signal.aborted` is checked before each batch and inside the attack (throws an
 * error named 'AbortError'). Progress: `onProgress(done, total)` in samples, after each batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted } from '../../attacks/common';
import { attackTakesSeed } from '../../attacks/catalog';
import { getAttack, type AttackEntry, type AttackOptions } from '../../attacks/registry';
import { logitsFn } from '../../model/forward';
import { checkMasks } from '../../model/masks';
import { prunableLayers } from '../../model/params';
import type { Masks, Model } from '../../model/types';
import type { Granularity } from '../types';
import { ScoreInputError } from './common-errors';
import { checkGranularity } from './common-scoreset';

/** Everything a data-dependent score needs. Plain data except the model and masks. */
export interface ScoreContext {
  model: Model;
  /** the current masks (already pruned weights/neurons score 0 and stay out of the forward) */
  masks?: Masks;
  /** scoring samples: x `[N, H, W, C]` row-major, pixels in [0, 1]; y `[N]` in [0, K) */
  data: { x: Float32Array; y: Int32Array; shape: [number, number, number] };
  /** attack crafting x': registry name and options (checked by the registry; fields with a
   * default may be omitted; resolveAttackOptions fills a dataset's budget) */
  attack: { name: string; options: Record<string, unknown> };
  granularity: Granularity;
  /** samples per forward/attack batch, integer ≥ 1 (bounds memory; scores do not depend on it) */
  batchSize: number;
  /** seed of the attacks' random starts when their options give none (any finite number) */
  seed: number;
  signal?: { aborted: boolean };
  /** samples done so far, out of the total */
  onProgress?(done: number, total: number): void;
}

/** One batch of scoring samples; tensors are owned by the batch loop (do not dispose them). */
export interface ScoringBatch {
  x: tf.Tensor4D; // [B, H, W, C]
  y: tf.Tensor1D; // [B] int32
  /** x' crafted by the attack `[B, H, W, C]`, or null when not asked for */
  xAdv: tf.Tensor4D | null;
  /** index of the batch's first sample in the scoring data */
  start: number;
}

/** A resolved, validated attack: the registry entry and its full options. */
export interface ResolvedAttack {
  entry: AttackEntry;
  options: AttackOptions;
}

/**
 * Validate a score context (sizes, shapes, pixel and label ranges, batch size, masks, attack
 * options); returns the number of samples N ≥ 1. Throws ScoreInputError, or the attack's
 * AttackOptionError / the model's ModelInputError for bad attack options or masks.
 */
export function checkScoreContext(ctx: ScoreContext): { n: number; attack: ResolvedAttack } {
  const { model, data } = ctx;
  checkGranularity(ctx.granularity);
  if (!Number.isInteger(ctx.batchSize) || ctx.batchSize < 1)
    throw new ScoreInputError('batchSize', `must be an integer ≥ 1, got ${ctx.batchSize}`);
  if (!Number.isFinite(ctx.seed))
    throw new ScoreInputError('seed', `must be finite, got ${ctx.seed}`);
  const want = model.spec.inputShape;
  if (!Array.isArray(data.shape) || data.shape.join() !== want.join())
    throw new ScoreInputError(
      'data.shape',
      `is [${String(data.shape)}], the model expects [${want}]`,
    );
  const size = want[0] * want[1] * want[2];
  const n = data.y.length;
  if (n < 1) throw new ScoreInputError('data.y', 'is empty: scores need at least one sample');
  if (data.x.length !== n * size)
    throw new ScoreInputError(
      'data.x',
      `has ${data.x.length} values, ${n} images of [${want}] need ${n * size}`,
    );
  for (let i = 0; i < data.x.length; i++) {
    const v = data.x[i];
    if (!(v >= 0 && v <= 1))
      throw new ScoreInputError('data.x', `pixel ${i} is ${v}, not in [0, 1]`);
  }
  const k = model.spec.numClasses;
  for (let i = 0; i < n; i++) {
    const c = data.y[i];
    if (!(c >= 0 && c < k))
      throw new ScoreInputError('data.y', `label ${i} is ${c}, not in [0, ${k})`);
  }
  checkMasks(prunableLayers(model.spec), ctx.masks);
  const entry = getAttack(ctx.attack.name);
  return { n, attack: { entry, options: entry.validate(ctx.attack.options) } };
}

/**
 * Yield the scoring samples in batches (see the file comment); with `adversarial`, each batch
 * carries x' crafted by the context's attack. Validates the context first.
 */
export async function* scoringBatches(
  ctx: ScoreContext,
  adversarial: boolean,
): AsyncGenerator<ScoringBatch, void, undefined> {
  const { n, attack } = checkScoreContext(ctx);
  const [h, w, c] = ctx.data.shape;
  const size = h * w * c;
  const f = logitsFn(ctx.model, { masks: ctx.masks });
  const hasSeed = attackTakesSeed(attack.entry.name);
  const ownSeed = ctx.attack.options.seed;
  const baseSeed = typeof ownSeed === 'number' ? ownSeed : ctx.seed >>> 0;
  ctx.onProgress?.(0, n);
  for (let start = 0, batch = 0; start < n; start += ctx.batchSize, batch++) {
    throwIfAborted(ctx.signal, 'pruning scores');
    const end = Math.min(n, start + ctx.batchSize);
    const x = tf.tensor4d(ctx.data.x.slice(start * size, end * size), [end - start, h, w, c]); // [B, H, W, C]
    const y = tf.tensor1d(ctx.data.y.slice(start, end), 'int32'); // [B]
    let xAdv: tf.Tensor4D | null = null;
    try {
      if (adversarial) {
        const opts: Record<string, unknown> = { ...attack.options, signal: ctx.signal };
        if (hasSeed) opts.seed = (baseSeed + 0x9e3779b9 * batch) % 2 ** 32;
        xAdv = await attack.entry.run(f, x, y, opts); // [B, H, W, C]
      }
      yield { x, y, xAdv, start };
    } finally {
      tf.dispose([x, y]);
      xAdv?.dispose();
    }
    ctx.onProgress?.(end, n);
  }
}
