/** The pruning criteria the Transfer benchmark offers (plain UI data; names as the engine's). */
import { CRITERIA, SPARSITY_TARGETED } from '../../../engine/prune/criteria';
import type { Criterion } from '../../../workers/protocol';

/** every criterion but the learned ones (their scores are trained per sparsity: too slow for a grid) */
export const UI_CRITERIA: readonly { name: Criterion; label: string }[] = CRITERIA.filter(
  (c) => !SPARSITY_TARGETED.includes(c.name),
);

/** Human label of a criterion name (the name itself when unknown, e.g. 'base'). */
export function criterionLabel(name: string): string {
  return UI_CRITERIA.find((c) => c.name === name)?.label ?? name;
}
