/**
 * The functional forward pass: shapes, masks, taps, inject gradients, batch norm modes, errors,
 * differentiability and leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ARCHITECTURES,
  BN_EPSILON,
  ModelInputError,
  disposeModel,
  forward,
  initModel,
  lenetSpec,
  logitsFn,
  prunableLayers,
  resnetSmallSpec,
  updateBnRunningStats,
} from '@/engine/model';
import type { ForwardResult, Masks, Model, ModelSpec } from '@/engine/model';
import { expectNoLeak, randomInput } from './helpers';
import { everyLayerSpec, validConvSpec } from '../../fixtures/models';

const disposeResult = (r: ForwardResult): void => {
  tf.dispose([r.logits, ...r.taps.values()]);
  for (const s of r.bnBatchStats.values()) tf.dispose([s.mean, s.variance]);
};

/** A seeded 0/1 mask of `shape` keeping about `keep` of the entries. */
const randomMask = (shape: number[], keep: number, seed: number): tf.Tensor =>
  tf.tidy(() => tf.cast(tf.less(tf.randomUniform(shape, 0, 1, 'float32', seed), keep), 'float32'));

const maxAbsDiff = async (a: tf.Tensor, b: tf.Tensor): Promise<number> => {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
};

const models: Model[] = [];
const make = (spec: ModelSpec, seed = 1): Model => {
  const m = initModel(spec, seed);
  models.push(m);
  return m;
};
afterAll(() => models.forEach(disposeModel));

describe('shapes', () => {
  for (const [arch, specFn] of Object.entries(ARCHITECTURES)) {
    it(`${arch}: logits [B, 10] and one tap per prunable layer with its shape`, async () => {
      const spec = arch === 'resnet-small' ? resnetSmallSpec() : specFn();
      const m = make(spec);
      const x = randomInput(spec, 2);
      const r = forward(m, x, { tap: true });
      expect(r.logits.shape).toEqual([2, 10]);
      const layers = prunableLayers(spec);
      expect([...r.taps.keys()]).toEqual(layers.map((l) => l.name));
      for (const l of layers) expect(r.taps.get(l.name)!.shape).toEqual([2, ...l.outShape]);
      const finite = tf.tidy(() => tf.all(tf.isFinite(r.logits)));
      expect((await finite.data())[0]).toBe(1);
      expect(r.bnBatchStats.size).toBe(0);
      tf.dispose([x, finite]);
      disposeResult(r);
    });
  }

  it('rejects a wrong input shape or dtype with ModelInputError', () => {
    const m = make(lenetSpec());
    const x = tf.zeros([2, 32, 32, 1]) as tf.Tensor4D;
    expect(() => forward(m, x)).toThrow(ModelInputError);
    expect(() => forward(m, x)).toThrow(/expects input \[B, 28, 28, 1\], got \[2,32,32,1\]/);
    const y = tf.zeros([2, 28, 28, 1], 'int32') as tf.Tensor4D;
    expect(() => forward(m, y)).toThrow(/float32/);
    tf.dispose([x, y]);
  });

  it('rejects masks and inject tensors that do not fit', () => {
    const m = make(lenetSpec());
    const x = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    const bad: [Masks, RegExp][] = [
      [new Map([['conv9/kernel', tf.ones([6])]]), /not a kernel/],
      [new Map([['conv1/kernel', tf.ones([5])]]), /expected \[5,5,1,6\] or \[6\]/],
    ];
    for (const [masks, msg] of bad) expect(() => forward(m, x, { masks })).toThrow(msg);
    const inj = new Map([['conv1', tf.zeros([2, 28, 28, 5])]]);
    expect(() => forward(m, x, { inject: inj })).toThrow(
      /inject for 'conv1' must be float32 \[2,28,28,6\]/,
    );
    tf.dispose([x, ...inj.values(), ...bad.flatMap(([ms]) => [...ms.values()])]);
  });
});

