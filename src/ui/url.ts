/**
 * The dashboard's configuration lives in the URL query, so a view can be shared and reloaded:
 * `?backend=wasm&tab=prune&criterion=anomaly-activation&granularity=unstructured&sparsity=0.9`.
 * Unknown or invalid values are ignored (the default applies); nothing from the URL is ever
 * rendered as HTML.
 */
import { parseNumber, parseParam } from './url-parse';

export type TabName =
  | 'setup'
  | 'train'
  | 'prune'
  | 'neurons'
  | 'distributions'
  | 'examples'
  | 'transfer'
  | 'export'
  | 'reports';

export const TABS: readonly { name: TabName; label: string }[] = [
  { name: 'setup', label: 'Setup' },
  { name: 'train', label: 'Train' },
  { name: 'prune', label: 'Prune' },
  { name: 'neurons', label: 'Neurons' },
  { name: 'distributions', label: 'Distributions' },
  { name: 'examples', label: 'Adversarial examples' },
  { name: 'transfer', label: 'Transfer benchmark' },
  { name: 'export', label: 'Export / import' },
  { name: 'reports', label: 'Reports' },
];

/** Read one query parameter, accepted only if `valid` says so (url-parse.ts `parseParam`). */
export function readParam<T extends string>(name: string, valid: readonly T[]): T | undefined {
  return parseParam(window.location.search, name, valid);
}

/** Read a number in [min, max] from the query (url-parse.ts `parseNumber`). */
export function readNumber(name: string, min: number, max: number): number | undefined {
  return parseNumber(window.location.search, name, min, max);
}

/** Write (or with undefined, delete) query parameters without reloading or adding history. */
export function writeParams(values: Record<string, string | number | undefined>): void {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, String(v));
  }
  window.history.replaceState(null, '', url);
}
