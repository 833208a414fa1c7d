/**
 * The mask-learning loop shared by HYDRA (scores/learned.ts: weights frozen) and the end-to-end
 * variant (end-to-end.ts: weights and mask trained jointly): the straight-through top-k mask of
 * ste.ts optimized under an adversarial training objective (HYDRA: Sehwag, Wang, Mittal and Jana
 * 2020, arXiv 2002.10509).
 *
 * One step on a batch x `[B, H, W, C]` (pixels in [0, 1]), y `[B]` int32:
 *   m = top-k(|s|) under the MaskRule                      (exact count, outside the tape)
 *   x' = objective.craft(model, x, y; masks m)             (the PGD-AT / TRADES attack)
 *   L = objective.loss(model, x, x', y; masks ste(|s|, m)) (training-mode BN)
 *   s ← opt_s(s, ∂L/∂s);  end-to-end only: θ ← opt_θ(θ, ∂L/∂θ) and BN running statistics
 * With frozen weights the model is not modified at all (BN uses batch statistics, running ones
 * untouched). A non-finite loss or gradient stops the run ('diverged') without that update.
 * Batch order: a seeded shuffle per epoch (data/order.ts); attack seeds from a seeded Rng.
 * Options, rates and metrics: mask-learning-config.ts (re-exported here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherBatch, planOrder, toTensors } from '../data/batches';
import { datasetSize, type Dataset } from '../data/dataset';
import { deriveSeed } from '../data/order';
import { updateBnRunningStats } from '../model/forward';
import type { Masks, Model } from '../model/types';
import { Rng } from '../rng';
import { createObjective } from '../train/objectives';
import type { BnStats, Objective } from '../train/objectives';
import { correctCount } from '../train/objectives/losses';
import { applyGradients, createOptimizer, disposeOptimizer } from '../train/optimizers';
import type { Optimizer } from '../train/optimizers';
import { checkDataset, isAbort, makeYielder } from '../train/run-setup';
import { validationAccuracy } from '../train/validate';
import type { AbortFlag } from '../attacks/options';
import type {
  LearnConfig,
  LearnResult,
  LearnStatus,
  MaskEpochMetrics,
  MaskHooks,
  Rate,
} from './mask-learning-config';
import { disposeMasks, toTensorMasks } from './masks';
import { hardMasks, steMasks } from './ste';
import { vulnerabilityLoss } from './vulnerability';
import type { ScoreVars } from './ste';
import type { PlainMasks } from './types';

export * from './mask-learning-config';

function rateAt(r: Rate, step: number, total: number): number {
  return r.schedule === 'cosine' ? r.lr * 0.5 * (1 + Math.cos((Math.PI * step) / total)) : r.lr;
}

function keepStats(stats: BnStats): BnStats {
  for (const { mean, variance } of stats.values()) {
    tf.keep(mean);
    tf.keep(variance);
  }
  return stats;
}

interface StepCtx {
  vsLambda: number;
  model: Model;
  objective: Objective;
  scores: ScoreVars;
  sOpt: Optimizer;
  wOpt: Optimizer | null;
  bnMomentum: number;
  signal?: AbortFlag;
}

/** One step (see the file comment). Disposes everything it creates; never x, y or hard. */
async function learnStep(
  c: StepCtx,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  hard: Masks,
  lrs: [number, number],
  seed: number,
): Promise<{ finite: boolean; loss: number; advCorrect: number | null }> {
  const { model, objective, scores } = c;
  const owned: tf.Tensor[] = [];
  try {
    const xAdv = await objective.craft(model, x, y, { masks: hard, seed, signal: c.signal });
    if (xAdv) owned.push(xAdv);
    const sNames = [...scores.keys()];
    const wNames = c.wOpt ? [...model.params.keys()] : [];
    const vars = [
      ...sNames.map((n) => scores.get(n) as tf.Variable),
      ...wNames.map((n) => model.params.get(n) as tf.Variable),
    ];
    let zAdv: tf.Tensor2D | null = null;
    let bn: BnStats[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const masks = steMasks(scores, hard);
      const r = objective.loss(model, x, xAdv, y, { masks, training: true });
      zAdv = r.logitsAdv ? tf.keep(r.logitsAdv) : null;
      if (c.wOpt) bn = r.bnStats.map(keepStats);
      if (c.vsLambda > 0 && xAdv)
        return tf.add(r.loss, tf.mul(c.vsLambda, vulnerabilityLoss(model, masks, x, xAdv, true)));
      return r.loss;
    }, vars);
    owned.push(value, ...Object.values(grads));
    for (const s of bn) for (const { mean, variance } of s.values()) owned.push(mean, variance);
    const z = zAdv as tf.Tensor2D | null;
    if (z) owned.push(z);
    const summary = tf.tidy(() => {
      let ok = tf.all(tf.isFinite(value)); // bool scalar
      for (const g of Object.values(grads)) ok = tf.logicalAnd(ok, tf.all(tf.isFinite(g)));
      return tf.stack([value, tf.cast(ok, 'float32'), z ? correctCount(z, y) : tf.scalar(-1)]); // [3]
    });
    owned.push(summary);
    const [loss, ok, ac] = await summary.data();
    const pick = (names: string[], from: ReadonlyMap<string, tf.Variable>) =>
      new Map(
        names.flatMap((n) => {
          const g = grads[(from.get(n) as tf.Variable).name];
          return g ? [[n, g] as [string, tf.Tensor]] : [];
        }),
      );
    if (ok === 1) {
      applyGradients(c.sOpt, scores, pick(sNames, scores), lrs[0]);
      if (c.wOpt) {
        applyGradients(c.wOpt, model.params, pick(wNames, model.params), lrs[1]);
        for (const s of bn) if (s.size > 0) updateBnRunningStats(model, s, c.bnMomentum);
      }
    }
    return { finite: ok === 1, loss, advCorrect: z ? ac : null };
  } finally {
    for (const t of owned) if (!t.isDisposed) t.dispose();
  }
}

