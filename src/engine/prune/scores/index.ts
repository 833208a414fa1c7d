/**
 * The registry of pruning criteria: name → how to compute its ScoreSet. The experiment runner,
 * the worker and the UI iterate over it, so every criterion sits on the same footing (same
 * scoring samples, same attack, same mask rule, same fine-tuning budget).
 *
 * | name               | scores                                   | prunes first | source                         |
 * | anomaly-activation | |a(x')−a(x)| / (|a(x)|+δ) per neuron        | highest      | thesis (SCUT); docs/pruning-scores.md |
 * | anomaly-gradient   | same with g = ∂L/∂a                        | highest      | thesis (SCUT)                  |
 * | anp-vs             | |a(x')−a(x)| (absolute vulnerability)      | highest      | Madaan et al. 2020, 1908.04355 |
 * | magnitude          | |w| (per neuron: L1 of its filter)         | lowest       | Han et al. 2015; Li et al. 2017 |
 * | random             | seeded uniform                           | lowest       | baseline                       |
 * | snip               | |w·∂L/∂w| on the clean or adversarial loss | lowest       | Lee et al. 2019; Molchanov et al. 2017 |
 * | learned            | HYDRA scores, optimized under the adversarial loss | lowest | Sehwag et al. 2020, 2002.10509 |
 */
import type { Dataset } from '../../data/dataset';

import type { ObjectiveConfigInput } from '../../train/objectives';
import { criterionLabel, type Criterion } from '../criteria';
import type { PruneOrder, ScoreSet } from '../types';
import { anomalyScores } from './anomaly';
import type { ScoreContext } from './context';
import { learnedScores } from './learned';
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
  };
  /** learned only: training data, target sparsity and scope, objective, epochs */
  learned?: {
    train: Dataset;
    sparsity: number;
    scope: 'global' | 'layer';
    objective: ObjectiveConfigInput;
    epochs: number;
    batchSize: number;
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
        ...(options.delta !== undefined ? { delta: options.delta } : {}),
      }),
      options.flipOrder,
    );
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
    run: async ({ ctx, options }) =>
      flip(
        await magnitudeScores(ctx.model, ctx.granularity, { masks: ctx.masks }),
        options.flipOrder,
      ),
  },
  random: {
    name: 'random',
    label: criterionLabel('random'),
    paper: 'baseline',
    order: 'prune-lowest',
    usesAttack: false,
    run: async ({ ctx }) => randomScores(ctx.model, ctx.granularity, ctx.seed),
  },
  snip: {
    name: 'snip',
    label: criterionLabel('snip'),
    paper: 'Lee et al. 2019, arXiv 1810.02340; Molchanov et al. 2017, arXiv 1611.06440',
    order: 'prune-lowest',
    usesAttack: true,
    run: async ({ ctx, options }) =>
      flip(await snipScores(ctx, { loss: options.loss ?? 'adversarial' }), options.flipOrder),
  },
  learned: {
    name: 'learned',
    label: criterionLabel('learned'),
    paper: 'Sehwag, Wang, Mittal, Jana 2020, arXiv 2002.10509',
    order: 'prune-lowest',
    usesAttack: false,
    run: async ({ ctx, learned }) => {
      if (!learned)
        throw new Error('learned scores need training data, a sparsity and an objective');
      return learnedScores(
        ctx.model,
        { train: learned.train },
        {
          granularity: ctx.granularity,
          sparsity: learned.sparsity,
          scope: learned.scope,
          objective: learned.objective,
          epochs: learned.epochs,
          batchSize: learned.batchSize,
          seed: ctx.seed,
          signal: ctx.signal,
        },
      );
    },
  },
};

export const SCORER_NAMES = Object.keys(SCORERS) as ScorerName[];

export { anomalyScores, magnitudeScores, randomScores, snipScores, learnedScores };
