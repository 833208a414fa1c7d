/**
 * The training objectives as plain data: kind, label, paper, loss, option fields with defaults,
 * bounds and the derived step-size rules; the one list the UI's objective form (through
 * src/workers/protocol.ts), the docs table (docs/training.md) and the engine's resolution of
 * derived defaults (pgd-at.ts, trades.ts, fgsm-rs.ts) read. No tfjs. The zod schemas beside each
 * objective validate configs (tests/engine/train/catalogs.test.ts holds them to these fields).
 *
 * Papers: PGD-AT, Madry, Makelov, Schmidt, Tsipras and Vladu 2018 (arXiv 1706.06083); TRADES,
 * Zhang, Yu, Jiao, Xing, El Ghaoui and Jordan 2019 (arXiv 1901.08573); FGSM-RS, Wong, Rice and
 * Kolter 2020 (arXiv 2001.03994).
 */
import { trainField, trainKindTable, type TrainField, type TrainKindInfo } from '../fields';

/** Batch-norm modes while crafting x′. */
export const CRAFT_MODES = ['train', 'eval'] as const;

const eps: TrainField = {
  name: 'eps',
  type: 'number',
  min: 0,
  max: 1,
  default: 0.1,
  description: 'L∞ radius ε, pixel units in [0, 1]',
};
const steps: TrainField = {
  name: 'steps',
  type: 'integer',
  min: 1,
  default: 10,
  description: 'iterations of the inner maximization',
};
const craftMode = (def: (typeof CRAFT_MODES)[number]): TrainField => ({
  name: 'craftMode',
  type: 'enum',
  values: CRAFT_MODES,
  default: def,
  description: "batch-norm mode while crafting: 'train' batch statistics or 'eval' running ones",
});

export const OBJECTIVE_CATALOG = [
  {
    kind: 'standard',
    label: 'standard (clean)',
    formula: 'mean_b CE(f(x_b), y_b)',
    options: [],
  },
  {
    kind: 'pgd-at',
    label: 'PGD-AT (Madry et al. 2018)',
    paper: {
      authors: 'Madry, Makelov, Schmidt, Tsipras, Vladu',
      year: 2018,
      title: 'Towards Deep Learning Models Resistant to Adversarial Attacks',
      arxiv: '1706.06083',
    },
    formula: 'mean_b CE(f(x′_b), y_b), x′ = PGD-L∞(x, y) with uniform random start',
    options: [
      eps,
      steps,
      {
        name: 'stepSize',
        type: 'number',
        min: 0,
        derived: { rule: '2.5·ε/steps (Madry et al.)', of: (v) => (2.5 * v.eps) / v.steps },
        description: 'step size α, pixel units',
      },
      { name: 'restarts', type: 'integer', min: 1, default: 1, description: 'random restarts' },
      {
        name: 'randomStart',
        type: 'boolean',
        default: true,
        description: 'start uniformly in the ε-ball',
      },
      craftMode('train'),
    ],
  },
  {
    kind: 'trades',
    label: 'TRADES (Zhang et al. 2019)',
    paper: {
      authors: 'Zhang, Yu, Jiao, Xing, El Ghaoui, Jordan',
      year: 2019,
      title: 'Theoretically Principled Trade-off between Robustness and Accuracy',
      arxiv: '1901.08573',
    },
    formula: 'mean_b [CE(f(x_b), y_b) + β·KL(softmax f(x_b) ‖ softmax f(x′_b))]',
    options: [
      eps,
      steps,
      {
        name: 'stepSize',
        type: 'number',
        min: 0,
        derived: { rule: 'ε/4 (TRADES reference code)', of: (v) => v.eps / 4 },
        description: 'step size α, pixel units',
      },
      {
        name: 'beta',
        type: 'number',
        min: 0,
        default: 6,
        description: 'weight β of the KL (robustness) term',
      },
      craftMode('eval'),
    ],
  },
  {
    kind: 'fgsm-rs',
    label: 'FGSM-RS (Wong et al. 2020)',
    paper: {
      authors: 'Wong, Rice, Kolter',
      year: 2020,
      title: 'Fast is better than free: Revisiting adversarial training',
      arxiv: '2001.03994',
    },
    formula: 'mean_b CE(f(x′_b), y_b), x′ = FGSM from δ ~ U[−ε, ε]',
    options: [
      eps,
      {
        name: 'alpha',
        type: 'number',
        min: 0,
        derived: { rule: '1.25·ε (Wong et al.)', of: (v) => 1.25 * v.eps },
        description: 'FGSM step α from the random start, pixel units',
      },
      craftMode('train'),
    ],
    note: 'guard on (catastrophic-overfitting guard, below)',
  },
] as const satisfies readonly TrainKindInfo[];

export type ObjectiveKind = (typeof OBJECTIVE_CATALOG)[number]['kind'];

/** Every objective kind, in catalog order. */
export const OBJECTIVE_KINDS: readonly ObjectiveKind[] = OBJECTIVE_CATALOG.map((o) => o.kind);

/** The catalog entry of an objective kind. */
export function objectiveInfo(kind: ObjectiveKind): TrainKindInfo {
  return OBJECTIVE_CATALOG.find((o) => o.kind === kind) as TrainKindInfo;
}

/**
 * The derived default of a number field (PGD-AT's stepSize 2.5·ε/steps, TRADES' ε/4, FGSM-RS's
 * alpha 1.25·ε) from the other fields' resolved values; throws when the field has no rule.
 */
export function derivedDefault(
  kind: ObjectiveKind,
  field: string,
  values: Readonly<Record<string, number>>,
): number {
  const f = trainField(objectiveInfo(kind), field);
  if (f?.type !== 'number' || f.derived === undefined)
    throw new Error(`objective '${kind}' has no derived default for '${field}'`);
  return f.derived.of(values);
}

/** The readable label of an objective kind (the kind itself when unknown). */
export function objectiveLabel(kind: string): string {
  return OBJECTIVE_CATALOG.find((o) => o.kind === kind)?.label ?? kind;
}

/** The objectives table of docs/training.md. */
export function objectiveTableMarkdown(): string {
  return trainKindTable(OBJECTIVE_CATALOG, 'loss');
}