describe('masks', () => {
  it('an unstructured mask equals forwarding with the kernel zeroed by hand', async () => {
    const m = make(lenetSpec(), 3);
    const zeroed = make(lenetSpec(), 3);
    const x = randomInput(m.spec, 4);
    const masks: Masks = new Map([
      ['conv2/kernel', randomMask([5, 5, 6, 16], 0.5, 1)],
      ['fc1/kernel', randomMask([400, 120], 0.3, 2)],
    ]);
    for (const [name, mask] of masks) {
      const v = zeroed.params.get(name)!;
      tf.tidy(() => v.assign(tf.mul(v, mask)));
    }
    const a = forward(m, x, { masks, tap: true });
    const b = forward(zeroed, x, { tap: true });
    const dense = forward(m, x);
    expect(await maxAbsDiff(a.logits, b.logits)).toBe(0);
    for (const [k, t] of a.taps) expect(await maxAbsDiff(t, b.taps.get(k)!), k).toBe(0);
    expect(await maxAbsDiff(a.logits, dense.logits)).toBeGreaterThan(1e-4);
    [a, b, dense].forEach(disposeResult);
    tf.dispose([x, ...masks.values()]);
  });

  it("a structured [out] mask makes that unit's tap exactly 0 (also through BN, both modes)", async () => {
    const spec = everyLayerSpec();
    const m = make(spec, 5);
    // non-trivial running stats and BN affine, so 0 could only come from the mask
    for (const [name, v] of [...m.buffers, ...m.params])
      if (/bn\/(moving|gamma|beta)/.test(name))
        tf.tidy(() => v.assign(tf.add(v, tf.randomUniform(v.shape, 0.2, 0.7, 'float32', 9))));
    const x = randomInput(spec, 3);
    const dropped: Record<string, number> = {
      c1: 1,
      'b1/conv1': 0,
      'b1/conv2': 3,
      'b1/shortcut': 2,
      'b2/conv1': 1,
      d1: 4,
    };
    const masks: Masks = new Map();
    for (const l of prunableLayers(spec)) {
      if (!(l.name in dropped)) continue;
      const keep = new Float32Array(l.neurons).fill(1);
      keep[dropped[l.name]] = 0;
      masks.set(l.kernelName, tf.tensor1d(keep));
    }
    for (const training of [false, true]) {
      const r = forward(m, x, { masks, tap: true, training });
      for (const [layer, unit] of Object.entries(dropped)) {
        const tap = r.taps.get(layer)!;
        const c = tap.shape[tap.rank - 1]!;
        const stats = tf.tidy(() => {
          const flat = tf.reshape(tap, [-1, c]); // [N, C]
          return tf.max(tf.abs(flat), 0); // [C]
        });
        const mx = await stats.data();
        stats.dispose();
        expect(mx[unit], `${layer} unit ${unit} training=${training}`).toBe(0);
        expect(Math.max(...Array.from(mx).filter((_, i) => i !== unit)), layer).toBeGreaterThan(0);
      }
      disposeResult(r);
    }
    tf.dispose([x, ...masks.values()]);
  });
});

