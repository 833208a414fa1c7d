/**
 * The registry of pruning criteria: name → how to compute its ScoreSet. The experiment runner
 * and the session both call it through `scoreCriterion` (prune/score-criterion.ts), so every
 * criterion sits on the same footing (same scoring samples, same attack, same mask rule, same
 * fine-tuning budget); the criteria's names and labels are the catalog's (prune/criteria.ts).
 *
 * | name               | scores                                   | prunes first | source                         |
 * | anomaly-activation | |a(x')−a(x)| / (|a(x)|+δ) per neuron        | highest      | thesis (SCUT); docs/pruning-scores.md |
 * | anomaly-gradient   | same with g = ∂L/∂a                        | highest      | thesis (SCUT)                  |
 * | anp-vs             | |a(x')−a(x)| (absolute vulnerability)      | highest      | Madaan et al. 2020, 1908.04355 |
 * | magnitude          | |w| (per neuron: L1 of its filter)         | lowest       | Han et al. 2015; Li et al. 2017 |
 * | random             | seeded uniform                           | lowest       | baseline                       |
 * | snip               | |w·∂L/∂w| on the clean or adversarial loss | lowest       | Lee et al. 2019; Molchanov et al. 2017 |
 * | learned            | HYDRA scores, optimized under the adversarial loss | lowest | Sehwag et al. 2020, 2002.10509 |
 * | anomaly-learned    | HYDRA scores initialised from the dead-aware anomaly keep-score, optional ANP-VS term | lowest | thesis (end to end); Sehwag et al. 2020; Madaan et al. 2020 |
 *
 * Every criterion takes the dead-unit rule (`dead: 'first' | 'off'`, scores/dead.ts): default
 * 'first' for the anomaly criteria (unless `variant: 'naive'`), 'off' for the others, where
 * 'first' gives their "dead first" rows. The anomaly criteria default to the tempered keep-score
 * |w|·p^α (anomaly.ts); `variant: 'naive'` is the thesis's "most anomalous first" as first
 * defined, kept as the negative result.
 */
import type { Dataset } from '../../data/dataset';

import type { ObjectiveConfigInput } from '../../train/objectives';
import { criterionLabel, defaultDeadRule, type Criterion } from '../criteria';
import type { PruneOrder, ScoreSet } from '../types';
import { anomalyScores } from './anomaly';
import type { ScoreContext } from './context';
import { applyDeadRule, deadEntries, deadUnits } from './dead';
import { hydraInitScores, keepScaledInit, learnedScores } from './learned';
import { prunableKernels } from '../masks';
import { magnitudeScores } from './magnitude';
import { randomScores } from './random';
import { snipScores } from './snip';

export type ScorerName = Criterion;

/** What a criterion may use. Scoring samples and attack options must be complete. */
export interface ScorerInput {
  /** the scoring context: model, masks, samples, attack (resolved options), granularity, seed */
  ctx: ScoreContext;
  /** criterion options */
  options: {
    /** anomaly forms: δ (default the scorer's) */
    delta?: number;
    /** flip the default order (prune the other end first) */
    flipOrder?: boolean;
    /** snip: 'clean' or 'adversarial' loss (default 'adversarial') */
    loss?: 'clean' | 'adversarial';
    /** the dead-unit rule (default: defaultDeadRule of the criterion) */
    dead?: 'first' | 'off';
    /** anomaly criteria: 'tempered' (default) or 'naive' (first definition, the negative result) */
    variant?: 'tempered' | 'naive';
    /** anomaly criteria, tempered: the exponent α ≥ 0 (default DEFAULT_ALPHA) */
    alpha?: number;
    /** learned criteria: λ of the ANP-VS vulnerability-suppression term (default 0) */
    vsLambda?: number;
  };
  /** learned only: training data, target sparsity and scope, objective, epochs */
  learned?: {
    train: Dataset;
    sparsity: number;
    scope: 'global' | 'layer';
    objective: ObjectiveConfigInput;
    epochs: number;
    batchSize: number;
    /** the per-layer cap of the mask rule the scores are learned under (default masks.ts') */
    maxLayerSparsity?: number;
  };
}

export interface ScorerEntry {
  name: ScorerName;
  label: string;
  paper: string;
  /** default order of its scores */
  order: PruneOrder;
  /** whether it crafts adversarial examples (uses the scoring attack) */
  usesAttack: boolean;
  run(input: ScorerInput): Promise<ScoreSet>;
}

const flip = (s: ScoreSet, yes: boolean | undefined): ScoreSet =>
  yes ? { ...s, order: s.order === 'prune-highest' ? 'prune-lowest' : 'prune-highest' } : s;

function anomaly(form: 'activation' | 'gradient', measure: 'relative' | 'absolute') {
  return async ({ ctx, options }: ScorerInput): Promise<ScoreSet> =>
    flip(
      await anomalyScores(ctx, {
        form,
        measure,
        delta: options.delta,
        variant: options.variant,
        alpha: options.alpha,
        dead: options.dead,
      }),
      options.flipOrder,
    );
}

/** Apply the dead rule to a data-free or non-anomaly criterion's scores when asked for. */
async function withDead(name: Criterion, input: ScorerInput, set: ScoreSet): Promise<ScoreSet> {
  if ((input.options.dead ?? defaultDeadRule(name)) !== 'first') return set;
  return applyDeadRule(input.ctx.model.spec, set, await deadUnits(input.ctx));
}

/**
 * HYDRA score learning (learned.ts) from `init`, then the dead rule on the learned scores when
 * asked for (dead entries start at 0 and get no gradient, so this only fixes ties).
 */