function flips(a: PlainMasks, b: PlainMasks): number {
  let diff = 0;
  let total = 0;
  for (const [k, m] of a) {
    const o = b.get(k)?.data;
    total += m.data.length;
    for (let i = 0; i < m.data.length; i++) if (!o || o[i] !== m.data[i]) diff++;
  }
  return total > 0 ? diff / total : 0;
}

/** Seed-derivation tags of the loop's random streams. */
const TAG = { order: 0x5c0e, rng: 0x1ea7, val: 0x7a1d } as const;

/**
 * Runs `cfg.epochs` epochs of mask learning on `scores` (updated in place; with `cfg.weights`
 * also the model's weights). Data must fit the model (TrainError `bad-data` otherwise).
 * @returns 'completed'; 'stopped' when `hooks.signal.aborted` (between or inside steps; the
 *   interrupted step is not applied); 'diverged' on a non-finite loss or gradient
 */
export async function learnMask(
  model: Model,
  data: { train: Dataset; val?: Dataset },
  scores: ScoreVars,
  cfg: LearnConfig,
  hooks: MaskHooks = {},
): Promise<LearnResult> {
  checkDataset(model, data.train, 'training');
  checkDataset(model, data.val, 'validation');
  const n = datasetSize(data.train);
  const plan = { batchSize: cfg.batchSize, shuffle: true, seed: deriveSeed(cfg.seed, TAG.order) };
  const spe = Math.ceil(n / cfg.batchSize);
  const total = cfg.epochs * spe;
  const rng = new Rng(deriveSeed(cfg.seed, TAG.rng));
  const yielder = makeYielder();
  const ctx: StepCtx = {
    vsLambda: cfg.vsLambda ?? 0,
    model,
    objective: createObjective(cfg.objective),
    scores,
    sOpt: createOptimizer(cfg.scores.optimizer, scores),
    wOpt: null,
    bnMomentum: cfg.bnMomentum,
    signal: hooks.signal,
  };
  const history: MaskEpochMetrics[] = [];
  const cur: { hard: Masks; plain: PlainMasks | null; at: number } = {
    hard: new Map(),
    plain: null,
    at: -1,
  };
  let step = 0;
  const remask = async (): Promise<PlainMasks> => {
    const plain = await hardMasks(model, scores, cfg.granularity, cfg.rule);
    disposeMasks(cur.hard);
    cur.hard = toTensorMasks(plain);
    cur.plain = plain;
    cur.at = step;
    return plain;
  };
  const end = (status: LearnStatus, message: string): LearnResult => ({
    status,
    message,
    steps: step,
    history,
  });
  try {
    if (cfg.weights) ctx.wOpt = createOptimizer(cfg.weights.optimizer, model.params);
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const t0 = performance.now();
      const start = cur.plain ?? (await remask());
      const order = planOrder(n, plan, epoch);
      let lossSum = 0;
      let advCorrect = 0;
      let advSamples = 0;
      let samples = 0;
      for (let b = 0; b < spe; b++) {
        if (hooks.signal?.aborted) return end('stopped', `stopped before step ${step}`);
        if (cur.at !== step && step % cfg.remaskEvery === 0) await remask();
        const idx = order.slice(b * cfg.batchSize, Math.min(n, (b + 1) * cfg.batchSize));
        const { x, y } = toTensors(gatherBatch(data.train, idx, epoch, b), data.train.shape);
        const lrs: [number, number] = [
          rateAt(cfg.scores, step, total),
          cfg.weights ? rateAt(cfg.weights, step, total) : 0,
        ];
        let out: Awaited<ReturnType<typeof learnStep>>;
        try {
          out = await learnStep(ctx, x, y, cur.hard, lrs, rng.seed());
        } catch (e) {
          if (isAbort(e)) return end('stopped', `stopped during step ${step}`);
          throw e;
        } finally {
          x.dispose();
          y.dispose();
        }
        if (!out.finite)
          return end(
            'diverged',
            `diverged: non-finite loss or gradient at step ${step} (not applied)`,
          );
        step++;
        lossSum += out.loss * idx.length;
        samples += idx.length;
        if (out.advCorrect !== null) {
          advCorrect += out.advCorrect;
          advSamples += idx.length;
        }
        hooks.onProgress?.({
          step,
          epoch,
          batch: b,
          batchesPerEpoch: spe,
          epochs: cfg.epochs,
          loss: out.loss,
          advAcc: out.advCorrect === null ? null : out.advCorrect / idx.length,
        });
        await yielder();
      }
      const now = await remask(); // the mask the epoch ended with
      let val: { clean: number; adv: number } | null = null;
      if (data.val && cfg.validation && cfg.validation.subsetSize > 0) {
        const seed = deriveSeed(cfg.seed, TAG.val, epoch);
        try {
          val = await validationAccuracy(
            model,
            cur.hard,
            data.val,
            cfg.validation,
            seed,
            hooks.signal,
          );
        } catch (e) {
          if (isAbort(e)) return end('stopped', `stopped during the validation of epoch ${epoch}`);
          throw e;
        }
      }
      const m: MaskEpochMetrics = {
        epoch,
        steps: spe,
        trainLoss: lossSum / samples,
        trainAdvAcc: advSamples > 0 ? advCorrect / advSamples : null,
        maskFlips: flips(start, now),
        valCleanAcc: val ? val.clean : null,
        valAdvAcc: val ? val.adv : null,
        wallSec: (performance.now() - t0) / 1000,
      };
      history.push(m);
      hooks.onEpochEnd?.(m);
    }
    return end('completed', `completed ${cfg.epochs} epochs (${step} steps)`);
  } finally {
    disposeOptimizer(ctx.sOpt);
    if (ctx.wOpt) disposeOptimizer(ctx.wOpt);
    disposeMasks(cur.hard);
  }
}
