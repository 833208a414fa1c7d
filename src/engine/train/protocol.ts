/**
 * Training protocols: where the adversarial examples come from.
 *
 * - absent or `{ kind: 'per-batch' }` (default): the objective crafts x′ for every batch against
 *   the current model (PGD-AT, TRADES, FGSM-RS; objectives/).
 * - `{ kind: 'offline-adversarial', attack }`: AccelAT's own protocol (Nikfam et al. 2022, arXiv
 *   2210.06888; code farzadnikfam/AccelAT, `accelat.py`): the attack runs ONCE, before the first
 *   epoch, against the initial model, over the training set and the validation subset
 *   (`validation.subsetSize`); training then minimizes the clean cross-entropy (objective
 *   'standard') on fixed batches drawn from those sets, and the adversarial validation accuracy
 *   that AccelAT reads is the model's accuracy on the fixed adversarial validation set.
 *   `mix` 'union' (default) trains each epoch on clean ∪ adversarial (2N samples, shuffled
 *   together: each epoch sees every clean image and its adversarial copy once, in random
 *   batches); 'adversarial' trains on the N adversarial images alone, which is what the
 *   reference code does (`model.fit(x_train_adv, y_train)`).
 *
 * Seeds: the attack's random start of set chunk i is deriveSeed(train seed, tag, i), so the sets
 * depend only on the seed and the initial weights. Shapes: images `[N, H, W, C]` in [0, 1].
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { AbortFlag } from '../attacks/options';
import { getAttack, resolveAttackOptions, type AttackOptions } from '../attacks/registry';
import { isAttackName } from '../attacks/catalog';
import { attackOptionsProblem, attackRefSchema } from '../attacks/schema';
import { toTensors } from '../data/batches';
import { datasetSize, imageSize, type Dataset } from '../data/dataset';
import { deriveSeed } from '../data/order';
import { logitsFn } from '../model/forward';
import type { Masks, Model } from '../model/types';

/** Seed-derivation tags of the offline sets (distinct from run-state.ts SEED_TAG). */
const OFFLINE_TAG = { train: 0x0ff1, val: 0x0ff2 } as const;

const perBatchSchema = z.strictObject({ kind: z.literal('per-batch') });

const offlineSchema = z
  .strictObject({
    kind: z.literal('offline-adversarial'),
    /**
     * the attack that makes the sets, from the attack registry (docs/attacks.md); omitted options
     * take the registry's Fashion-MNIST defaults (pgd-linf: ε 0.1, 20 steps of 0.025, 1 restart);
     * `seed` is set per chunk by the protocol
     */
    attack: attackRefSchema,
    /** 'union' clean ∪ adversarial (default), or 'adversarial' alone (the reference code) */
    mix: z.enum(['union', 'adversarial']).default('union'),
    /** BN mode of the initial model while attacking: 'eval' running statistics (default) or 'train' */
    craftMode: z.enum(['train', 'eval']).default('eval'),
    /** images per attack call, ≥ 1 (default 256) */
    batchSize: z.number().int().min(1).default(256),
  })
  .superRefine((p, ctx) => {
    if (!isAttackName(p.attack.name)) return; // attackNameSchema reports it
    if (Object.hasOwn(p.attack.options, 'seed')) {
      ctx.addIssue({
        code: 'custom',
        path: ['attack', 'options', 'seed'],
        message: "set by the protocol from the run's seed (one seed per chunk); remove it",
      });
      return;
    }
    const problem = attackOptionsProblem(p.attack, 'fashion-mnist');
    if (problem !== null)
      ctx.addIssue({ code: 'custom', path: ['attack', 'options'], message: problem });
  })
  .transform((p) => {
    const { seed: _seed, ...options } = resolveAttackOptions(
      p.attack.name,
      'fashion-mnist',
      p.attack.options,
    );
    return { ...p, attack: { name: p.attack.name, options } };
  });

export const protocolSchema = z.discriminatedUnion('kind', [perBatchSchema, offlineSchema]);

export interface OfflineProtocolConfig {
  kind: 'offline-adversarial';
  /** the attack with every option resolved (no seed: set per chunk) */
  attack: { name: string; options: AttackOptions };
  mix: 'union' | 'adversarial';
  craftMode: 'train' | 'eval';
  batchSize: number;
}
export type ProtocolConfig = { kind: 'per-batch' } | OfflineProtocolConfig;
export type ProtocolConfigInput = z.input<typeof protocolSchema>;

