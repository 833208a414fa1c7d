/**
 * The one registry of attacks: name → metadata (paper, norm, white/black-box), a JSON-friendly
 * description of its options, per-dataset defaults, validation, and `run`. The CLI config
 * validator, the worker and the UI iterate over `ATTACKS`; configs stay plain data
 * (`{ name: 'pgd-linf', options: { eps: 0.1, steps: 20, stepSize: 0.025 } }`).
 *
 * Defaults come from the dataset's threat budget (budgets.ts: ε 0.3 / 0.1 / 8/255 and PGD
 * 40×0.01 / 20×0.025 / 20×2/255 for MNIST / Fashion-MNIST / CIFAR-10). Per attack: PGD-L2 uses
 * the same step count with step 2.5·ε/steps; C&W-L∞ PGD's steps with κ = 50; MI-FGSM 10 steps
 * of ε/10 with μ = 1; APGD 100 iterations; Square 5000 queries, p_init 0.05; FGSM-RS step
 * 1.25·ε. Restarts 1, random start on, seeds 0.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { apgdCe, apgdDlr, APGD_FIELDS } from './apgd';
import { cwLinf, CW_LINF_FIELDS } from './cw';
import { budgetFor } from './budgets';
import { AttackOptionError } from './errors';
import { fgsm, FGSM_FIELDS, fgsmRs, FGSM_RS_FIELDS } from './fgsm';
import { miFgsm, MIFGSM_FIELDS } from './mifgsm';
import { validateOptions, type OptionField, type OptionValue } from './options';
import { pgdLinf, PGD_LINF_FIELDS } from './pgd';
import { pgdL2, PGD_L2_FIELDS } from './pgd-l2';
import { squareLinf, SQUARE_FIELDS } from './square';

export type AttackName =
  | 'fgsm'
  | 'fgsm-rs'
  | 'pgd-linf'
  | 'pgd-l2'
  | 'mifgsm'
  | 'cw-linf'
  | 'apgd-ce'
  | 'apgd-dlr'
  | 'square';

/** Plain, JSON-serializable attack options (the `signal` travels beside them). */
export type AttackOptions = Record<string, OptionValue>;

export interface PaperRef {
  authors: string;
  year: number;
  title: string;
  arxiv: string;
}

export interface AttackEntry {
  name: AttackName;
  /** human-readable name for the UI */
  label: string;
  paper: PaperRef;
  norm: 'linf' | 'l2';
  kind: 'white-box' | 'black-box';
  /** JSON description of every option: name, type, range, default, meaning */
  options: readonly OptionField[];
  /**
   * The full options (every field set) for a dataset: 'mnist', 'fashion-mnist', 'cifar10';
   * other names get CIFAR-10's budget.
   */
  defaults(dataset: string): AttackOptions;
  /** check options (omitted optional fields get their defaults); throws AttackOptionError */
  validate(opts: unknown): AttackOptions;
  /**
   * Validate `opts` (AttackOptions, plus an optional `signal: { aborted }`), then run; returns
   * x' `[B, H, W, C]` owned by the caller.
   */
  run(
    f: LogitsFn,
    x: tf.Tensor4D,
    y: tf.Tensor1D,
    opts: Record<string, unknown>,
  ): Promise<tf.Tensor4D>;
}

export { BUDGETS, budgetFor, type Budget } from './budgets';

type Runner<O> = (f: LogitsFn, x: tf.Tensor4D, y: tf.Tensor1D, opts: O) => Promise<tf.Tensor4D>;

function entry<O>(e: Omit<AttackEntry, 'validate' | 'run'> & { attack: Runner<O> }): AttackEntry {
  const { attack, ...meta } = e;
  const validate = (opts: unknown) => validateOptions<AttackOptions>(e.name, e.options, opts);
  return {
    ...meta,
    defaults: (dataset) => validate(e.defaults(dataset)),
    validate,
    run: (f, x, y, opts) => attack(f, x, y, validate(opts) as O),
  };
}

const MADRY: PaperRef = {
  authors: 'Madry, Makelov, Schmidt, Tsipras, Vladu',
  year: 2018,
  title: 'Towards Deep Learning Models Resistant to Adversarial Attacks',
  arxiv: '1706.06083',
};
const CROCE_HEIN: PaperRef = {
  authors: 'Croce, Hein',
  year: 2020,
  title:
    'Reliable evaluation of adversarial robustness with an ensemble of diverse parameter-free attacks',
  arxiv: '2003.01690',
};

