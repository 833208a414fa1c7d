/**
 * Attack references in configs (`{ name, options }`), checked against the live catalog
 * (catalog.ts), so an attack added with `registerAttack` is accepted like a built-in one. zod,
 * no tfjs. Used by the experiment config (experiment/config.ts, prune-config.ts) and the training
 * protocol (train/protocol.ts).
 */
import { z } from 'zod';
import { attackInfo, attackNames, isAttackName, validateAttackOptions } from './catalog';

/** An attack name of the catalog; an unknown one reads as zod's enum message, listing the names. */
export const attackNameSchema = z.string().superRefine((name, ctx) => {
  if (isAttackName(name)) return;
  const values = attackNames();
  ctx.addIssue({
    code: 'invalid_value',
    values,
    input: name,
    continue: false, // like the enum: later checks of the enclosing objects do not run
    message: `Invalid option: expected one of ${values.map((v) => JSON.stringify(v)).join('|')}`,
  });
});

/** `{ name, options }`: options override the attack's per-dataset defaults (docs/attacks.md). */
export const attackRefSchema = z.strictObject({
  name: attackNameSchema,
  /** overrides of the attack's per-dataset defaults (see docs/attacks.md) */
  options: z.record(z.string(), z.unknown()).default({}),
});

/**
 * The message of the first bad option of `ref` over `dataset`'s defaults, or null when they
 * validate (also null for an unknown name: attackNameSchema reports that one).
 */
export function attackOptionsProblem(
  ref: { name: string; options: Record<string, unknown> },
  dataset: string,
): string | null {
  if (!isAttackName(ref.name)) return null;
  try {
    validateAttackOptions(ref.name, { ...attackInfo(ref.name).defaults(dataset), ...ref.options });
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
