/**
 * Pure parsers of the dashboard's URL query, separate from url.ts (which reads `window`) so they
 * run and are fuzzed in Node (tests/fuzz/url.test.ts). A query is untrusted input: anything that
 * is not exactly a listed value, or a plain decimal number in range, reads as absent.
 */

/** Plain decimal notation as String(number) writes it: 12, -0.5, .5, 1e-7, 1.5e+21. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function get(search: string, name: string): string | null {
  try {
    return new URLSearchParams(search).get(name);
  } catch {
    return null;
  }
}

/**
 * The query parameter `name` of `search` (`?a=1&b=2`, with or without '?') when it equals one of
 * `valid`, else undefined.
 */
export function parseParam<T extends string>(
  search: string,
  name: string,
  valid: readonly T[],
): T | undefined {
  const v = get(search, name);
  return v === null ? undefined : valid.find((x) => x === v);
}

/**
 * The query parameter `name` of `search` as a finite number in [min, max] written in decimal
 * notation (surrounding spaces allowed; hex, 'Infinity', '' and the like are refused), else
 * undefined. −0 reads as 0.
 */
export function parseNumber(
  search: string,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = get(search, name)?.trim();
  if (raw === undefined || raw.length > 64 || !DECIMAL.test(raw)) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && v >= min && v <= max ? v + 0 : undefined;
}
