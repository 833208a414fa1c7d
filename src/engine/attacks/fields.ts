/**
 * Every attack's options as JSON-friendly field lists (name, type, range, default, meaning), kept
 * apart from the attack files so the catalog (catalog.ts), the config validator and the UI read
 * them without importing tfjs. Each attack validates its options against its list on entry; the
 * per-dataset defaults that fill the fields without a `default` are in catalog.ts.
 */
import { FIELD, type OptionField } from './options';

// fgsm.ts
export const FGSM_FIELDS: readonly OptionField[] = [FIELD.epsLinf];

export const FGSM_RS_FIELDS: readonly OptionField[] = [
  FIELD.epsLinf,
  { ...FIELD.stepSize, description: 'step size α from the random start; Wong et al.: 1.25 ε' },
  FIELD.seed,
];

// pgd.ts
export const PGD_LINF_FIELDS: readonly OptionField[] = [
  FIELD.epsLinf,
  FIELD.steps,
  FIELD.stepSize,
  FIELD.restarts,
  FIELD.randomStart,
  {
    name: 'loss',
    type: 'enum',
    values: ['ce', 'cw'],
    default: 'ce',
    description: "objective maximized: 'ce' cross-entropy, 'cw' C&W margin capped at κ",
  },
  FIELD.kappa,
  FIELD.seed,
];

// pgd-l2.ts
export const PGD_L2_FIELDS: readonly OptionField[] = [
  FIELD.epsL2,
  FIELD.steps,
  { ...FIELD.stepSize, description: 'L2 length α of each normalized-gradient step' },
  FIELD.restarts,
  FIELD.randomStart,
  FIELD.seed,
];

// mifgsm.ts
export const MIFGSM_FIELDS: readonly OptionField[] = [
  FIELD.epsLinf,
  FIELD.steps,
  { ...FIELD.stepSize, description: 'step size α, pixel units; Dong et al. use ε / steps' },
  {
    name: 'decay',
    type: 'number',
    min: 0,
    default: 1,
    description: 'momentum decay μ of the accumulated L1-normalized gradient',
  },
];

// cw.ts
export const CW_LINF_FIELDS: readonly OptionField[] = [
  FIELD.epsLinf,
  FIELD.steps,
  FIELD.stepSize,
  FIELD.kappa,
  FIELD.restarts,
  FIELD.randomStart,
  FIELD.seed,
];

// apgd.ts
export const APGD_FIELDS: readonly OptionField[] = [
  FIELD.epsLinf,
  { ...FIELD.steps, default: 100, description: 'iterations N (Croce & Hein: 100)' },
  FIELD.seed,
];

// square.ts
export const SQUARE_FIELDS: readonly OptionField[] = [
  FIELD.epsLinf,
  {
    name: 'nQueries',
    type: 'integer',
    min: 1,
    max: 1000000,
    default: 5000,
    description: 'model queries per sample, including the initial one',
  },
  {
    name: 'pInit',
    type: 'number',
    min: 0,
    exclusiveMin: true,
    max: 1,
    default: 0.05,
    description: 'initial fraction of the image changed per query (square area / image area)',
  },
  FIELD.seed,
];
