/**
 * Runtime validation of a ModelSpec's fields: a spec may come from a file, a URL or a config, so
 * TypeScript's types are not enough. Shapes are checked later, by planModel (plan.ts).
 */
import { SpecError } from './errors';
import type { ModelSpec } from './spec';

/** Largest accepted size of one dimension (filters, units, kernel, input side). */
export const MAX_DIM = 100_000;
/** Layer names: letters, digits, '_', '-', '.'; '/' is reserved for nesting (block1/conv1). */
const NAME_RE = /^[A-Za-z0-9_.-]+$/;
/** Reserved: 'mask' would collide with the `mask/<kernel>` tensors of a saved file. */
const RESERVED = new Set(['mask']);

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function posInt(v: unknown, what: string, layer?: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_DIM)
    throw new SpecError(
      `${what} must be an integer in [1, ${MAX_DIM}], got ${JSON.stringify(v)}`,
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
      `${key} must be one of ${JSON.stringify(allowed)}, got ${JSON.stringify(v)}`,
      layer,
    );
}

/**
 * Check that `spec` is a well-formed ModelSpec (types, ranges, unique and legal names). Throws
 * SpecError naming the layer and field. Does not check shapes (see planModel).
 */
export function checkSpec(spec: unknown): asserts spec is ModelSpec {
  if (!isRec(spec)) throw new SpecError('spec must be an object');
  if (typeof spec.name !== 'string') throw new SpecError('spec.name must be a string');
  const shape = spec.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3)
    throw new SpecError(`inputShape must be [H, W, C], got ${JSON.stringify(shape)}`);
  shape.forEach((d, i) => posInt(d, `inputShape[${i}]`));
  posInt(spec.numClasses, 'numClasses');
  if (!Array.isArray(spec.layers) || spec.layers.length === 0)
    throw new SpecError('spec.layers must be a non-empty array');
  const seen = new Set<string>();
  spec.layers.forEach((l: unknown, i: number) => {
    if (!isRec(l)) throw new SpecError(`layers[${i}] must be an object`);
    const name = l.name;
    if (typeof name !== 'string' || !NAME_RE.test(name) || RESERVED.has(name))
      throw new SpecError(
        `layers[${i}].name must match ${NAME_RE} and not be reserved, got ${JSON.stringify(name)}`,
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
        throw new SpecError(`unknown layer kind ${JSON.stringify(l.kind)}`, name);
    }
  });
}
