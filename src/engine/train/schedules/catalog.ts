/**
 * The learning-rate schedules as plain data: kind, label, paper, lr(t), option fields with
 * defaults and bounds; the one list the UI's schedule form (kinds, labels, each schedule's
 * default learning rate; through src/workers/protocol.ts) and the docs table (docs/training.md)
 * read. No tfjs. The zod schemas in this folder validate configs
 * (tests/engine/train/catalogs.test.ts holds them to these fields).
 *
 * Papers: cosine annealing, Loshchilov and Hutter 2017 (arXiv 1608.03983); cyclic learning rates,
 * Smith 2017 (arXiv 1506.01186; one-cycle as in Wong, Rice and Kolter 2020, arXiv 2001.03994);
 * AccelAT, Nikfam, Marchisio, Martina and Shafique 2022 (arXiv 2210.06888).
 * Formulas: t is the step, T the run's steps, W the warmup steps; details in docs/training.md.
 */
import { trainField, trainKindTable, type TrainField, type TrainKindInfo } from '../fields';

/** The cyclic schedule's modes. */
export const CYCLIC_MODES = ['one-cycle', 'triangular'] as const;

const lr = (def: number, description = 'learning rate, ≥ 0'): TrainField => ({
  name: 'lr',
  type: 'number',
  min: 0,
  default: def,
  description,
});

export const SCHEDULE_CATALOG = [
  {
    kind: 'constant',
    label: 'constant',
    formula: 'lr',
    options: [lr(0.01)],
  },
  {
    kind: 'multistep',
    label: 'multistep',
    formula: 'lr₀·γ^{#\\{m ∈ milestones : m ≤ epoch\\}}',
    options: [
      lr(0.1, 'initial learning rate lr₀, ≥ 0'),
      {
        name: 'milestones',
        type: 'integers',
        min: 1,
        default: [],
        description: 'strictly increasing epoch indices at which lr is multiplied by γ',
      },
      {
        name: 'gamma',
        type: 'number',
        min: 0,
        exclusiveMin: true,
        max: 1,
        default: 0.1,
        description: 'multiplicative factor γ in (0, 1]',
      },
    ],
  },
  {
    kind: 'cosine',
    label: 'cosine annealing',
    paper: {
      authors: 'Loshchilov, Hutter',
      year: 2017,
      title: 'SGDR: Stochastic Gradient Descent with Warm Restarts',
      arxiv: '1608.03983',
    },
    formula: 't < W: lr·(t+1)/W; else minLr + (lr − minLr)(1 + cos(π(t−W)/(T−W)))/2',
    options: [
      lr(0.1, 'peak learning rate, ≥ 0'),
      {
        name: 'minLr',
        type: 'number',
        min: 0,
        default: 0,
        description: 'final learning rate, in [0, lr]',
      },
      {
        name: 'warmupEpochs',
        type: 'number',
        min: 0,
        default: 0,
        description: 'warmup length in epochs (may be fractional)',
      },
    ],
  },
  {
    kind: 'cyclic',
    label: 'cyclic / one-cycle',
    paper: {
      authors: 'Smith',
      year: 2017,
      title: 'Cyclical Learning Rates for Training Neural Networks',
      arxiv: '1506.01186',
    },
    formula:
      "'one-cycle': linear minLr → maxLr over the first peakFraction·T steps, then → minLr at T; 'triangular': minLr ↔ maxLr, half-cycle cycleEpochs·stepsPerEpoch/2 steps",
    options: [
      {
        name: 'mode',
        type: 'enum',
        values: CYCLIC_MODES,
        default: 'one-cycle',
        description: 'one cycle over the run, or repeating triangles',
      },
      {
        name: 'maxLr',
        type: 'number',
        min: 0,
        default: 0.2,
        description: 'peak learning rate, ≥ 0',
      },
      {
        name: 'minLr',
        type: 'number',
        min: 0,
        default: 0,
        description: 'floor learning rate, in [0, maxLr]',
      },
      {
        name: 'peakFraction',
        type: 'number',
        min: 0,
        exclusiveMin: true,
        max: 1,
        exclusiveMax: true,
        default: 0.5,
        description: 'one-cycle: where the peak sits, as a fraction of the run',
      },
      {
        name: 'cycleEpochs',
        type: 'number',
        min: 0,
        exclusiveMin: true,
        default: 2,
        description: 'triangular: length of one full cycle in epochs',
      },
    ],
  },
  {
    kind: 'accelat',
    label: 'AccelAT (Nikfam et al. 2022)',
    paper: {
      authors: 'Nikfam, Marchisio, Martina, Shafique',
      year: 2022,
      title:
        'AccelAT: A Framework for Accelerating the Adversarial Training of Deep Neural Networks through Accuracy Gradient',
      arxiv: '2210.06888',
    },
    formula: 'changes at epoch ends only (below)',
    options: [
      {
        name: 'lr',
        type: 'number',
        min: 0,
        exclusiveMin: true,
        default: 1e-3,
        description: 'initial learning rate in_lr, ≥ fiLr',
      },
      {
        name: 'ftEp',
        type: 'integer',
        min: 1,
        default: 5,
        description: 'window of the moving mean of adversarial validation accuracy, epochs',
      },
      {
        name: 'sdEp',
        type: 'integer',
        min: 0,
        default: 5,
        description: 'epochs to wait after a cut',
      },
      {
        name: 'pw',
        type: 'number',
        default: 0.005,
        description: 'smallest rise of the moving mean that counts as progress (accuracy units)',
      },
      {
        name: 'paLr',
        type: 'number',
        min: 0,
        exclusiveMin: true,
        max: 1,
        exclusiveMax: true,
        default: 0.8,
        description: 'factor of a cut, in (0, 1)',
      },
      {
        name: 'fiLr',
        type: 'number',
        min: 0,
        exclusiveMin: true,
        default: 1e-6,
        description: 'floor of the learning rate, > 0',
      },
    ],
  },
] as const satisfies readonly TrainKindInfo[];

export type ScheduleKind = (typeof SCHEDULE_CATALOG)[number]['kind'];

/** Every schedule kind, in catalog order. */
export const SCHEDULE_KINDS: readonly ScheduleKind[] = SCHEDULE_CATALOG.map((s) => s.kind);

/** The catalog entry of a schedule kind. */
export function scheduleInfo(kind: ScheduleKind): TrainKindInfo {
  return SCHEDULE_CATALOG.find((s) => s.kind === kind) as TrainKindInfo;
}

/** The readable label of a schedule kind (the kind itself when unknown). */
export function scheduleLabel(kind: string): string {
  return SCHEDULE_CATALOG.find((s) => s.kind === kind)?.label ?? kind;
}

/** The field holding a schedule's (peak) learning rate: 'maxLr' for cyclic, else 'lr'. */
export function scheduleLrField(kind: ScheduleKind): 'lr' | 'maxLr' {
  return kind === 'cyclic' ? 'maxLr' : 'lr';
}

/** A schedule's default (peak) learning rate. */
export function defaultScheduleLr(kind: ScheduleKind): number {
  const f = trainField(scheduleInfo(kind), scheduleLrField(kind));
  if (f?.type !== 'number' || f.default === undefined)
    throw new Error(`schedule '${kind}' has no default learning rate`);
  return f.default;
}

/** The schedules table of docs/training.md. */
export function scheduleTableMarkdown(): string {
  return trainKindTable(SCHEDULE_CATALOG, 'lr(t)');
}