export const ATTACKS: Readonly<Record<AttackName, AttackEntry>> = {
  fgsm: entry({
    name: 'fgsm',
    label: 'FGSM',
    paper: {
      authors: 'Goodfellow, Shlens, Szegedy',
      year: 2015,
      title: 'Explaining and Harnessing Adversarial Examples',
      arxiv: '1412.6572',
    },
    norm: 'linf',
    kind: 'white-box',
    options: FGSM_FIELDS,
    defaults: (ds) => ({ eps: budgetFor(ds).epsLinf }),
    attack: fgsm,
  }),
  'fgsm-rs': entry({
    name: 'fgsm-rs',
    label: 'FGSM with random start',
    paper: {
      authors: 'Wong, Rice, Kolter',
      year: 2020,
      title: 'Fast is better than free: Revisiting adversarial training',
      arxiv: '2001.03994',
    },
    norm: 'linf',
    kind: 'white-box',
    options: FGSM_RS_FIELDS,
    defaults: (ds) => ({
      eps: budgetFor(ds).epsLinf,
      stepSize: 1.25 * budgetFor(ds).epsLinf,
      seed: 0,
    }),
    attack: fgsmRs,
  }),
  'pgd-linf': entry({
    name: 'pgd-linf',
    label: 'PGD (L∞)',
    paper: MADRY,
    norm: 'linf',
    kind: 'white-box',
    options: PGD_LINF_FIELDS,
    defaults: (ds) => {
      const b = budgetFor(ds);
      return { eps: b.epsLinf, steps: b.steps, stepSize: b.stepSize, restarts: 1 };
    },
    attack: pgdLinf,
  }),
  'pgd-l2': entry({
    name: 'pgd-l2',
    label: 'PGD (L2)',
    paper: MADRY,
    norm: 'l2',
    kind: 'white-box',
    options: PGD_L2_FIELDS,
    defaults: (ds) => {
      const b = budgetFor(ds);
      return { eps: b.epsL2, steps: b.steps, stepSize: (2.5 * b.epsL2) / b.steps, restarts: 1 };
    },
    attack: pgdL2,
  }),
  mifgsm: entry({
    name: 'mifgsm',
    label: 'MI-FGSM',
    paper: {
      authors: 'Dong, Liao, Pang, Su, Zhu, Hu, Li',
      year: 2018,
      title: 'Boosting Adversarial Attacks with Momentum',
      arxiv: '1710.06081',
    },
    norm: 'linf',
    kind: 'white-box',
    options: MIFGSM_FIELDS,
    defaults: (ds) => ({
      eps: budgetFor(ds).epsLinf,
      steps: 10,
      stepSize: budgetFor(ds).epsLinf / 10,
    }),
    attack: miFgsm,
  }),
  'cw-linf': entry({
    name: 'cw-linf',
    label: 'C&W margin (L∞ PGD)',
    paper: {
      authors: 'Carlini, Wagner',
      year: 2017,
      title: 'Towards Evaluating the Robustness of Neural Networks',
      arxiv: '1608.04644',
    },
    norm: 'linf',
    kind: 'white-box',
    options: CW_LINF_FIELDS,
    defaults: (ds) => {
      const b = budgetFor(ds);
      return { eps: b.epsLinf, steps: b.steps, stepSize: b.stepSize, kappa: 50 };
    },
    attack: cwLinf,
  }),
  'apgd-ce': entry({
    name: 'apgd-ce',
    label: 'APGD-CE',
    paper: CROCE_HEIN,
    norm: 'linf',
    kind: 'white-box',
    options: APGD_FIELDS,
    defaults: (ds) => ({ eps: budgetFor(ds).epsLinf, steps: 100 }),
    attack: apgdCe,
  }),
  'apgd-dlr': entry({
    name: 'apgd-dlr',
    label: 'APGD-DLR',
    paper: CROCE_HEIN,
    norm: 'linf',
    kind: 'white-box',
    options: APGD_FIELDS,
    defaults: (ds) => ({ eps: budgetFor(ds).epsLinf, steps: 100 }),
    attack: apgdDlr,
  }),
  square: entry({
    name: 'square',
    label: 'Square Attack (L∞)',
    paper: {
      authors: 'Andriushchenko, Croce, Flammarion, Hein',
      year: 2020,
      title: 'Square Attack: a query-efficient black-box adversarial attack via random search',
      arxiv: '1912.00049',
    },
    norm: 'linf',
    kind: 'black-box',
    options: SQUARE_FIELDS,
    defaults: (ds) => ({ eps: budgetFor(ds).epsLinf, nQueries: 5000, pInit: 0.05 }),
    attack: squareLinf,
  }),
};

/** All attack names, in registry order. */
export const ATTACK_NAMES = Object.keys(ATTACKS) as AttackName[];

/** The entry for `name`; throws AttackOptionError (field 'name') for an unknown attack. */
export function getAttack(name: string): AttackEntry {
  if (!Object.hasOwn(ATTACKS, name)) {
    throw new AttackOptionError(
      name,
      'name',
      `is not a known attack (known: ${ATTACK_NAMES.join(', ')})`,
    );
  }
  return ATTACKS[name as AttackName];
}

/**
 * Defaults of `name` for `dataset`, overridden by `overrides`, validated: the usual way to turn a
 * config's partial options into a full, checked set.
 */
export function resolveAttackOptions(
  name: string,
  dataset: string,
  overrides: Record<string, unknown> = {},
): AttackOptions {
  const e = getAttack(name);
  return e.validate({ ...e.defaults(dataset), ...overrides });
}
