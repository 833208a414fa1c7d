/**
 * The attacks as plain data: one catalog of name, label, paper, norm, white/black-box kind, option
 * fields (fields.ts), per-dataset defaults and the UI's request rule. The attack registry
 * (registry.ts) pairs each entry with its runner; the experiment config validator, the UI's attack
 * forms (through src/workers/protocol.ts) and the docs table (docs/attacks.md, docs-table.ts) read
 * this list and nothing else. No tfjs here, not even transitively.
 *
 * Papers: FGSM, Goodfellow, Shlens and Szegedy 2015 (arXiv 1412.6572); FGSM-RS, Wong, Rice and
 * Kolter 2020 (arXiv 2001.03994); PGD, Madry et al. 2018 (arXiv 1706.06083); MI-FGSM, Dong et al.
 * 2018 (arXiv 1710.06081); C&W, Carlini and Wagner 2017 (arXiv 1608.04644); APGD, Croce and Hein
 * 2020 (arXiv 2003.01690); Square, Andriushchenko et al. 2020 (arXiv 1912.00049).
 *
 * Defaults come from the dataset's threat budget (budgets.ts: ε 0.3 / 0.1 / 8/255 and PGD
 * 40×0.01 / 20×0.025 / 20×2/255 for MNIST / Fashion-MNIST / CIFAR-10). Per attack: PGD-L2 uses
 * the same step count with step 2.5·ε/steps; C&W-L∞ PGD's steps with κ = 50; MI-FGSM 10 steps
 * of ε/10 with μ = 1; APGD 100 iterations; Square 5000 queries, p_init 0.05; FGSM-RS step
 * 1.25·ε. Restarts 1, random start on, seeds 0.
 *
 * Adding an attack: its file (the runner), its entry here (or `registerAttack` in registry.ts at
 * run time); the CLI, the UI and the docs table follow.
 */
import { budgetFor } from './budgets';
import { AttackOptionError } from './errors';
import {
  APGD_FIELDS,
  CW_LINF_FIELDS,
  FGSM_FIELDS,
  FGSM_RS_FIELDS,
  MIFGSM_FIELDS,
  PGD_L2_FIELDS,
  PGD_LINF_FIELDS,
  SQUARE_FIELDS,
} from './fields';
import { validateOptions, type OptionField, type OptionValue } from './options';
import type { PaperRef } from '../papers';

/** Plain, JSON-serializable attack options (the `signal` travels beside them). */
export type AttackOptions = Record<string, OptionValue>;

export type { PaperRef };

/** How the dashboard's attack forms (Adversarial examples, Transfer benchmark) use an attack. */
export interface AttackUiRule {
  /** one line under the form: paper and the budget the request below sets */
  hint: string;
  /** the options sent for an L∞ radius `eps` (pixel units in (0, 1]); the rest keep defaults */
  request(eps: number): AttackOptions;
}

