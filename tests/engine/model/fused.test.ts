/**
 * Fused conv/matmul + bias + ReLU under a gradient tape (src/engine/model/fused.ts), on WASM and
 * the CPU backend: the forward equals the unfused chain, every gradient (input, filter, bias)
 * equals the unfused chain's and central finite differences, the tape really runs ONE fused
 * kernel (no separate Add / Relu), an input whose gradient is not asked for costs no kernel, and
 * repeated calls leak nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fusedConv2d, fusedMatMul, type FusedActivation } from '@/engine/model/fused';
import { memoryCounts, normals, onBackend, relErr } from '../backend/helpers';

interface ConvCase {
  x: [number, number, number, number];
  k: number;
  cout: number;
  stride: number;
  pad: 'same' | 'valid';
  act: FusedActivation;
}

const CONVS: ConvCase[] = [
  { x: [2, 7, 7, 1], k: 5, cout: 6, stride: 1, pad: 'same', act: 'relu' },
  { x: [3, 9, 8, 3], k: 3, cout: 4, stride: 2, pad: 'valid', act: 'relu' },
  { x: [2, 6, 6, 2], k: 3, cout: 5, stride: 1, pad: 'same', act: 'linear' },
];

function convInputs(c: ConvCase, seed: number): tf.Tensor[] {
  const cin = c.x[3];
  return [
    tf.tensor4d(
      normals(
        c.x.reduce((a, b) => a * b, 1),
        seed,
      ),
      c.x,
    ), // [B, H, W, Cin]
    tf.tensor4d(normals(c.k * c.k * cin * c.cout, seed + 1), [c.k, c.k, cin, c.cout]),
    tf.tensor1d(normals(c.cout, seed + 2)), // [Cout]
  ];
}

const act = (t: tf.Tensor, a: FusedActivation) => (a === 'relu' ? tf.relu(t) : t);

/** Loss weights so that every output element matters differently. */
function weighted(y: tf.Tensor, seed: number): tf.Scalar {
  return tf.sum(tf.mul(y, tf.tensor(normals(y.size, seed), y.shape)));
}

async function convResults(c: ConvCase, fused: boolean): Promise<Float32Array[]> {
  const [x, w, b] = convInputs(c, 10);
  const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
    const y = fused
      ? fusedConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, bb, c.stride, c.pad, c.act)
      : act(tf.add(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.stride, c.pad), bb), c.act);
    return weighted(y, 20);
  };
  const y = fused
    ? fusedConv2d(x as tf.Tensor4D, w as tf.Tensor4D, b, c.stride, c.pad, c.act)
    : act(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad), b), c.act);
  const grads = tf.grads(f)([x, w, b]);
  const out = [y, ...grads];
  const vals = await Promise.all(out.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose([x, w, b, ...out]);
  return vals;
}

describe('fused conv2d + bias + activation', () => {
  for (const backend of ['wasm', 'cpu'])
    it(`equals the unfused chain, forward and every gradient (${backend})`, async () => {
      await onBackend(backend, async () => {
        for (const c of CONVS) {
          const fused = await convResults(c, true);
          const plain = await convResults(c, false);
          for (let i = 0; i < 4; i++) expect(relErr(fused[i], plain[i])).toBeLessThan(1e-5);
          // a ReLU case really has inactive units (its gradient masks something)
          if (c.act === 'relu') expect(fused[0].some((v) => v === 0)).toBe(true);
        }
      });
    });

  it('matches central finite differences (float64 reference on the CPU backend)', async () => {
    await onBackend('cpu', async () => {
      const c = CONVS[1];
      const [x, w, b] = convInputs(c, 30);
      const loss = (ww: tf.Tensor) =>
        weighted(fusedConv2d(x as tf.Tensor4D, ww as tf.Tensor4D, b, c.stride, c.pad, 'relu'), 40);
      const g = tf.grad(loss)(w);
      const analytic = await g.data();
      const base = await w.data();
      const h = 1e-3;
      for (const i of [0, 7, 19, 50, base.length - 1]) {
        const at = (d: number) => {
          const v = Float32Array.from(base);
          v[i] += d;
          return tf.tidy(() => loss(tf.tensor(v, w.shape)).dataSync()[0]); // eslint-disable-line no-restricted-syntax -- CPU backend test
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        expect(Math.abs(numeric - analytic[i])).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
      }
      tf.dispose([x, w, b, g]);
    });
  });

  it('runs one fused kernel under a tape, and no input gradient nobody asked for', async () => {
    const c = CONVS[0];
    const [x, w, b] = convInputs(c, 50);
    const p = await tf.profile(() => {
      const g = tf.grads((ww: tf.Tensor, bb: tf.Tensor) =>
        weighted(fusedConv2d(x as tf.Tensor4D, ww as tf.Tensor4D, bb, 1, 'same', 'relu'), 60),
      )([w, b]);
      tf.dispose(g);
    });
    const names = p.kernels.map((k) => k.name);
    expect(names).toContain('FusedConv2D');
    expect(names).toContain('Conv2DBackpropFilter');
    expect(names).not.toContain('Conv2D');
    expect(names).not.toContain('Relu');
    expect(names).not.toContain('Conv2DBackpropInput'); // x's gradient was not requested
    tf.dispose([x, w, b]);
  });

  it('leaks no tensors or buffers over repeated gradient calls', async () => {
    await convResults(CONVS[0], true);
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) await convResults(CONVS[0], true);
    expect(memoryCounts()).toEqual(before);
  });
});

describe('fused matMul + bias + activation', () => {
  for (const backend of ['wasm', 'cpu'])
    it(`equals the unfused chain, forward and every gradient (${backend})`, async () => {
      await onBackend(backend, async () => {
        for (const a of ['relu', 'linear'] as const) {
          const res = async (fused: boolean) => {
            const x = tf.tensor2d(normals(5 * 7, 70), [5, 7]); // [B, in]
            const w = tf.tensor2d(normals(7 * 4, 71), [7, 4]); // [in, out]
            const bias = tf.tensor1d(normals(4, 72)); // [out]
            const fwd = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
              fused
                ? fusedMatMul(xx as tf.Tensor2D, ww as tf.Tensor2D, bb, a)
                : act(tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), bb), a);
            const y = fwd(x, w, bias);
            const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
              weighted(fwd(xx, ww, bb), 73),
            )([x, w, bias]);
            const out = [y, ...g];
            expect(y.shape).toEqual([5, 4]);
            expect(g.map((t) => t.shape)).toEqual([[5, 7], [7, 4], [4]]);
            const vals = await Promise.all(out.map(async (t) => Float32Array.from(await t.data())));
            tf.dispose([x, w, bias, ...out]);
            return vals;
          };
          const fused = await res(true);
          const plain = await res(false);
          for (let i = 0; i < 4; i++) expect(relErr(fused[i], plain[i])).toBeLessThan(1e-5);
        }
      });
    });

  it('leaks no tensors or buffers', () => {
    const x = tf.randomNormal([3, 4]);
    const w = tf.randomNormal([4, 2]);
    const b = tf.randomNormal([2]);
    const run = () =>
      tf.dispose(
        tf.grads((ww: tf.Tensor) =>
          tf.sum(fusedMatMul(x as tf.Tensor2D, ww as tf.Tensor2D, b, 'relu')),
        )([w]),
      );
    run();
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) run();
    expect(memoryCounts()).toEqual(before);
    tf.dispose([x, w, b]);
  });
});
