/**
 * The hand-set conv fixture (CONV_SPEC: 3×3×1 input, conv 2×2 valid with 2 filters → [2, 2, 2],
 * flatten, dense 8 → 2) and its plain-JS reference forward and CE gradients.
 */
import type { Model } from '@/engine/model/types';
import { CONV_SPEC, handModel } from './helpers';

/** HWIO [2, 2, 1, 2], row-major: index (kh·2 + kw)·2 + f */
export const K1 = [0.5, -0.3, 0.2, 0.8, -0.4, 0.6, 0.7, -0.1];
export const C1B = [0.05, -0.1];
/** [8, 2]: input (oh·2 + ow)·2 + f → class k */
export const WO = [
  0.3, -0.2, 0.1, 0.4, -0.5, 0.2, 0.6, -0.3, 0.2, 0.1, -0.1, 0.5, 0.4, -0.6, 0.3, 0.2,
];
export const BO = [0.1, -0.1];

export function convModel(): Model {
  return handModel(CONV_SPEC, {
    'c1/kernel': K1,
    'c1/bias': C1B,
    'out/kernel': WO,
    'out/bias': BO,
  });
}

/** x: 9 pixels row-major. Returns activations a[p][f] (p = oh·2 + ow), channel means, ∂CE/∂a. */
export function convRef(x: number[], y: number) {
  const a: number[][] = [];
  for (let oh = 0; oh < 2; oh++)
    for (let ow = 0; ow < 2; ow++) {
      const row: number[] = [];
      for (let f = 0; f < 2; f++) {
        let s = C1B[f];
        for (let kh = 0; kh < 2; kh++)
          for (let kw = 0; kw < 2; kw++)
            s += x[(oh + kh) * 3 + ow + kw] * K1[(kh * 2 + kw) * 2 + f];
        row.push(Math.max(0, s));
      }
      a.push(row);
    }
  const flat = a.flat(); // (p·2 + f)
  const z = [0, 1].map((k) => flat.reduce((s, v, i) => s + v * WO[i * 2 + k], BO[k]));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const p = e.map((v) => v / (e[0] + e[1]));
  const dz = p.map((v, k) => v - (k === y ? 1 : 0));
  const ga = a.map((row, pi) =>
    row.map((_, f) => WO[(pi * 2 + f) * 2] * dz[0] + WO[(pi * 2 + f) * 2 + 1] * dz[1]),
  );
  const mean = (rows: number[][]) => [0, 1].map((f) => rows.reduce((s, r) => s + r[f], 0) / 4);
  return { a, flat, z, dz, ga, aMean: mean(a), gMean: mean(ga), ce: -Math.log(p[y]) };
}