/** One attack, as data (no runner: registry.ts pairs it with one). */
export interface AttackInfo {
  /** registry and config name, e.g. 'pgd-linf' */
  name: string;
  /** human-readable name, the one label every view shows */
  label: string;
  paper: PaperRef;
  norm: 'linf' | 'l2';
  kind: 'white-box' | 'black-box';
  /** the implementation, relative to src/engine/attacks/ (docs table) */
  file: string;
  /** the update rule in one line (docs table) */
  update: string;
  /** JSON description of every option: name, type, range, default, meaning */
  options: readonly OptionField[];
  /**
   * The options for a dataset ('mnist', 'fashion-mnist', 'cifar10'; other names get CIFAR-10's
   * budget), at least every field without a `default`; validate() fills the rest.
   */
  defaults(dataset: string): AttackOptions;
  /** offered by the dashboard's attack forms with this rule; absent: CLI and configs only */
  ui?: AttackUiRule;
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

/** PGD's request in the dashboard: 20 steps of ε/4 (the Fashion-MNIST budget's rule). */
const pgdRequest = (eps: number): AttackOptions => ({ eps, steps: 20, stepSize: eps / 4 });

const BUILTIN_ATTACKS = [
  {
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
    file: 'fgsm.ts',
    update: 'x′ = clip(x + ε·sign ∇CE(x))',
    options: FGSM_FIELDS,
    defaults: (ds) => ({ eps: budgetFor(ds).epsLinf }),
    ui: {
      hint: 'Goodfellow et al. 2015, one signed-gradient step',
      request: (eps) => ({ eps }),
    },
  },
  {
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
    file: 'fgsm.ts',
    update: 'δ₀ ~ U[−ε, ε]; x′ = P(x + δ₀ + α·sign ∇CE(x + δ₀))',
    options: FGSM_RS_FIELDS,
    defaults: (ds) => ({
      eps: budgetFor(ds).epsLinf,
      stepSize: 1.25 * budgetFor(ds).epsLinf,
      seed: 0,
    }),
  },
  {
    name: 'pgd-linf',
    label: 'PGD (L∞)',
    paper: MADRY,
    norm: 'linf',
    kind: 'white-box',
    file: 'pgd.ts',
    update: 'x ← P(x + α·sign ∇L(x)), L = CE or C&W margin; random start, restarts',
    options: PGD_LINF_FIELDS,
    defaults: (ds) => {
      const b = budgetFor(ds);
      return { eps: b.epsLinf, steps: b.steps, stepSize: b.stepSize, restarts: 1 };
    },
    ui: { hint: 'Madry et al. 2018, 20 steps of ε/4, random start', request: pgdRequest },
  },
  {
    name: 'pgd-l2',
    label: 'PGD (L2)',
    paper: MADRY,
    norm: 'l2',
    kind: 'white-box',
    file: 'pgd-l2.ts',
    update: 'x ← P₂(x + α·∇CE/‖∇CE‖₂), P₂(δ) = δ·min(1, ε/‖δ‖₂)',
    options: PGD_L2_FIELDS,
    defaults: (ds) => {
      const b = budgetFor(ds);
      return { eps: b.epsL2, steps: b.steps, stepSize: (2.5 * b.epsL2) / b.steps, restarts: 1 };
    },
  },
  {
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
    file: 'mifgsm.ts',
    update: 'g ← μg + ∇CE/‖∇CE‖₁; x ← P(x + α·sign g)',
    options: MIFGSM_FIELDS,
    defaults: (ds) => ({
      eps: budgetFor(ds).epsLinf,
      steps: 10,
      stepSize: budgetFor(ds).epsLinf / 10,
    }),
    ui: {
      hint: 'Dong et al. 2018, momentum, 10 steps of ε/10',
      request: (eps) => ({ eps, steps: 10, stepSize: eps / 10 }),
    },
  },
  {
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
    file: 'cw.ts',
    update: 'PGD-L∞ on L = min(max_{j≠y} z_j − z_y, κ)',
    options: CW_LINF_FIELDS,
    defaults: (ds) => {
      const b = budgetFor(ds);
      return { eps: b.epsLinf, steps: b.steps, stepSize: b.stepSize, kappa: 50 };
    },
    ui: { hint: 'Carlini & Wagner margin loss, PGD 20 × ε/4', request: pgdRequest },
  },
  {
    name: 'apgd-ce',
    label: 'APGD-CE',
    paper: CROCE_HEIN,
    norm: 'linf',
    kind: 'white-box',
    file: 'apgd.ts',
    update: 'Auto-PGD on CE (below)',
    options: APGD_FIELDS,
    defaults: (ds) => ({ eps: budgetFor(ds).epsLinf, steps: 100 }),
    ui: { hint: 'Croce & Hein 2020, step-size-free PGD', request: (eps) => ({ eps }) },
  },
  {
    name: 'apgd-dlr',
    label: 'APGD-DLR',
    paper: CROCE_HEIN,
    norm: 'linf',
    kind: 'white-box',
    file: 'apgd.ts',
    update: 'Auto-PGD on DLR = −(z_y − max_{i≠y} z_i)/(z_π1 − z_π3 + 1e-12)',
    options: APGD_FIELDS,
    defaults: (ds) => ({ eps: budgetFor(ds).epsLinf, steps: 100 }),
  },
  {
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
    file: 'square.ts',
    update: 'random search over square windows set to clip(x ± ε)',
    options: SQUARE_FIELDS,
    defaults: (ds) => ({ eps: budgetFor(ds).epsLinf, nQueries: 5000, pInit: 0.05 }),
    ui: {
      hint: 'Andriushchenko et al. 2020, black-box, queries only',
      request: (eps) => ({ eps }),
    },
  },
] as const satisfies readonly AttackInfo[];

/** The built-in attacks' names (a registered attack's name is any other string). */
export type AttackName = (typeof BUILTIN_ATTACKS)[number]['name'];

/** The built-in attacks, in catalog order. */
export const BUILTIN_ATTACK_NAMES: readonly AttackName[] = BUILTIN_ATTACKS.map((a) => a.name);

/** The live catalog: the built-ins, then attacks registered at run time, in order. */
const catalog = new Map<string, AttackInfo>(BUILTIN_ATTACKS.map((a) => [a.name, a]));

/** Every attack (built-in, then registered), in catalog order. */
export function attackCatalog(): readonly AttackInfo[] {
  return [...catalog.values()];
}

/** Every attack's name, in catalog order. */
export function attackNames(): string[] {
  return [...catalog.keys()];
}

/** Whether `name` is an attack of the catalog. */
export function isAttackName(name: unknown): name is string {
  return typeof name === 'string' && catalog.has(name);
}

/** The entry for `name`; throws AttackOptionError (field 'name') for an unknown attack. */
export function attackInfo(name: string): AttackInfo {
  const e = catalog.get(name);
  if (e === undefined) {
    throw new AttackOptionError(
      name,
      'name',
      `is not a known attack (known: ${attackNames().join(', ')})`,
    );
  }
  return e;
}

/** The readable label of an attack (the name itself when unknown, e.g. in an old report). */
export function attackLabel(name: string): string {
  return catalog.get(name)?.label ?? name;
}

/**
 * Add an attack to the catalog (registry.ts's `registerAttack` pairs it with its runner). Throws
 * when the name is taken or the entry is malformed (its defaults must validate).
 */
export function registerAttackInfo(info: AttackInfo): void {
  if (catalog.has(info.name)) throw new Error(`attack '${info.name}' is already registered`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(info.name))
    throw new Error(`attack name '${info.name}' must be lowercase letters, digits and '-'`);
  validateOptions(info.name, info.options, info.defaults('cifar10'));
  catalog.set(info.name, info);
}

/** Remove an attack registered at run time; the built-ins stay. Returns whether it was there. */
export function unregisterAttackInfo(name: string): boolean {
  if ((BUILTIN_ATTACK_NAMES as readonly string[]).includes(name))
    throw new Error(`attack '${name}' is built in`);
  return catalog.delete(name);
}

/** Check `opts` against the attack's fields; omitted optional fields get their defaults. */
export function validateAttackOptions(name: string, opts: unknown): AttackOptions {
  return validateOptions<AttackOptions>(name, attackInfo(name).options, opts);
}

/** The full, validated options of `name` for `dataset`. */
export function attackDefaults(name: string, dataset: string): AttackOptions {
  return validateAttackOptions(name, attackInfo(name).defaults(dataset));
}

/**
 * Defaults of `name` for `dataset`, overridden by `overrides`, validated: the usual way to turn a
 * config's partial options into a full, checked set. Throws AttackOptionError naming the field.
 */
export function resolveAttackOptions(
  name: string,
  dataset: string,
  overrides: Record<string, unknown> = {},
): AttackOptions {
  return validateAttackOptions(name, { ...attackInfo(name).defaults(dataset), ...overrides });
}

/** Whether the attack draws random numbers (it has a `seed` option a run should set). */
export function attackTakesSeed(name: string): boolean {
  return attackInfo(name).options.some((f) => f.name === 'seed');
}
