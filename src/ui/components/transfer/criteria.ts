/** The pruning criteria the Transfer benchmark offers (plain UI data; names as the engine's). */
import type { Criterion } from '../../../workers/protocol';

export const UI_CRITERIA: readonly { name: Criterion; label: string }[] = [
  { name: 'anomaly-activation', label: 'Anomaly (activation)' },
  { name: 'anomaly-gradient', label: 'Anomaly (gradient)' },
  { name: 'anp-vs', label: 'ANP-VS vulnerability' },
  { name: 'magnitude', label: 'Magnitude' },
  { name: 'random', label: 'Random' },
  { name: 'snip', label: 'SNIP / Taylor' },
];

/** Human label of a criterion name (the name itself when unknown, e.g. 'base'). */
export function criterionLabel(name: string): string {
  return UI_CRITERIA.find((c) => c.name === name)?.label ?? name;
}
