// The catalogs beside the implementation registries (attacks, architectures, objectives,
// schedules): tfjs-free even transitively (the UI bundle imports them through
// src/workers/protocol.ts), and in step with what they describe: every architecture has a
// builder and nothing else does, and the objective and schedule catalogs give the same kinds,
// defaults and bounds as the zod schemas that validate configs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  ARCHITECTURE_CATALOG,
  ARCHITECTURE_NAMES,
  architectureLabel,
} from '@/engine/model/catalog';
import { ARCHITECTURES } from '@/engine/model/spec';
import type { TrainField, TrainKindInfo } from '@/engine/train/fields';
import { fgsmRsObjectiveSchema } from '@/engine/train/objectives/fgsm-rs';
import { objectiveSchema } from '@/engine/train/objectives';
import { OBJECTIVE_CATALOG, derivedDefault } from '@/engine/train/objectives/catalog';
import { pgdAtObjectiveSchema } from '@/engine/train/objectives/pgd-at';
import { standardObjectiveSchema } from '@/engine/train/objectives/standard';
import { tradesObjectiveSchema } from '@/engine/train/objectives/trades';
import { scheduleSchema } from '@/engine/train/schedules';
import { SCHEDULE_CATALOG, defaultScheduleLr } from '@/engine/train/schedules/catalog';

/** Relative imports of a module (type-only ones skipped), resolved to files; bare ones as is. */
function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)) {
    if (!m[1].startsWith('.')) {
      out.push(m[1]);
      continue;
    }
    const base = path.resolve(path.dirname(file), m[1]);
    const hit = [`${base}.ts`, `${base}/index.ts`].find((f) => {
      try {
        return readFileSync(f).length >= 0;
      } catch {
        return false;
      }
    });
    out.push(hit ?? base);
  }
  return out;
}

describe('catalogs are tfjs-free', () => {
  it.each([
    'src/engine/attacks/catalog.ts',
    'src/engine/attacks/schema.ts',
    'src/engine/attacks/docs-table.ts',
    'src/engine/model/catalog.ts',
    'src/engine/train/objectives/catalog.ts',
    'src/engine/train/schedules/catalog.ts',
    'src/ui/lib/attacks.ts',
  ])('%s imports no tfjs, even transitively', (root) => {
    const seen = new Set<string>();
    const todo = [path.resolve(root)];
    while (todo.length > 0) {
      const f = todo.pop() as string;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const dep of imports(f)) {
        expect(dep, `${path.relative('.', f)} imports ${dep}`).not.toMatch(/tensorflow|tfjs/);
        if (path.isAbsolute(dep)) todo.push(dep);
      }
    }
  });
});

describe('architecture catalog', () => {
  it('lists exactly the architectures spec.ts builds, and each builds its default input', () => {
    expect(Object.keys(ARCHITECTURES)).toEqual([...ARCHITECTURE_NAMES]);
    for (const a of ARCHITECTURE_CATALOG) {
      const spec = ARCHITECTURES[a.name]();
      expect(spec.name).toBe(a.name);
      expect(spec.inputShape).toEqual(a.defaultInput);
      expect(a.label.length).toBeGreaterThan(0);
    }
    expect(architectureLabel('lenet')).toBe('LeNet-5 (small CNN)');
    expect(architectureLabel('unknown-net')).toBe('unknown-net');
  });
});

/** Whether `schema` accepts `{ kind, [field]: value }`. */
const accepts = (schema: z.ZodType, kind: string, field: string, value: unknown) =>
  schema.safeParse({ kind, [field]: value }).success;

