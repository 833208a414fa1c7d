/**
 * Runtime validation of a ModelSpec's fields: a spec may come from a file, a URL or a config, so
 * TypeScript's types are not enough. Shapes are checked later, by planModel (plan.ts). Bad values
 * are quoted in the error by `quoteValue` (bounded length and depth, never throws), so a hostile
 * spec (cyclic, deeply nested, huge, BigInt, throwing getters) still gets a SpecError.
 */
import { SpecError } from './errors';
import type { ModelSpec } from './spec';

/** Largest accepted size of one dimension (filters, units, kernel, input side). */
export const MAX_DIM = 100_000;
/** Most layers a spec may have. */
export const MAX_LAYERS = 10_000;
/** Longest quoted value in an error message, characters. */
const QUOTE_MAX = 60;
/** Layer names: letters, digits, '_', '-', '.'; '/' is reserved for nesting (block1/conv1). */
const NAME_RE = /^[A-Za-z0-9_.-]+$/;
/** Reserved: 'mask' would collide with the `mask/<kernel>` tensors of a saved file. */
const RESERVED = new Set(['mask']);

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function render(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string': // the quoted text fits QUOTE_MAX unless escapes lengthen it
      return v.length > QUOTE_MAX - 2
        ? `${JSON.stringify(v.slice(0, QUOTE_MAX - 3))}…`
        : JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v); // NaN and ±Infinity as such (JSON says null)
    case 'bigint':
      return `${v}n`;
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    if (depth >= 2) return `[${v.length} items]`;
    const head = v.slice(0, 4).map((x) => render(x, depth + 1));
    return `[${head.join(', ')}${v.length > 4 ? `, … ${v.length} items` : ''}]`;
  }
  if (depth >= 2) return '{…}';
  const keys = Object.keys(v as object);
  const head = keys.slice(0, 4).map((k) => `${render(k, 2)}: ${render((v as Rec)[k], depth + 1)}`);
  return `{${head.join(', ')}${keys.length > 4 ? ', …' : ''}}`;
}

/**
 * A short rendering of any value for an error message: at most ~60 characters, nesting shown to
 * depth 2, NaN/±Infinity/BigInt shown as such; never throws (cyclic values, throwing getters and
 * revoked proxies included).
 */
export function quoteValue(v: unknown): string {
  let s: string;
  try {
    s = render(v, 0);
  } catch {
    return 'an unreadable value';
  }
  return s.length > QUOTE_MAX ? `${s.slice(0, QUOTE_MAX)}…` : s;
}

function posInt(v: unknown, what: string, layer?: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_DIM)
    throw new SpecError(
      `${what} must be an integer in [1, ${MAX_DIM}], got ${quoteValue(v)}`,
      layer,
    );
  return v;
}

function optPosInt(o: Rec, key: string, layer: string): void {
  if (o[key] !== undefined) posInt(o[key], key, layer);
}

function optEnum(o: Rec, key: string, allowed: readonly unknown[], layer: string): void {
  const v = o[key];
  if (v !== undefined && !allowed.includes(v))
    throw new SpecError(
      `${key} must be one of ${JSON.stringify(allowed)}, got ${quoteValue(v)}`,
      layer,
    );
}

/**
 * Check that `spec` is a well-formed ModelSpec (types, ranges, unique and legal names). Throws
 * SpecError naming the layer and field. Does not check shapes (see planModel).
 */
export function checkSpec(spec: unknown): asserts spec is ModelSpec {
  try {
    checkFields(spec);
  } catch (e) {
    if (e instanceof SpecError) throw e;
    // a getter or proxy that throws: only a JS caller can build one (JSON cannot)
    let what: unknown = e;
    try {
      if (e instanceof Error) what = e.message;
    } catch {
      // keep `e`
    }
    throw new SpecError(`spec could not be read: ${quoteValue(what)}`);
  }
}

function checkFields(spec: unknown): void {
  if (!isRec(spec)) throw new SpecError('spec must be an object');
  if (typeof spec.name !== 'string') throw new SpecError('spec.name must be a string');
  const shape = spec.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3)
    throw new SpecError(`inputShape must be [H, W, C], got ${quoteValue(shape)}`);
  shape.forEach((d, i) => posInt(d, `inputShape[${i}]`));
  posInt(spec.numClasses, 'numClasses');
  if (!Array.isArray(spec.layers) || spec.layers.length === 0)
    throw new SpecError('spec.layers must be a non-empty array');
  if (spec.layers.length > MAX_LAYERS)
    throw new SpecError(`spec.layers has ${spec.layers.length} entries, at most ${MAX_LAYERS}`);
  const seen = new Set<string>();
  spec.layers.forEach((l: unknown, i: number) => {
    if (!isRec(l)) throw new SpecError(`layers[${i}] must be an object`);
    const name = l.name;
    if (typeof name !== 'string' || !NAME_RE.test(name) || RESERVED.has(name))
      throw new SpecError(
        `layers[${i}].name must match ${NAME_RE} and not be reserved, got ${quoteValue(name)}`,
      );
    if (seen.has(name)) throw new SpecError('duplicate layer name', name);
    seen.add(name);
    switch (l.kind) {
      case 'conv2d':
        posInt(l.filters, 'filters', name);
        posInt(l.kernelSize, 'kernelSize', name);
        optPosInt(l, 'stride', name);
        optEnum(l, 'padding', ['same', 'valid'], name);
        optEnum(l, 'batchNorm', [true, false], name);
        optEnum(l, 'activation', ['relu', 'none'], name);
        break;
      case 'dense':
        posInt(l.units, 'units', name);
        optEnum(l, 'activation', ['relu', 'none'], name);
        break;
      case 'maxPool':
        posInt(l.size, 'size', name);
        optPosInt(l, 'stride', name);
        break;
      case 'residual':
        posInt(l.filters, 'filters', name);
        optPosInt(l, 'midFilters', name);
        optPosInt(l, 'stride', name);
        break;
      case 'flatten':
      case 'globalAvgPool':
        break;
      default:
        throw new SpecError(`unknown layer kind ${quoteValue(l.kind)}`, name);
    }
  });
}
