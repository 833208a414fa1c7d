/**
 * The pruning criteria, as plain data: one list that the scorer registry (scores/index.ts), the
 * experiment config, the worker session and the UI all use. No tfjs here, so the UI bundle can
 * import it. Papers and formulas: docs/pruning-scores.md.
 */

export const CRITERIA = [
  { name: 'anomaly-activation', label: 'Anomaly degree (activation)' },
  { name: 'anomaly-gradient', label: 'Anomaly degree (gradient)' },
  { name: 'anp-vs', label: 'ANP-VS vulnerability (absolute)' },
  { name: 'magnitude', label: 'Magnitude |w|' },
  { name: 'random', label: 'Random' },
  { name: 'snip', label: 'SNIP / Taylor |w·∂L/∂w|' },
  { name: 'learned', label: 'Learned scores (HYDRA)' },
  { name: 'anomaly-learned', label: 'Anomaly degree, end to end (learned mask)' },
] as const;

export type Criterion = (typeof CRITERIA)[number]['name'];

export const CRITERION_NAMES: readonly Criterion[] = CRITERIA.map((c) => c.name);

/** Criteria whose scores are learned for one target sparsity (scored again per sparsity). */
export const SPARSITY_TARGETED: readonly Criterion[] = ['learned', 'anomaly-learned'];

/** Criteria built on the anomaly degree (they apply the dead-unit rule by default). */
export const ANOMALY_CRITERIA: readonly Criterion[] = [
  'anomaly-activation',
  'anomaly-gradient',
  'anp-vs',
  'anomaly-learned',
];

/** The dead-unit rule's default for a criterion (prune/scores/dead.ts): 'first' for anomaly. */
export function defaultDeadRule(name: Criterion, naive = false): 'first' | 'off' {
  return ANOMALY_CRITERIA.includes(name) && !naive ? 'first' : 'off';
}

/** The readable label of a criterion (the name itself when unknown, e.g. 'base'). */
export function criterionLabel(name: string): string {
  return CRITERIA.find((c) => c.name === name)?.label ?? name;
}
