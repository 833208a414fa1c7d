/**
 * The Prune view's choices as plain data: pruning criteria (with readable labels), granularities,
 * ranking scopes, and the sparsities of the accuracy-against-sparsity curves.
 */
import { CRITERIA as ENGINE_CRITERIA } from '../../../engine/prune/criteria';
import type { Criterion, Granularity } from '../../../workers/protocol';

export type Scope = 'global' | 'layer';

/** Every pruning criterion of the engine (src/engine/prune/scores). */
export const CRITERIA: readonly { value: Criterion; label: string }[] = ENGINE_CRITERIA.map(
  (c) => ({ value: c.name, label: c.label }),
);
export const GRANULARITIES: readonly Granularity[] = ['unstructured', 'structured'];
export const SCOPES: readonly Scope[] = ['global', 'layer'];

/** Sparsities (fractions removed) of the accuracy-against-sparsity curves. */
export const CURVE_SPARSITIES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

export interface PruneSettings {
  criterion: Criterion;
  granularity: Granularity;
  scope: Scope;
  /** move along the criterion's shipped fine-tuned path when there is one (default true) */
  path: boolean;
}