/** Checks a number or integer field's bounds against `schema`. */
function checkBounds(schema: z.ZodType, kind: string, f: TrainField): void {
  const at = (v: unknown) => accepts(schema, kind, f.name, v);
  const where = `${kind}.${f.name}`;
  if (f.type === 'number' || f.type === 'integer') {
    if (f.min !== undefined) {
      const exclusive = f.type === 'number' && f.exclusiveMin === true;
      expect(at(f.min), `${where} at min`).toBe(!exclusive);
      expect(at(f.min - 0.5), `${where} below min`).toBe(false);
    } else {
      expect(at(-1e9), `${where} unbounded below`).toBe(true);
    }
    if (f.max !== undefined) {
      expect(at(f.max + 0.5), `${where} above max`).toBe(false);
      if (f.type === 'number' && f.exclusiveMax) expect(at(f.max), `${where} at max`).toBe(false);
    }
    if (f.type === 'integer') expect(at(f.default + 0.5), `${where} fractional`).toBe(false);
  } else if (f.type === 'enum') {
    for (const v of f.values) expect(at(v), `${where} '${v}'`).toBe(true);
    expect(at('no-such-value'), where).toBe(false);
  } else if (f.type === 'boolean') {
    expect(at('yes'), where).toBe(false);
  } else {
    expect(at([f.min, f.min + 1]), where).toBe(true);
    expect(at([f.min - 1]), `${where} below min`).toBe(false);
    expect(at([f.min + 1, f.min]), `${where} not increasing`).toBe(false);
  }
}

/** Every catalog field's default is what `schema` fills in; no schema field is missing. */
function checkKind(
  schema: z.ZodType,
  info: TrainKindInfo,
  shape: Record<string, unknown>,
  nested: string[] = [],
): void {
  const resolved = schema.parse({ kind: info.kind }) as Record<string, unknown>;
  for (const f of info.options) {
    const got = resolved[f.name];
    if (f.type === 'number' && f.derived) {
      expect(got, `${info.kind}.${f.name} derived`).toBe(
        f.derived.of(resolved as Record<string, number>),
      );
    } else {
      expect(got, `${info.kind}.${f.name} default`).toEqual(f.default);
    }
    checkBounds(schema, info.kind, f);
  }
  expect(Object.keys(shape).sort()).toEqual(
    ['kind', ...nested, ...info.options.map((f) => f.name)].sort(),
  );
}

describe('objective catalog', () => {
  const SCHEMAS = {
    standard: standardObjectiveSchema,
    'pgd-at': pgdAtObjectiveSchema,
    trades: tradesObjectiveSchema,
    'fgsm-rs': fgsmRsObjectiveSchema,
  } as const;

  it('has the kinds of the config union, in order', () => {
    expect(OBJECTIVE_CATALOG.map((o) => o.kind)).toEqual(Object.keys(SCHEMAS));
    for (const kind of Object.keys(SCHEMAS))
      expect(objectiveSchema.safeParse({ kind }).success).toBe(true);
    expect(objectiveSchema.safeParse({ kind: 'nope' }).success).toBe(false);
  });

  it.each(OBJECTIVE_CATALOG.map((o) => [o.kind, o] as const))(
    '%s: same defaults, derived rules and bounds as its schema',
    (kind, info) => {
      const s = SCHEMAS[kind];
      // the resolved config (objectiveSchema) fills the derived fields by the catalog's rules
      checkKind(objectiveSchema, info, s.shape, kind === 'fgsm-rs' ? ['guard'] : []);
    },
  );

  it('derives the step sizes the engine resolves', () => {
    expect(derivedDefault('pgd-at', 'stepSize', { eps: 0.1, steps: 10 })).toBeCloseTo(0.025, 12);
    expect(derivedDefault('trades', 'stepSize', { eps: 0.1 })).toBeCloseTo(0.025, 12);
    expect(derivedDefault('fgsm-rs', 'alpha', { eps: 0.1 })).toBeCloseTo(0.125, 12);
    expect(() => derivedDefault('pgd-at', 'eps', {})).toThrow(/no derived default/);
  });
});

describe('schedule catalog', () => {
  const options = scheduleSchema.options;

  it('has the kinds of the config union, in order', () => {
    expect(SCHEDULE_CATALOG.map((s) => s.kind)).toEqual(options.map((o) => o.shape.kind.value));
  });

  it.each(SCHEDULE_CATALOG.map((s, i) => [s.kind, s, i] as const))(
    '%s: same defaults and bounds as its schema',
    (_kind, info, i) => {
      checkKind(scheduleSchema, info, options[i].shape);
    },
  );

  it("gives each schedule's default (peak) learning rate", () => {
    expect(SCHEDULE_CATALOG.map((s) => defaultScheduleLr(s.kind))).toEqual([
      0.01, 0.1, 0.1, 0.2, 1e-3,
    ]);
  });
});
