// The attack catalog (src/engine/attacks/catalog.ts) is the one list the CLI's config validation,
// the UI's attack forms and the docs table read: an attack registered at run time (here a no-op
// with one ε option) is found in all three, and gone from all three once unregistered. The
// catalog's freedom from tfjs is checked in tests/engine/catalogs.test.ts.
import { readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetFor } from '@/engine/attacks/budgets';
import {
  attackCatalog,
  attackInfo,
  BUILTIN_ATTACK_NAMES,
  registerAttackInfo,
  type AttackInfo,
} from '@/engine/attacks/catalog';
import { attackTableMarkdown } from '@/engine/attacks/docs-table';
import { ATTACKS, getAttack, registerAttack, unregisterAttack } from '@/engine/attacks/registry';
import { ConfigError, parseExperimentConfig } from '@/engine/experiment';
import { attackLabel, attackRequest, uiAttacks } from '@/ui/lib/attacks';

const NOOP: AttackInfo = {
  name: 'noop',
  label: 'No-op (identity)',
  paper: { authors: 'Nobody', year: 2024, title: 'The identity attack', arxiv: '0000.00000' },
  norm: 'linf',
  kind: 'white-box',
  file: 'noop.ts',
  update: 'x′ = x',
  options: [
    {
      name: 'eps',
      type: 'number',
      min: 0,
      max: 1,
      description: 'L∞ radius ε in pixel units (unused: x′ = x)',
    },
  ],
  defaults: (ds) => ({ eps: budgetFor(ds).epsLinf }),
  ui: { hint: 'returns the clean images', request: (eps) => ({ eps }) },
};

/** The smoke config with `attacks` as its evaluation attacks. */
function smokeWith(attacks: unknown[]): Record<string, unknown> {
  const c = JSON.parse(readFileSync('configs/smoke.json', 'utf8')) as Record<string, unknown>;
  return { ...c, eval: { ...(c.eval as object), attacks } };
}

function issuesOf(value: unknown): string[] {
  try {
    parseExperimentConfig(value, 'test.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('config was accepted');
}

afterEach(() => {
  if (attackCatalog().some((a) => a.name === 'noop')) unregisterAttack('noop');
});

describe('attack catalog', () => {
  it('holds the registry: every built-in attack, same metadata, in order', () => {
    expect(attackCatalog().map((a) => a.name)).toEqual([...BUILTIN_ATTACK_NAMES]);
    for (const name of BUILTIN_ATTACK_NAMES) {
      const info = attackInfo(name);
      const e = ATTACKS[name];
      expect([e.label, e.paper, e.norm, e.kind, e.options]).toEqual([
        info.label,
        info.paper,
        info.norm,
        info.kind,
        info.options,
      ]);
    }
  });

  it("gives the UI the registry's labels and the request rules it used to hard-code", () => {
    expect(uiAttacks().map((a) => [a.name, a.label])).toEqual([
      ['fgsm', 'FGSM'],
      ['pgd-linf', 'PGD (L∞)'],
      ['mifgsm', 'MI-FGSM'],
      ['cw-linf', 'C&W margin (L∞ PGD)'],
      ['apgd-ce', 'APGD-CE'],
      ['square', 'Square Attack (L∞)'],
    ]);
    expect(attackRequest('pgd-linf', 0.1).options).toEqual({
      eps: 0.1,
      steps: 20,
      stepSize: 0.025,
    });
    expect(attackRequest('cw-linf', 0.2).options).toEqual({ eps: 0.2, steps: 20, stepSize: 0.05 });
    expect(attackRequest('mifgsm', 0.1).options).toEqual({ eps: 0.1, steps: 10, stepSize: 0.01 });
    expect(attackRequest('square', 0.1).options).toEqual({ eps: 0.1 });
    expect(attackLabel('pgd-l2')).toBe('PGD (L2)');
    expect(attackLabel('from-an-old-report')).toBe('from-an-old-report');
    // every request the forms send validates against the attack's fields
    for (const a of uiAttacks()) getAttack(a.name).validate(attackRequest(a.name, 0.1).options);
  });

  it('an attack registered at run time appears in the CLI validation, the UI forms and the docs table', async () => {
    const seen: unknown[] = [];
    const runner = (_f: unknown, x: tf.Tensor4D, _y: tf.Tensor1D, opts: { eps: number }) => {
      seen.push(opts);
      return Promise.resolve(x);
    };
    expect(issuesOf(smokeWith([{ name: 'noop' }])).join()).toMatch(/eval\.attacks\.0\.name/);
    registerAttack(NOOP, runner);

    // (a) the CLI's config validation: the name is accepted, its options are checked
    const c = parseExperimentConfig(smokeWith([{ name: 'noop', options: { eps: 0.05 } }]), 't');
    expect(c.eval.attacks[0]).toEqual({ name: 'noop', options: { eps: 0.05 } });
    expect(issuesOf(smokeWith([{ name: 'noop', options: { eps: 2 } }])).join()).toMatch(
      /eval\.attacks\.0\.options: noop: option 'eps' must be ≥ 0 and ≤ 1/,
    );
    expect(issuesOf(smokeWith([{ name: 'noop', options: { steps: 3 } }])).join()).toMatch(
      /noop: option 'steps' is unknown/,
    );
    // … and the engine runs it with validated options
    const x = {} as tf.Tensor4D;
    const y = {} as tf.Tensor1D;
    expect(await getAttack('noop').run(() => x as never, x, y, { eps: 0.1 })).toBe(x);
    expect(seen).toEqual([{ eps: 0.1 }]);
    expect(() => getAttack('noop').run(() => x as never, x, y, { eps: -1 })).toThrow(/eps/);
    expect(getAttack('noop').defaults('mnist')).toEqual({ eps: 0.3 });

    // (b) the UI's attack forms (Adversarial examples, Transfer benchmark) and labels
    expect(uiAttacks()).toContainEqual({
      name: 'noop',
      label: 'No-op (identity)',
      hint: 'returns the clean images',
    });
    expect(attackRequest('noop', 0.2)).toEqual({ name: 'noop', options: { eps: 0.2 } });
    expect(attackLabel('noop')).toBe('No-op (identity)');

    // (c) the docs table
    expect(attackTableMarkdown()).toContain(
      '| `noop` | No-op (identity) | noop.ts | L∞ | white-box | x′ = x | eps 0.1 |',
    );

    // unregistered: gone from all three
    expect(unregisterAttack('noop')).toBe(true);
    expect(issuesOf(smokeWith([{ name: 'noop' }])).join()).toMatch(/eval\.attacks\.0\.name/);
    expect(uiAttacks().some((a) => a.name === 'noop')).toBe(false);
    expect(attackTableMarkdown()).not.toContain('noop');
  });

  it('refuses a taken name, a malformed entry, and removing a built-in', () => {
    const run = (_f: unknown, x: tf.Tensor4D) => Promise.resolve(x);
    expect(() => registerAttack({ ...NOOP, name: 'fgsm' }, run)).toThrow(/already registered/);
    expect(() => registerAttack({ ...NOOP, name: 'No Op' }, run)).toThrow(/lowercase/);
    expect(() => registerAttack({ ...NOOP, defaults: () => ({ eps: 5 }) }, run)).toThrow(/eps/);
    expect(() => unregisterAttack('pgd-linf')).toThrow(/built in/);
    registerAttackInfo(NOOP); // a catalog entry without a runner: listed, but not runnable
    expect(() => getAttack('noop')).toThrow(/no runner/);
    unregisterAttack('noop');
    expect(attackCatalog().some((a) => a.name === 'noop')).toBe(false);
  });
});