describe('inject', () => {
  it('∂loss/∂inject equals finite differences of the loss wrt the activation', async () => {
    for (const [spec, layer] of [
      [everyLayerSpec(), 'b1/conv1'],
      [everyLayerSpec(), 'b2/conv2'],
      [validConvSpec(), 'c1'],
      [validConvSpec(), 'd1'],
    ] as const) {
      const m = make(spec, 11);
      const x = randomInput(spec, 2, 4);
      const labels = tf.tensor1d([0, 2], 'int32');
      const shape = [2, ...prunableLayers(spec).find((l) => l.name === layer)!.outShape];
      const loss = (inj: tf.Tensor): tf.Scalar =>
        tf.tidy(() => {
          const logits = forward(m, x, { inject: new Map([[layer, inj]]) }).logits;
          return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), logits) as tf.Scalar;
        });
      const zero = tf.zeros(shape);
      const g = tf.grad(loss)(zero);
      const gd = await g.data();
      const size = gd.length;
      const h = 1e-2;
      const lossAt = async (i: number, d: number): Promise<number> => {
        const e = new Float32Array(size);
        e[i] = d;
        const t = tf.tensor(e, shape);
        const l = loss(t);
        const v = (await l.data())[0];
        tf.dispose([t, l]);
        return v;
      };
      const l0 = await lossAt(0, 0);
      let checked = 0;
      for (let k = 0; k < 12; k++) {
        const i = Math.floor(((k + 0.5) / 12) * size);
        const [lp, lm] = [await lossAt(i, h), await lossAt(i, -h)];
        // skip kinks (a ReLU at 0, a max-pool tie): one-sided slopes disagree there
        if (Math.abs((lp - l0) / h - (l0 - lm) / h) > 0.1 * Math.abs((lp - lm) / (2 * h)) + 1e-3)
          continue;
        const fd = (lp - lm) / (2 * h);
        expect(Math.abs(fd - gd[i]), `${spec.name} ${layer}[${i}]`).toBeLessThan(
          1e-3 + 0.02 * Math.abs(fd),
        );
        if (gd[i] !== 0) checked++;
      }
      expect(checked, layer).toBeGreaterThan(0);
      tf.dispose([x, labels, zero, g]);
    }
  });
  it('inject is added after the activation and flows on: analytic ∂CE/∂a of the last hidden layer', async () => {
    const spec = validConvSpec();
    const m = make(spec, 12);
    const x = randomInput(spec, 2, 8);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 2], 'int32'), 3));
    const zero = tf.zeros([2, 5]);
    const g = tf.grad((inj: tf.Tensor) =>
      tf.losses.softmaxCrossEntropy(y, forward(m, x, { inject: new Map([['d1', inj]]) }).logits),
    )(zero);
    // logits = a·W + b  ⇒  ∂mean CE/∂a = (softmax(logits) − y)·Wᵀ / B
    const expected = tf.tidy(() => {
      const logits = forward(m, x).logits;
      const w = m.params.get('out/kernel')!;
      return tf.div(tf.matMul(tf.sub(tf.softmax(logits), y), w, false, true), 2);
    });
    expect(await maxAbsDiff(g, expected)).toBeLessThan(1e-6);
    // injecting −a cancels the activation: the head then sees 0 and outputs its bias (0 at init)
    const r = forward(m, x, { tap: true });
    const neg = tf.neg(r.taps.get('d1')!);
    const cancelled = forward(m, x, { inject: new Map([['d1', neg]]) });
    const zeros = tf.zeros([2, 3]);
    expect(await maxAbsDiff(cancelled.logits, zeros)).toBe(0);
    expect(await maxAbsDiff(r.logits, zeros)).toBeGreaterThan(1e-3);
    tf.dispose([x, y, zero, g, expected, neg, zeros]);
    [r, cancelled].forEach(disposeResult);
  });
});

