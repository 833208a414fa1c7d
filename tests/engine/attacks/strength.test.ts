// Attack strength on a trained tiny model, and the schedules of APGD and the Square Attack.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apgdCe, apgdCheckpoints, apgdDlr } from '@/engine/attacks/apgd';
import { cwLinf } from '@/engine/attacks/cw';
import { fgsm, fgsmRs } from '@/engine/attacks/fgsm';
import { miFgsm } from '@/engine/attacks/mifgsm';
import { pgdLinf } from '@/engine/attacks/pgd';
import { pgdL2 } from '@/engine/attacks/pgd-l2';
import { squareLinf, squareP, squareSide } from '@/engine/attacks/square';
import { accuracy } from '@/engine/eval/accuracy';
import { toTensors, trainedMlp, type TinyModel } from './tiny-models';

const EPS = 0.1;
let model: TinyModel;
let x: tf.Tensor4D;
let y: tf.Tensor1D;
let clean: number;

beforeAll(async () => {
  const t = await trainedMlp(1);
  model = t.model;
  ({ x, y } = toTensors(t.test));
  clean = await accuracy(model.f, x, y, 64);
});

afterAll(() => {
  tf.dispose([x, y]);
  model.dispose();
});

async function accUnder(attack: Promise<tf.Tensor4D>): Promise<number> {
  const xAdv = await attack;
  const a = await accuracy(model.f, xAdv, y, 64);
  xAdv.dispose();
  return a;
}

describe('on a trained model', () => {
  it('learned the task', () => {
    expect(clean).toBeGreaterThanOrEqual(0.9);
  });

  it('FGSM and PGD lower accuracy, PGD at least as much as FGSM', async () => {
    const aFgsm = await accUnder(fgsm(model.f, x, y, { eps: EPS }));
    const aPgd = await accUnder(pgdLinf(model.f, x, y, { eps: EPS, steps: 20, stepSize: EPS / 4 }));
    expect(aFgsm).toBeLessThan(clean);
    expect(aPgd).toBeLessThan(clean);
    expect(aPgd).toBeLessThanOrEqual(aFgsm);
  });

  it('larger ε gives lower PGD accuracy', async () => {
    const accs: number[] = [];
    for (const eps of [0.05, 0.1, 0.2]) {
      accs.push(await accUnder(pgdLinf(model.f, x, y, { eps, steps: 10, stepSize: eps / 4 })));
    }
    expect(accs[1]).toBeLessThanOrEqual(accs[0]);
    expect(accs[2]).toBeLessThan(accs[1]);
  });

  it('more PGD restarts never help the model (per-sample best restart is kept)', async () => {
    const opts = { eps: EPS / 2, steps: 5, stepSize: EPS / 8, seed: 3 };
    const one = await accUnder(pgdLinf(model.f, x, y, { ...opts, restarts: 1 }));
    const four = await accUnder(pgdLinf(model.f, x, y, { ...opts, restarts: 4 }));
    expect(four).toBeLessThanOrEqual(one);
  });

  it('APGD-CE and APGD-DLR are about as strong as PGD with the same budget', async () => {
    const aPgd = await accUnder(pgdLinf(model.f, x, y, { eps: EPS, steps: 25, stepSize: EPS / 4 }));
    const aCe = await accUnder(apgdCe(model.f, x, y, { eps: EPS, steps: 25 }));
    const aDlr = await accUnder(apgdDlr(model.f, x, y, { eps: EPS, steps: 25 }));
    expect(aCe).toBeLessThan(clean);
    expect(aDlr).toBeLessThan(clean);
    expect(aCe).toBeLessThanOrEqual(aPgd + 2 / 64);
    expect(aDlr).toBeLessThanOrEqual(aPgd + 4 / 64);
  });

  it('C&W-L∞, MI-FGSM, FGSM-RS and PGD-L2 lower accuracy', async () => {
    const steps = { steps: 10, stepSize: EPS / 4 };
    expect(await accUnder(cwLinf(model.f, x, y, { eps: EPS, ...steps }))).toBeLessThan(clean);
    expect(await accUnder(miFgsm(model.f, x, y, { eps: EPS, ...steps }))).toBeLessThan(clean);
    expect(await accUnder(fgsmRs(model.f, x, y, { eps: EPS, stepSize: 1.25 * EPS }))).toBeLessThan(
      clean,
    );
    // an L2 ball of radius 8·0.1 holds the L∞ ball's "typical" 0.1·√64 perturbation
    expect(
      await accUnder(pgdL2(model.f, x, y, { eps: 0.8, steps: 10, stepSize: 0.2 })),
    ).toBeLessThan(clean);
  });

  it('the Square Attack lowers accuracy with a modest query budget, more with more queries', async () => {
    const few = await accUnder(squareLinf(model.f, x, y, { eps: 0.15, nQueries: 20, seed: 1 }));
    const more = await accUnder(squareLinf(model.f, x, y, { eps: 0.15, nQueries: 300, seed: 1 }));
    expect(few).toBeLessThan(clean);
    expect(more).toBeLessThan(few);
  });
});

describe('schedules', () => {
  it('APGD checkpoints follow p₀ = 0, p₁ = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06)', () => {
    for (const n of [100, 200, 1000]) {
      const expected: number[] = [];
      let [prev, cur] = [0, 0.22];
      while (Math.round(cur * n * 1e6) / 1e6 <= n) {
        expected.push(Math.ceil(Math.round(cur * n * 1e6) / 1e6));
        [prev, cur] = [cur, cur + Math.max(cur - prev - 0.03, 0.06)];
      }
      expect(apgdCheckpoints(n)).toEqual(expected);
    }
    expect(apgdCheckpoints(100)).toEqual([22, 41, 57, 70, 80, 87, 93, 99]);
    for (const n of [1, 3, 10, 25]) {
      const c = apgdCheckpoints(n);
      expect(c.length).toBeGreaterThan(0);
      expect(c.every((w, i) => w <= n && (i === 0 || w > c[i - 1]))).toBe(true);
    }
  });

  it('Square: p halves at the paper’s breakpoints (scaled to the budget) and the side fits', () => {
    expect(squareP(0.05, 0, 10000)).toBe(0.05);
    expect(squareP(0.05, 10, 10000)).toBe(0.05);
    expect(squareP(0.05, 11, 10000)).toBe(0.025);
    expect(squareP(0.05, 51, 10000)).toBe(0.0125);
    expect(squareP(0.05, 9000, 10000)).toBeCloseTo(0.05 / 512, 12);
    expect(squareP(0.8, 100, 1000)).toBe(0.8 / 16); // 100 of 1000 → 1000 of 10 000: in (500, 1000]
    for (let it = 1; it < 5000; it += 37) {
      expect(squareP(0.05, it, 5000)).toBeLessThanOrEqual(squareP(0.05, it - 1, 5000));
    }
    expect(squareSide(0.05, 28, 28)).toBe(6); // √(0.05·784) = 6.26
    expect(squareSide(1, 28, 28)).toBe(27); // at most H − 1
    expect(squareSide(1e-6, 28, 28)).toBe(1); // at least 1
  });
});
