// The attack registry: iteration, per-dataset defaults, JSON-friendly option descriptions, and
// option / input validation with errors that name the offending field.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttackInputError, AttackOptionError } from '@/engine/attacks/errors';
import { pgdLinf } from '@/engine/attacks/pgd';
import {
  ATTACK_NAMES,
  ATTACKS,
  BUDGETS,
  budgetFor,
  getAttack,
  resolveAttackOptions,
} from '@/engine/attacks/registry';
import { linearModel, type TinyModel } from './tiny-models';

function optionError(fn: () => unknown): AttackOptionError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AttackOptionError);
    return e as AttackOptionError;
  }
  throw new Error('expected an AttackOptionError');
}

describe('registry', () => {
  it('lists every attack with complete metadata', () => {
    expect(ATTACK_NAMES).toEqual(
      expect.arrayContaining([
        'fgsm',
        'pgd-linf',
        'pgd-l2',
        'mifgsm',
        'cw-linf',
        'apgd-ce',
        'apgd-dlr',
        'square',
      ]),
    );
    for (const name of ATTACK_NAMES) {
      const e = ATTACKS[name];
      expect(e.name).toBe(name);
      expect(e.label.length).toBeGreaterThan(0);
      expect(e.paper.arxiv).toMatch(/^\d{4}\.\d{4,5}$/);
      expect(['linf', 'l2']).toContain(e.norm);
      expect(e.options.some((f) => f.name === 'eps')).toBe(true);
    }
    expect(ATTACKS.square.kind).toBe('black-box');
    expect(ATTACKS['pgd-linf'].kind).toBe('white-box');
    expect(ATTACKS['pgd-l2'].norm).toBe('l2');
  });

  it('describes options as plain JSON', () => {
    for (const name of ATTACK_NAMES) {
      const desc = ATTACKS[name].options;
      expect(JSON.parse(JSON.stringify(desc))).toEqual(desc);
      for (const f of desc) {
        expect(f.description.length).toBeGreaterThan(5);
        expect(['number', 'integer', 'boolean', 'enum']).toContain(f.type);
      }
    }
  });

  it('gives complete, valid defaults for every dataset, covering every option', () => {
    for (const name of ATTACK_NAMES) {
      for (const ds of ['mnist', 'fashion-mnist', 'cifar10', 'my-own-data']) {
        const d = ATTACKS[name].defaults(ds);
        expect(ATTACKS[name].validate(d)).toEqual(d);
        expect(Object.keys(d).sort()).toEqual(ATTACKS[name].options.map((f) => f.name).sort());
      }
    }
  });

  it('uses the field conventions for ε and PGD steps', () => {
    const mnist = ATTACKS['pgd-linf'].defaults('mnist');
    expect(mnist).toMatchObject({ eps: 0.3, steps: 40, stepSize: 0.01 });
    const fmnist = ATTACKS['pgd-linf'].defaults('fashion-mnist');
    expect(fmnist).toMatchObject({ eps: 0.1, steps: 20, stepSize: 0.025 });
    const cifar = ATTACKS['pgd-linf'].defaults('cifar10');
    expect(cifar).toMatchObject({ eps: 8 / 255, steps: 20, stepSize: 2 / 255 });
    expect(budgetFor('unknown')).toEqual(BUDGETS.cifar10);
    expect(budgetFor('toString')).toEqual(BUDGETS.cifar10); // no prototype keys
    expect(ATTACKS['apgd-ce'].defaults('mnist').steps).toBe(100);
    expect(ATTACKS.square.defaults('mnist').nQueries).toBe(5000);
    expect(ATTACKS['fgsm-rs'].defaults('mnist').stepSize).toBeCloseTo(0.375, 10);
  });

  it('rejects bad options naming the field', () => {
    for (const name of ATTACK_NAMES) {
      const d = ATTACKS[name].defaults('mnist');
      expect(optionError(() => ATTACKS[name].validate({ ...d, eps: -0.1 })).field).toBe('eps');
      expect(optionError(() => ATTACKS[name].validate({ ...d, eps: Number.NaN })).field).toBe(
        'eps',
      );
      const missing: Record<string, unknown> = { ...d };
      delete missing.eps;
      expect(optionError(() => ATTACKS[name].validate(missing)).message).toMatch(
        /'eps' is required/,
      );
    }
    const e = optionError(() => resolveAttackOptions('pgd-linf', 'mnist', { eps: -1 }));
    expect(e.field).toBe('eps');
    expect(e.message).toContain('eps');
    expect(e.attack).toBe('pgd-linf');
    expect(optionError(() => resolveAttackOptions('pgd-linf', 'mnist', { steps: 2.5 })).field).toBe(
      'steps',
    );
    expect(optionError(() => resolveAttackOptions('pgd-linf', 'mnist', { steps: 0 })).field).toBe(
      'steps',
    );
    expect(
      optionError(() => resolveAttackOptions('pgd-linf', 'mnist', { stepSize: 0 })).field,
    ).toBe('stepSize');
    expect(
      optionError(() => resolveAttackOptions('pgd-linf', 'mnist', { loss: 'hinge' })).field,
    ).toBe('loss');
    expect(optionError(() => resolveAttackOptions('fgsm', 'mnist', { eps: 1.5 })).field).toBe(
      'eps',
    );
    expect(optionError(() => resolveAttackOptions('square', 'mnist', { pInit: 0 })).field).toBe(
      'pInit',
    );
    expect(optionError(() => resolveAttackOptions('fgsm', 'mnist', { epsilon: 0.1 })).field).toBe(
      'epsilon',
    );
    expect(optionError(() => getAttack('deepfool')).field).toBe('name');
    expect(optionError(() => getAttack('toString')).field).toBe('name');
    expect(optionError(() => ATTACKS.fgsm.validate(null)).field).toBe('(options)');
  });

  it('fills optional options with their defaults', () => {
    const o = resolveAttackOptions('pgd-linf', 'cifar10', { restarts: 3 });
    expect(o).toMatchObject({ restarts: 3, randomStart: true, loss: 'ce', seed: 0 });
  });
});

