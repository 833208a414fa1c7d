/**
 * Iterative pruning: rounds of prune → (adversarial) fine-tune (Han, Pool, Tran and Dally 2015,
 * "Learning both Weights and Connections for Efficient Neural Networks", arXiv 1506.02626), with
 * the per-round targets of Zhu and Gupta's cubic schedule (2017, arXiv 1710.01878; schedule.ts
 * `iterativeSchedule`): s_r = s_f + (s_i − s_f)(1 − r/R)³ for r = 1..R, so s_R = s_f exactly.
 *
 * Round r: scores = score(model, M_{r−1}) on the current (masked, fine-tuned) model; entries
 * pruned in an earlier round are forced to the pruned end of the ranking (±∞), so
 * M_r = masksFromScores(scores, rule at s_r) removes exactly round(s_r·N) entries (global) and
 * every entry M_{r−1} removed (masks only grow; M_r ⊆ M_{r−1} as kept sets, checked); then
 * fineTuneMasked(model, M_r, fineTune config) holds the pruned weights at exactly 0.
 * Sparsity = fraction of eligible weights (unstructured) or units (structured) removed.
 */
import type { AbortFlag } from '../attacks/options';
import type { Dataset } from '../data/dataset';
import type { Model } from '../model/types';
import type { TrainConfigInput } from '../train/config';
import type { TrainHooks, TrainStatus } from '../train/types';
import { fineTuneMasked } from './finetune';
import { MaskError, masksFromScores } from './masks';
import { iterativeSchedule } from './schedule';
import { sparsityReport } from './sparsity';
import type { Granularity, LayerScores, MaskRule, PlainMasks, ScoreSet } from './types';

export interface IterativeOptions {
  /** scores of the current model under its current masks (empty map before round 1) */
  score: (model: Model, masks: PlainMasks) => Promise<ScoreSet>;
  /** sparsity after the last round, in [0, 1) */
  finalSparsity: number;
  /** number of rounds, integer ≥ 1 */
  rounds: number;
  /** sparsity before round 1, in [0, 1) (default 0); schedule exponent (default 3) */
  initialSparsity?: number;
  power?: number;
  /** scope, per-layer cap and exclusions of every round's masks */
  rule?: Omit<MaskRule, 'sparsity'>;
  /** the training config of each round's fine-tuning (train/config.ts) */
  fineTune: TrainConfigInput;
  signal?: AbortFlag;
  /** progress of each round's fine-tuning */
  fineTuneHooks?: Pick<TrainHooks, 'onProgress' | 'onEpochEnd'>;
  onRound?(r: RoundRecord): void;
}

export interface RoundRecord {
  /** from 1 */
  round: number;
  /** the schedule's target, fraction removed in [0, 1) */
  sparsity: number;
  /** fraction of eligible entries removed by the round's masks */
  achieved: number;
  /** sparsityReport's global fraction of all prunable kernel weights removed */
  globalSparsity: number;
  paramsAfter: number;
  macsAfter: number;
  /** the score method of this round */
  method: string;
  /** fine-tuning outcome and its last epoch's metrics (null when no epoch finished) */
  status: TrainStatus;
  trainLoss: number | null;
  trainAdvAcc: number | null;
  valCleanAcc: number | null;
  valAdvAcc: number | null;
}

export interface IterativeResult {
  /** the last round's masks (applied to the model, pruned weights exactly 0) */
  masks: PlainMasks;
  rounds: RoundRecord[];
  /** 'completed', or the first fine-tuning status that was not (the rounds stop there) */
  status: TrainStatus;
  message: string;
}

/** `scores` with every entry `prev` removed moved to the pruned end of the ranking. */
function forcePruned(scores: ScoreSet, prev: PlainMasks): ScoreSet {
  const forced = scores.order === 'prune-lowest' ? -Infinity : Infinity;
  const layers = new Map<string, LayerScores>();
  for (const [k, ls] of scores.layers) {
    const m = prev.get(k);
    if (m && m.data.length !== ls.data.length)
      throw new MaskError(`scores for '${k}' do not fit the previous round's mask [${m.shape}]`);
    const data = Float32Array.from(ls.data);
    if (m) for (let i = 0; i < data.length; i++) if (m.data[i] === 0) data[i] = forced;
    layers.set(k, { ...ls, data });
  }
  return { ...scores, layers };
}

/** Removed count; throws MaskError if `next` revives an entry `prev` removed. */
function checkMonotone(prev: PlainMasks, next: PlainMasks): number {
  let removed = 0;
  for (const [k, m] of next) {
    const p = prev.get(k);
    for (let i = 0; i < m.data.length; i++) {
      if (m.data[i] === 0) removed++;
      else if (p && p.data[i] === 0)
        throw new MaskError(`round revived entry ${i} of '${k}' (masks must only grow)`);
    }
  }
  return removed;
}

/**
 * Prunes `model` in `rounds` rounds to `finalSparsity`, fine-tuning after each (model modified
 * in place). Every round's ScoreSet must have the granularity of the first.
 * @throws MaskError for a bad schedule, scores that do not fit, or a granularity change;
 *   TrainError for a bad fine-tuning config or data
 */
export async function iterativePrune(
  model: Model,
  data: { train: Dataset; val?: Dataset },
  opts: IterativeOptions,
): Promise<IterativeResult> {
  const targets = iterativeSchedule({
    final: opts.finalSparsity,
    rounds: opts.rounds,
    initial: opts.initialSparsity,
    power: opts.power,
  });
  let masks: PlainMasks = new Map();
  let granularity: Granularity | null = null;
  const rounds: RoundRecord[] = [];
  for (let r = 0; r < targets.length; r++) {
    if (opts.signal?.aborted)
      return { masks, rounds, status: 'stopped', message: `stopped before round ${r + 1}` };
    const scores = await opts.score(model, masks);
    if (granularity !== null && scores.granularity !== granularity)
      throw new MaskError(
        `round ${r + 1} scores are ${scores.granularity}, earlier ${granularity}`,
      );
    granularity = scores.granularity;
    const next = masksFromScores(model.spec, forcePruned(scores, masks), {
      ...opts.rule,
      sparsity: targets[r],
    });
    const removed = checkMonotone(masks, next);
    const eligible = [...next.values()].reduce((a, m) => a + m.data.length, 0);
    masks = next;
    const ft = await fineTuneMasked(model, masks, data, opts.fineTune, {
      ...opts.fineTuneHooks,
      signal: opts.signal,
    });
    const rep = sparsityReport(model.spec, masks).global;
    const last = ft.history[ft.history.length - 1];
    const rec: RoundRecord = {
      round: r + 1,
      sparsity: targets[r],
      achieved: eligible > 0 ? removed / eligible : 0,
      globalSparsity: rep.sparsity,
      paramsAfter: rep.paramsAfter,
      macsAfter: rep.macsAfter,
      method: scores.method,
      status: ft.status,
      trainLoss: last ? last.trainLoss : null,
      trainAdvAcc: last ? last.trainAdvAcc : null,
      valCleanAcc: last ? last.valCleanAcc : null,
      valAdvAcc: last ? last.valAdvAcc : null,
    };
    rounds.push(rec);
    opts.onRound?.(rec);
    if (ft.status !== 'completed')
      return { masks, rounds, status: ft.status, message: `round ${r + 1}: ${ft.message}` };
  }
  return { masks, rounds, status: 'completed', message: `completed ${targets.length} rounds` };
}
