/**
 * The Prune view's choices as plain data (the criteria come from the catalog, protocol.ts): granularities,
 * ranking scopes, and the sparsities of the accuracy-against-sparsity curves.
 */
import type { Criterion, Granularity } from '../../workers/protocol';

export type Scope = 'global' | 'layer';

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