async function learnFrom(
  input: ScorerInput,
  init: Awaited<ReturnType<typeof keepScaledInit>> | undefined,
  initName: string | undefined,
  dead: 'first' | 'off',
): Promise<ScoreSet> {
  const { ctx, learned, options } = input;
  if (!learned) throw new Error('learned scores need training data, a sparsity and an objective');
  const info = dead === 'first' ? await deadUnits(ctx) : null;
  let start = init;
  if (!start && info) {
    // HYDRA's scaled |w| with dead paths at exactly 0 ("HYDRA from dead-aware |w|")
    start = await hydraInitScores(ctx.model, ctx.granularity);
    for (const l of prunableKernels(ctx.model.spec, ctx.granularity)) {
      const d = deadEntries(l, ctx.granularity, info);
      const v = start.get(l.kernelName)?.data;
      if (v) for (let k = 0; k < d.length; k++) if (d[k]) v[k] = 0;
    }
    initName = 'hydra-scaled-magnitude, dead paths 0';
  }
  const set = await learnedScores(
    ctx.model,
    { train: learned.train },
    {
      granularity: ctx.granularity,
      sparsity: learned.sparsity,
      scope: learned.scope,
      ...(learned.maxLayerSparsity !== undefined
        ? { maxLayerSparsity: learned.maxLayerSparsity }
        : {}),
      objective: learned.objective,
      epochs: learned.epochs,
      batchSize: learned.batchSize,
      seed: ctx.seed,
      signal: ctx.signal,
      vsLambda: options.vsLambda ?? 0,
      ...(start ? { init: start, initName } : {}),
    },
  );
  return info ? applyDeadRule(ctx.model.spec, set, info) : set;
}

export const SCORERS: Readonly<Record<ScorerName, ScorerEntry>> = {
  'anomaly-activation': {
    name: 'anomaly-activation',
    label: criterionLabel('anomaly-activation'),
    paper: 'Adversarial pruning by anomaly degree (thesis, SCUT)',
    order: 'prune-highest',
    usesAttack: true,
    run: anomaly('activation', 'relative'),
  },
  'anomaly-gradient': {
    name: 'anomaly-gradient',
    label: criterionLabel('anomaly-gradient'),
    paper: 'Adversarial pruning by anomaly degree (thesis, SCUT)',
    order: 'prune-highest',
    usesAttack: true,
    run: anomaly('gradient', 'relative'),
  },
  'anp-vs': {
    name: 'anp-vs',
    label: criterionLabel('anp-vs'),
    paper: 'Madaan, Shin, Hwang 2020, arXiv 1908.04355',
    order: 'prune-highest',
    usesAttack: true,
    run: anomaly('activation', 'absolute'),
  },
  magnitude: {
    name: 'magnitude',
    label: criterionLabel('magnitude'),
    paper: 'Han et al. 2015, arXiv 1506.02626; Li et al. 2017, arXiv 1608.08710',
    order: 'prune-lowest',
    usesAttack: false,
    run: async (input) =>
      flip(
        await withDead(
          'magnitude',
          input,
          await magnitudeScores(input.ctx.model, input.ctx.granularity, { masks: input.ctx.masks }),
        ),
        input.options.flipOrder,
      ),
  },
  random: {
    name: 'random',
    label: criterionLabel('random'),
    paper: 'baseline',
    order: 'prune-lowest',
    usesAttack: false,
    run: async (input) =>
      withDead(
        'random',
        input,
        await randomScores(input.ctx.model, input.ctx.granularity, input.ctx.seed),
      ),
  },
  snip: {
    name: 'snip',
    label: criterionLabel('snip'),
    paper: 'Lee et al. 2019, arXiv 1810.02340; Molchanov et al. 2017, arXiv 1611.06440',
    order: 'prune-lowest',
    usesAttack: true,
    run: async (input) =>
      flip(
        await withDead(
          'snip',
          input,
          await snipScores(input.ctx, { loss: input.options.loss ?? 'adversarial' }),
        ),
        input.options.flipOrder,
      ),
  },
  learned: {
    name: 'learned',
    label: criterionLabel('learned'),
    paper: 'Sehwag, Wang, Mittal, Jana 2020, arXiv 2002.10509',
    order: 'prune-lowest',
    usesAttack: false,
    run: async (input) =>
      learnFrom(input, undefined, undefined, input.options.dead ?? defaultDeadRule('learned')),
  },
  'anomaly-learned': {
    name: 'anomaly-learned',
    label: criterionLabel('anomaly-learned'),
    paper:
      'thesis (SCUT), end to end; Sehwag et al. 2020, arXiv 2002.10509; Madaan et al. 2020, arXiv 1908.04355',
    order: 'prune-lowest',
    usesAttack: true,
    run: async (input) => {
      const { ctx, options } = input;
      const dead = options.dead ?? defaultDeadRule('anomaly-learned');
      // the keep-score the mask starts from: tempered activation anomaly (dead rule inside)
      const keep = await anomalyScores(ctx, {
        form: 'activation',
        measure: 'relative',
        delta: options.delta,
        variant: 'tempered',
        alpha: options.alpha,
        dead,
      });
      const alpha = keep.meta.alpha;
      const set = await learnFrom(
        input,
        keepScaledInit(ctx.model, keep),
        `anomaly keep-score (α = ${String(alpha)}, dead ${dead})`,
        dead,
      );
      return { ...set, method: 'anomaly-learned' };
    },
  },
};

export const SCORER_NAMES = Object.keys(SCORERS) as ScorerName[];

export { anomalyScores, magnitudeScores, randomScores, snipScores, learnedScores };