describe('batch norm', () => {
  const bnSpec = (): ModelSpec => ({
    name: 'bn',
    inputShape: [5, 5, 2],
    numClasses: 2,
    layers: [
      { kind: 'conv2d', name: 'c', filters: 3, kernelSize: 3, batchNorm: true, activation: 'none' },
      { kind: 'globalAvgPool', name: 'gap' },
      { kind: 'dense', name: 'out', units: 2, activation: 'none' },
    ],
  });

  it('training mode normalizes with batch stats (per-channel mean 0, var 1) and reports them', async () => {
    const m = make(bnSpec());
    const x = randomInput(m.spec, 4, 2);
    const r = forward(m, x, { training: true, tap: true });
    const tap = r.taps.get('c')!; // [4, 5, 5, 3], BN output (no activation)
    const { mean, variance } = tf.moments(tap, [0, 1, 2]);
    for (const v of await mean.data()) expect(Math.abs(v)).toBeLessThan(1e-5);
    for (const v of await variance.data()) expect(Math.abs(v - 1)).toBeLessThan(1e-3);
    const conv = tf.conv2d(x, m.params.get('c/kernel') as tf.Tensor4D, 1, 'same');
    const ref = tf.moments(conv, [0, 1, 2]);
    const stats = r.bnBatchStats.get('c/bn')!;
    expect(await maxAbsDiff(stats.mean, ref.mean)).toBeLessThan(1e-6);
    expect(await maxAbsDiff(stats.variance, ref.variance)).toBeLessThan(1e-6);
    tf.dispose([x, mean, variance, conv, ref.mean, ref.variance]);
    disposeResult(r);
  });

  it('inference mode uses the running stats; updateBnRunningStats folds batch stats in', async () => {
    const m = make(bnSpec());
    const mm = m.buffers.get('c/bn/movingMean')!;
    const mv = m.buffers.get('c/bn/movingVariance')!;
    tf.tidy(() => {
      mm.assign(tf.tensor1d([0.3, -0.2, 0.1]));
      mv.assign(tf.tensor1d([2, 0.5, 1.5]));
    });
    const x = randomInput(m.spec, 2, 3);
    const r = forward(m, x, { tap: true });
    const expected = tf.tidy(() => {
      const conv = tf.conv2d(x, m.params.get('c/kernel') as tf.Tensor4D, 1, 'same');
      return tf.div(tf.sub(conv, mm), tf.sqrt(tf.add(mv, BN_EPSILON)));
    });
    expect(await maxAbsDiff(r.taps.get('c')!, expected)).toBeLessThan(1e-5);
    const t = forward(m, x, { training: true });
    updateBnRunningStats(m, t.bnBatchStats, 0.1);
    const s = t.bnBatchStats.get('c/bn')!;
    const want = tf.tidy(() =>
      tf.add(tf.mul(tf.tensor1d([0.3, -0.2, 0.1]), 0.9), tf.mul(s.mean, 0.1)),
    );
    const wantVar = tf.tidy(() =>
      tf.add(tf.mul(tf.tensor1d([2, 0.5, 1.5]), 0.9), tf.mul(s.variance, 0.1)),
    );
    expect(await maxAbsDiff(mm, want)).toBeLessThan(1e-6);
    expect(await maxAbsDiff(mv, wantVar)).toBeLessThan(1e-6);
    expect(() => updateBnRunningStats(m, new Map([['nope/bn', s]]))).toThrow(
      /no batch norm 'nope\/bn'/,
    );
    tf.dispose([x, expected, want, wantVar]);
    [r, t].forEach(disposeResult);
  });
});

