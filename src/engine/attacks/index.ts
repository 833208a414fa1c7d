/**
 * Adversarial attacks: one file per attack, a tfjs-free catalog (catalog.ts) and the registry that
 * pairs it with the runners, shared losses and helpers.
 * Every attack: `(f: LogitsFn, x [B, H, W, C] in [0, 1], y [B] int32, opts) => Promise<x'>`,
 * returning a new tensor the caller owns, with ‖x' − x‖ ≤ ε in its norm and x' ∈ [0, 1].
 */
export { fgsm, fgsmRs, type FgsmOptions, type FgsmRsOptions } from './fgsm';
export { pgdLinf, type PgdLinfOptions } from './pgd';
export { pgdL2, type PgdL2Options } from './pgd-l2';
export { miFgsm, type MiFgsmOptions } from './mifgsm';
export { cwLinf, type CwLinfOptions } from './cw';
export { apgdCe, apgdDlr, apgdCheckpoints, type ApgdOptions } from './apgd';
export { squareLinf, squareP, squareSide, type SquareOptions } from './square';
export { crossEntropy, cwMargin, dlr, margin, attackLoss, type LossName } from './losses';
export { inputGradient, lossLogitsGrad, projectLinf, projectL2 } from './common';
export {
  AttackAbortedError,
  AttackBudgetError,
  AttackInputError,
  AttackOptionError,
} from './errors';
export { validateOptions, type AbortFlag, type OptionField, type OptionValue } from './options';
export {
  ATTACKS,
  ATTACK_NAMES,
  BUDGETS,
  budgetFor,
  getAttack,
  registerAttack,
  resolveAttackOptions,
  unregisterAttack,
  type AttackEntry,
  type AttackName,
  type AttackOptions,
  type AttackRunner,
  type Budget,
  type PaperRef,
} from './registry';
export {
  attackCatalog,
  attackInfo,
  attackLabel,
  attackNames,
  attackTakesSeed,
  isAttackName,
  type AttackInfo,
  type AttackUiRule,
} from './catalog';
export { attackTableMarkdown } from './docs-table';
