/**
 * Guards for JSON read from untrusted model files (a safetensors header, a tfjs model.json, a
 * model spec). `JSON.parse` accepts any nesting depth, but `JSON.stringify` (used in error
 * messages) and recursive validators overflow the stack on a few thousand levels, which would
 * surface as a RangeError instead of a ModelFormatError. Files of ours nest at most 6 levels.
 */

/** Deepest JSON nesting accepted in a model file (ours nest at most 6 levels). */
export const MAX_JSON_DEPTH = 64;

/**
 * The nesting depth of a JSON-like value, without recursion: 0 for a primitive, 1 for `[]` or
 * `{}`, ... Stops counting (and returns `limit + 1`) as soon as the depth exceeds `limit`.
 */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    const depth = d + 1;
    if (depth > limit) return limit + 1;
    if (depth > max) max = depth;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, depth]);
  }
  return max;
}

/**
 * A short, safe rendering of an untrusted value for an error message: JSON when shallow,
 * cut to `max` characters (default 80); never throws.
 */
export function describeValue(value: unknown, max = 80): string {
  if (jsonDepth(value, 8) > 8) return '(a value nested too deeply)';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
