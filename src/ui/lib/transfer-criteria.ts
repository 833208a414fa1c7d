/** The pruning criteria the Transfer benchmark offers: the catalog's, less the learned ones. */
import { CRITERIA, SPARSITY_TARGETED, type Criterion } from '../../workers/protocol';

/** every criterion but the learned ones (their scores are trained per sparsity: too slow for a grid) */
export const TRANSFER_CRITERIA: readonly { name: Criterion; label: string }[] = CRITERIA.filter(
  (c) => !SPARSITY_TARGETED.includes(c.name),
);