describe('differentiability', () => {
  /** Central finite difference of f wrt entry i of variable v (restores v). */
  async function fdEntry(f: () => tf.Scalar, v: tf.Variable, i: number, h = 1e-2): Promise<number> {
    const v0 = new Float32Array(await v.data());
    const at = async (d: number): Promise<number> => {
      const e = v0.slice();
      e[i] += d;
      tf.tidy(() => v.assign(tf.tensor(e, v.shape)));
      const l = tf.tidy(f);
      const out = (await l.data())[0];
      l.dispose();
      return out;
    };
    const fd = ((await at(h)) - (await at(-h))) / (2 * h);
    tf.tidy(() => v.assign(tf.tensor(v0, v.shape)));
    return fd;
  }

  it('variableGrads through masks: masked weights get 0 gradient, others match finite differences', async () => {
    const spec: ModelSpec = {
      name: 'mlp-tiny',
      inputShape: [2, 2, 1],
      numClasses: 3,
      layers: [
        { kind: 'flatten', name: 'f' },
        { kind: 'dense', name: 'h', units: 5 },
        { kind: 'dense', name: 'out', units: 3, activation: 'none' },
      ],
    };
    const m = make(spec, 2);
    const x = randomInput(spec, 3, 5);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3));
    const maskData = new Float32Array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1]);
    const masks: Masks = new Map([['h/kernel', tf.tensor(maskData, [4, 5])]]);
    const f = (): tf.Scalar =>
      tf.losses.softmaxCrossEntropy(y, forward(m, x, { masks }).logits) as tf.Scalar;
    const kernel = m.params.get('h/kernel')!;
    const { value, grads } = tf.variableGrads(f, [...m.params.values()]);
    expect(Object.keys(grads).length).toBe(m.params.size);
    const gk = await grads[kernel.name].data();
    let nonzero = 0;
    for (let i = 0; i < maskData.length; i++) {
      if (maskData[i] === 0) {
        expect(gk[i]).toBe(0);
        continue;
      }
      const fd = await fdEntry(f, kernel, i);
      expect(Math.abs(fd - gk[i]), `h/kernel[${i}]`).toBeLessThan(1e-3 + 0.02 * Math.abs(fd));
      if (gk[i] !== 0) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(3);
    tf.dispose([value, ...Object.values(grads), x, y, ...masks.values()]);
  });

  it('conv + BN (training mode) + residual: parameter gradients match finite differences (CPU backend)', async () => {
    // The WASM backend lacks Conv2DBackpropFilter until the backend module registers it.
    const prev = tf.getBackend();
    await tf.setBackend('cpu');
    try {
      const spec = everyLayerSpec();
      const m = initModel(spec, 4);
      const x = randomInput(spec, 3, 6);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3));
      const f = (): tf.Scalar =>
        tf.losses.softmaxCrossEntropy(y, forward(m, x, { training: true }).logits) as tf.Scalar;
      const { value, grads } = tf.variableGrads(f, [...m.params.values()]);
      for (const name of [
        'c1/kernel',
        'b1/conv2/kernel',
        'b1/shortcut/bn/gamma',
        'b2/conv1/bn/beta',
      ]) {
        const v = m.params.get(name)!;
        const g = await grads[v.name].data();
        for (const i of [0, Math.floor(g.length / 2), g.length - 1]) {
          const fd = await fdEntry(f, v, i, 5e-3);
          expect(Math.abs(fd - g[i]), `${name}[${i}]`).toBeLessThan(2e-3 + 0.03 * Math.abs(fd));
        }
      }
      tf.dispose([value, ...Object.values(grads), x, y]);
      disposeModel(m);
    } finally {
      await tf.setBackend(prev);
    }
  });
});

describe('logitsFn and leaks', () => {
  it('logitsFn returns the forward logits and nothing else', async () => {
    const m = make(lenetSpec());
    const x = randomInput(m.spec, 2);
    const masks: Masks = new Map([['conv1/kernel', tf.tensor1d([1, 0, 1, 1, 0, 1])]]);
    const fn = logitsFn(m, { masks });
    const r = forward(m, x, { masks });
    const before = tf.memory().numTensors;
    const l = fn(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(await maxAbsDiff(l, r.logits)).toBe(0);
    tf.dispose([x, l, ...masks.values()]);
    disposeResult(r);
  });

  it('forward does not leak (plain, masked, tapped, training, inject)', async () => {
    const spec = everyLayerSpec();
    const m = make(spec);
    const x = randomInput(spec, 2);
    const masks: Masks = new Map([
      ['c1/kernel', tf.tensor1d([1, 0, 1])],
      ['b1/conv2/kernel', randomMask([3, 3, 4, 4], 0.5, 3)],
    ]);
    const inject = new Map([['b1/conv1', tf.zeros([2, 3, 3, 4])]]);
    for (const opts of [
      {},
      { masks },
      { tap: true },
      { training: true },
      { masks, tap: true, training: true, inject },
    ])
      await expectNoLeak(() => disposeResult(forward(m, x, opts)));
    await expectNoLeak(() => tf.dispose(logitsFn(m, { masks, training: true })(x)));
    await expectNoLeak(() => {
      const r = forward(m, x, { training: true });
      updateBnRunningStats(m, r.bnBatchStats);
      disposeResult(r);
    });
    await expectNoLeak(() => {
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1], 'int32'), 3));
      const g = tf.grad((inj: tf.Tensor) =>
        tf.losses.softmaxCrossEntropy(
          y,
          forward(m, x, { inject: new Map([['b1/conv1', inj]]), tap: true }).logits,
        ),
      )(inject.get('b1/conv1')!);
      tf.dispose([y, g]);
    });
    tf.dispose([x, ...masks.values(), ...inject.values()]);
  });
});
