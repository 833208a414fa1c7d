/**
 * The attacks the Adversarial examples and Transfer benchmark forms offer, read from the engine's
 * attack catalog (src/engine/attacks/catalog.ts, through src/workers/protocol.ts): every entry
 * with a UI rule, in catalog order, with the catalog's label, its hint, and the options its rule
 * sends for an L∞ radius ε (e.g. PGD and C&W-L∞ 20 steps of ε/4, MI-FGSM 10 steps of ε/10).
 * There is no list here: an attack added to the catalog appears in the forms.
 */
import {
  attackCatalog,
  attackInfo,
  isAttackName,
  type AttackOptions,
} from '../../workers/protocol';

export { attackLabel } from '../../workers/protocol';

/** An attack name the forms offer (a catalog name). */
export type UiAttackName = string;

/** One choice of the attack forms. */
export interface UiAttack {
  name: UiAttackName;
  /** the catalog's label, e.g. 'PGD (L∞)' */
  label: string;
  /** paper and budget, shown beside the choice */
  hint: string;
}

/** The attacks the forms offer, in catalog order (read at each call: the catalog may grow). */
export function uiAttacks(): UiAttack[] {
  return attackCatalog().flatMap((a) =>
    a.ui ? [{ name: a.name, label: a.label, hint: a.ui.hint }] : [],
  );
}

/**
 * A plain attack request `{ name, options }` for L∞ radius `eps` (pixel units, (0, 1]), by the
 * attack's UI rule (only ε for an attack without one). Throws for a name not in the catalog.
 */
export function attackRequest(
  name: UiAttackName,
  eps: number,
): { name: UiAttackName; options: AttackOptions } {
  const rule = attackInfo(name).ui;
  return { name, options: rule ? rule.request(eps) : { eps } };
}

/** Whether `name` is an attack the forms offer. */
export function isUiAttack(name: unknown): name is UiAttackName {
  return isAttackName(name) && attackInfo(name).ui !== undefined;
}

/** Whether `eps` is a usable L∞ radius: a finite number in (0, 1]. */
export function validEps(eps: number): boolean {
  return Number.isFinite(eps) && eps > 0 && eps <= 1;
}