/** What the offline protocol made, for the report (plain data). */
export interface OfflineSetsInfo {
  attack: { name: string; options: AttackOptions };
  mix: 'union' | 'adversarial';
  /** clean training images attacked, and the training samples of each epoch (2N for union) */
  trainAttacked: number;
  trainSamples: number;
  /** validation images attacked (the fixed adversarial validation set), 0 without validation */
  valAttacked: number;
  /** attack calls made (one per chunk of `batchSize`), all before the first epoch */
  attackCalls: number;
  /** wall-clock seconds spent making the sets */
  seconds: number;
}

/** The offline sets: the training set each epoch draws from, the fixed validation set. */
export interface OfflineSets {
  train: Dataset;
  /** adversarial validation images `[M, H, W, C]` and labels `[M]` (caller disposes), or null */
  val: { x: tf.Tensor4D; y: tf.Tensor1D } | null;
  info: OfflineSetsInfo;
}

/**
 * Attacks the first `n` images of `ds` in chunks of `p.batchSize` against `model` as it is now.
 * @returns the adversarial images, `[n, H, W, C]` row-major, and the number of attack calls
 */
async function attackSet(
  model: Model,
  masks: Masks | undefined,
  ds: Dataset,
  n: number,
  p: OfflineProtocolConfig,
  seed: number,
  tag: number,
  signal?: AbortFlag,
): Promise<{ images: Float32Array; calls: number }> {
  const size = imageSize(ds.shape);
  const out = new Float32Array(n * size);
  const f = logitsFn(model, { masks, training: p.craftMode === 'train' });
  const attack = getAttack(p.attack.name);
  let calls = 0;
  for (let start = 0, chunk = 0; start < n; start += p.batchSize, chunk++) {
    const m = Math.min(p.batchSize, n - start);
    const { x, y } = toTensors(
      {
        x: ds.images.subarray(start * size, (start + m) * size),
        y: ds.labels.subarray(start, start + m),
        size: m,
      },
      ds.shape,
    ); // [m, H, W, C], [m]
    try {
      const opts = { ...p.attack.options, seed: deriveSeed(seed, tag, chunk), signal };
      const xAdv = await attack.run(f, x, y, opts); // [m, H, W, C]
      calls++;
      try {
        out.set(await xAdv.data(), start * size);
      } finally {
        xAdv.dispose();
      }
    } finally {
      x.dispose();
      y.dispose();
    }
  }
  return { images: out, calls };
}

/**
 * Makes the offline sets against the model as it is now (the initial model): the adversarial
 * copy of every training image and of the first `valSize` validation images.
 * @param seed the run's seed (train.seed)
 * @throws an error named 'AbortError' when `signal.aborted` is set during an attack
 */
export async function makeOfflineSets(
  model: Model,
  masks: Masks | undefined,
  train: Dataset,
  val: Dataset | undefined,
  valSize: number,
  p: OfflineProtocolConfig,
  seed: number,
  signal?: AbortFlag,
): Promise<OfflineSets> {
  const t0 = performance.now();
  const n = datasetSize(train);
  const adv = await attackSet(model, masks, train, n, p, seed, OFFLINE_TAG.train, signal);
  const m = val === undefined ? 0 : Math.min(valSize, datasetSize(val));
  let calls = adv.calls;
  let valSet: OfflineSets['val'] = null;
  if (val !== undefined && m > 0) {
    const v = await attackSet(model, masks, val, m, p, seed, OFFLINE_TAG.val, signal);
    calls += v.calls;
    valSet = tf.tidy(() => ({
      x: tf.tensor4d(v.images, [m, ...val.shape]),
      y: tf.tensor1d(val.labels.subarray(0, m), 'int32'),
    }));
  }
  const size = imageSize(train.shape);
  let images: Float32Array;
  let labels: Int32Array;
  if (p.mix === 'union') {
    images = new Float32Array(2 * n * size);
    images.set(train.images.subarray(0, n * size), 0);
    images.set(adv.images, n * size);
    labels = new Int32Array(2 * n);
    labels.set(train.labels.subarray(0, n), 0);
    labels.set(train.labels.subarray(0, n), n);
  } else {
    images = adv.images;
    labels = train.labels.slice(0, n);
  }
  return {
    train: { ...train, name: `${train.name}+offline-${p.mix}`, images, labels },
    val: valSet,
    info: {
      attack: p.attack,
      mix: p.mix,
      trainAttacked: n,
      trainSamples: labels.length,
      valAttacked: m,
      attackCalls: calls,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
