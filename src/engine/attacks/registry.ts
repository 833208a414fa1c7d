/**
 * The one registry of attacks: each catalog entry (catalog.ts: name, label, paper, norm, option
 * fields, per-dataset defaults; tfjs-free) paired with its runner. The CLI config validator and
 * the UI read the catalog; the engine runs attacks from here. Configs stay plain data
 * (`{ name: 'pgd-linf', options: { eps: 0.1, steps: 20, stepSize: 0.025 } }`).
 *
 * `registerAttack(info, runner)` adds an attack at run time: it then appears in the config
 * validation, the UI's attack forms and the docs table like a built-in one.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { apgdCe, apgdDlr } from './apgd';
import {
  attackInfo,
  BUILTIN_ATTACK_NAMES,
  registerAttackInfo,
  unregisterAttackInfo,
  validateAttackOptions,
  type AttackInfo,
  type AttackName,
  type AttackOptions,
} from './catalog';
import { cwLinf } from './cw';
import { AttackOptionError } from './errors';
import { fgsm, fgsmRs } from './fgsm';
import { miFgsm } from './mifgsm';
import { pgdLinf } from './pgd';
import { pgdL2 } from './pgd-l2';
import { squareLinf } from './square';

export {
  resolveAttackOptions,
  type AttackName,
  type AttackOptions,
  type PaperRef,
} from './catalog';
export { BUILTIN_ATTACK_NAMES as ATTACK_NAMES } from './catalog';
export { BUDGETS, budgetFor, type Budget } from './budgets';

/** A catalog entry with its runner. */
export interface AttackEntry extends Omit<AttackInfo, 'defaults'> {
  /** the full, validated options for a dataset (see AttackInfo.defaults) */
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

/** An attack's implementation: x [B, H, W, C] in [0, 1], y [B] → x' the caller owns. */
export type AttackRunner<O = AttackOptions> = (
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: O,
) => Promise<tf.Tensor4D>;

function entry<O>(info: AttackInfo, attack: AttackRunner<O>): AttackEntry {
  const validate = (opts: unknown) => validateAttackOptions(info.name, opts);
  return {
    ...info,
    defaults: (dataset) => validate(info.defaults(dataset)),
    validate,
    run: (f, x, y, opts) => attack(f, x, y, validate(opts) as O),
  };
}

/** The runner of every built-in attack (the compiler holds this to the catalog's names). */
const RUNNERS: { [N in AttackName]: (info: AttackInfo) => AttackEntry } = {
  fgsm: (i) => entry(i, fgsm),
  'fgsm-rs': (i) => entry(i, fgsmRs),
  'pgd-linf': (i) => entry(i, pgdLinf),
  'pgd-l2': (i) => entry(i, pgdL2),
  mifgsm: (i) => entry(i, miFgsm),
  'cw-linf': (i) => entry(i, cwLinf),
  'apgd-ce': (i) => entry(i, apgdCe),
  'apgd-dlr': (i) => entry(i, apgdDlr),
  square: (i) => entry(i, squareLinf),
};

/** The built-in attacks, by name. */
export const ATTACKS: Readonly<Record<AttackName, AttackEntry>> = Object.fromEntries(
  BUILTIN_ATTACK_NAMES.map((n) => [n, RUNNERS[n](attackInfo(n))]),
) as Record<AttackName, AttackEntry>;

/** Attacks registered at run time. */
const registered = new Map<string, AttackEntry>();

/**
 * Add an attack: its catalog entry (validated; the name must be new) and its runner, which gets
 * validated options. From then on configs may name it, the UI's forms offer it when `info.ui` is
 * set, and the docs table lists it. Returns its entry.
 */
export function registerAttack<O>(info: AttackInfo, runner: AttackRunner<O>): AttackEntry {
  registerAttackInfo(info);
  const e = entry(info, runner);
  registered.set(info.name, e);
  return e;
}

/** Remove an attack added by `registerAttack` (built-ins cannot be removed). */
export function unregisterAttack(name: string): boolean {
  registered.delete(name);
  return unregisterAttackInfo(name);
}

/** The entry for `name`; throws AttackOptionError (field 'name') for an unknown attack. */
export function getAttack(name: string): AttackEntry {
  attackInfo(name); // throws for an unknown name
  const e = registered.get(name) ?? (ATTACKS as Partial<Record<string, AttackEntry>>)[name];
  if (e === undefined)
    throw new AttackOptionError(
      name,
      'name',
      'is in the catalog but has no runner (registerAttack)',
    );
  return e;
}