describe('attack input validation', () => {
  let m: TinyModel;
  beforeAll(() => {
    m = linearModel([4, 4, 1], 3, 1);
  });
  afterAll(() => m.dispose());

  it('rejects wrong ranks, dtypes and batch sizes with AttackInputError, without leaking', async () => {
    const x = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    const yOk = tf.tensor1d([0, 1], 'int32');
    const yFloat = tf.tensor1d([0, 1], 'float32');
    const yShort = tf.tensor1d([0], 'int32');
    const x3 = tf.zeros([2, 16, 1]);
    const before = tf.memory().numTensors;
    const opts = { eps: 0.1, steps: 2, stepSize: 0.05 };
    await expect(pgdLinf(m.f, x, yFloat, opts)).rejects.toThrow(AttackInputError);
    await expect(pgdLinf(m.f, x, yShort, opts)).rejects.toThrow(/2 samples but y has 1/);
    await expect(pgdLinf(m.f, x3 as unknown as tf.Tensor4D, yOk, opts)).rejects.toThrow(/rank-4/);
    // DLR needs ≥ 3 classes: a 2-class model fails clearly
    const m2 = linearModel([4, 4, 1], 2, 2);
    await expect(ATTACKS['apgd-dlr'].run(m2.f, x, yOk, { eps: 0.1, steps: 2 })).rejects.toThrow(
      /apgd-dlr: needs a model with ≥ 3 classes, got 2/,
    );
    expect(tf.memory().numTensors).toBe(before + m2.vars.length); // nothing leaked
    m2.dispose();
    tf.dispose([x, yOk, yFloat, yShort, x3]);
  });
});
