/**
 * Attack options as data: each attack lists its fields (name, type, range, meaning) in a
 * JSON-friendly `OptionField[]`, and `validateOptions` checks a plain object against that list.
 * The CLI config validator, the worker and the UI iterate over the same lists (see registry.ts).
 */
import { AttackOptionError } from './errors';

/** Cancellation flag shared with the caller; set `aborted = true` to stop an attack early. */
export interface AbortFlag {
  readonly aborted: boolean;
}

/** Options every attack accepts besides its own. Not part of the JSON description. */
export interface SignalOption {
  /** checked between iterations; when set, the attack throws an AttackAbortedError */
  signal?: AbortFlag;
}

interface FieldBase {
  name: string;
  /** what the option means, with its unit */
  description: string;
}

/** One option of an attack, described as plain JSON. */
export type OptionField =
  | (FieldBase & {
      type: 'number';
      min: number;
      /** when true the value must be > min (else ≥ min) */
      exclusiveMin?: boolean;
      max?: number;
      default?: number;
    })
  | (FieldBase & { type: 'integer'; min: number; max?: number; default?: number })
  | (FieldBase & { type: 'boolean'; default?: boolean })
  | (FieldBase & { type: 'enum'; values: readonly string[]; default?: string });

/** A validated option value. */
export type OptionValue = number | boolean | string;

function describeRange(f: { min: number; exclusiveMin?: boolean; max?: number }): string {
  const lo = `${f.exclusiveMin ? '>' : '≥'} ${f.min}`;
  return f.max === undefined ? lo : `${lo} and ≤ ${f.max}`;
}

function checkField(attack: string, f: OptionField, v: unknown): OptionValue {
  const fail = (what: string): never => {
    throw new AttackOptionError(attack, f.name, `${what}, got ${JSON.stringify(v) ?? String(v)}`);
  };
  switch (f.type) {
    case 'number':
    case 'integer': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return fail('must be a finite number');
      if (f.type === 'integer' && !Number.isInteger(v)) return fail('must be an integer');
      const tooLow = f.type === 'number' && f.exclusiveMin ? v <= f.min : v < f.min;
      if (tooLow || (f.max !== undefined && v > f.max)) return fail(`must be ${describeRange(f)}`);
      return v;
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : fail('must be true or false');
    case 'enum':
      return typeof v === 'string' && f.values.includes(v)
        ? v
        : fail(`must be one of ${f.values.map((s) => `'${s}'`).join(', ')}`);
  }
}

/**
 * Check `opts` against `fields` and return a fresh object with every field set (omitted optional
 * fields take their `default`). Unknown keys are rejected (they are usually typos); `signal` is
 * passed through unchecked. Throws AttackOptionError naming the first bad field.
 */
export function validateOptions<T>(
  attack: string,
  fields: readonly OptionField[],
  opts: unknown,
): T {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new AttackOptionError(attack, '(options)', 'must be an object');
  }
  const given = opts as Record<string, unknown>;
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(given)) {
    if (key !== 'signal' && !known.has(key)) {
      throw new AttackOptionError(attack, key, `is unknown (known: ${[...known].join(', ')})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = given[f.name];
    if (v === undefined) {
      if (f.default === undefined) throw new AttackOptionError(attack, f.name, 'is required');
      out[f.name] = f.default;
    } else {
      out[f.name] = checkField(attack, f, v);
    }
  }
  const signal = given.signal;
  if (signal !== undefined) {
    if (typeof signal !== 'object' || signal === null || !('aborted' in signal)) {
      throw new AttackOptionError(attack, 'signal', 'must be an object with an `aborted` flag');
    }
    out.signal = signal;
  }
  return out as T;
}

/** Shared field descriptions, so every attack words them the same way. */
export const FIELD = {
  epsLinf: {
    name: 'eps',
    type: 'number',
    min: 0,
    max: 1,
    description: 'L∞ radius ε in pixel units (pixels in [0, 1]); e.g. 0.3 MNIST, 8/255 CIFAR-10',
  },
  epsL2: {
    name: 'eps',
    type: 'number',
    min: 0,
    description: 'L2 radius ε of the perturbation over the whole image, pixels in [0, 1]',
  },
  steps: { name: 'steps', type: 'integer', min: 1, max: 100000, description: 'iterations' },
  stepSize: {
    name: 'stepSize',
    type: 'number',
    min: 0,
    exclusiveMin: true,
    description: 'step size α per iteration, in the units of eps',
  },
  seed: {
    name: 'seed',
    type: 'integer',
    min: 0,
    max: 4294967295,
    default: 0,
    description: 'seed of the random start / random search (same seed, same result)',
  },
  restarts: {
    name: 'restarts',
    type: 'integer',
    min: 1,
    max: 1000,
    default: 1,
    description: 'random restarts; per sample the restart that fools (else the highest loss) wins',
  },
  randomStart: {
    name: 'randomStart',
    type: 'boolean',
    default: true,
    description: 'start from a uniformly random point of the ε-ball instead of x',
  },
  kappa: {
    name: 'kappa',
    type: 'number',
    min: 0,
    default: 50,
    description: 'C&W confidence κ: the margin loss is capped at κ (logit units)',
  },
} as const satisfies Record<string, OptionField>;
