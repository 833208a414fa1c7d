/**
 * An attack choice made complete for a seeded run: the attack's defaults for the dataset's
 * budget, then the run's seed when the attack draws random numbers (it has a `seed` option), then
 * the choice's own options, which win (a choice may fix its own seed). The one place that adds
 * the seed: the session (scores, slider, views), the experiment's scoring, evaluation and
 * transfer benchmark all resolve their attacks here, so a seeded run repeats exactly.
 */
import { attackTakesSeed } from './catalog';
import { getAttack, resolveAttackOptions } from './registry';

/** A resolved attack: registry name and every option filled (JSON-friendly). */
export interface ResolvedAttack {
  name: string;
  options: Record<string, unknown>;
}

/**
 * Fill an attack's options from the dataset budget, the seed (for attacks with a `seed` option)
 * and the choice's overrides. Throws AttackOptionError for an unknown name or a bad option.
 */
export function resolveAttack(
  choice: { name: string; options?: Record<string, unknown> },
  dataset: string,
  seed = 0,
): ResolvedAttack {
  const entry = getAttack(choice.name);
  const withSeed = attackTakesSeed(entry.name) ? { seed } : {};
  return {
    name: entry.name,
    options: resolveAttackOptions(entry.name, dataset, { ...withSeed, ...(choice.options ?? {}) }),
  };
}
