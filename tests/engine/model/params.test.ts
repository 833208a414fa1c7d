/**
 * Spec validation, shape inference, parameter names/shapes/order and prunable layers.
 */
import { describe, expect, it } from 'vitest';
import {
  ARCHITECTURES,
  SpecError,
  bufferNames,
  lenetSpec,
  mlpSpec,
  paramNames,
  paramShapes,
  prunableLayers,
  resnetSmallSpec,
  vggSmallSpec,
} from '@/engine/model';
import type { ModelSpec } from '@/engine/model';

const withLayers = (layers: unknown[], inputShape = [8, 8, 1], numClasses = 3): ModelSpec =>
  ({ name: 't', inputShape, numClasses, layers }) as ModelSpec;

describe('paramShapes', () => {
  it('MLP: kernels [in, out] and biases in forward order', () => {
    const ps = paramShapes(mlpSpec());
    expect(ps.map((p) => [p.name, p.shape, p.kind])).toEqual([
      ['fc1/kernel', [784, 300], 'kernel'],
      ['fc1/bias', [300], 'bias'],
      ['fc2/kernel', [300, 100], 'kernel'],
      ['fc2/bias', [100], 'bias'],
      ['fc3/kernel', [100, 10], 'kernel'],
      ['fc3/bias', [10], 'bias'],
    ]);
    expect(ps.every((p) => p.trainable)).toBe(true);
  });

  it('LeNet: HWIO conv kernels and 5·5·16 flatten', () => {
    const shapes = Object.fromEntries(paramShapes(lenetSpec()).map((p) => [p.name, p.shape]));
    expect(shapes['conv1/kernel']).toEqual([5, 5, 1, 6]);
    expect(shapes['conv2/kernel']).toEqual([5, 5, 6, 16]);
    expect(shapes['fc1/kernel']).toEqual([400, 120]);
    expect(shapes['fc3/kernel']).toEqual([84, 10]);
  });

  it('ResNet: BN convs have no bias; buffers are not trainable; shortcut only where needed', () => {
    const spec = resnetSmallSpec();
    const names = paramShapes(spec).map((p) => p.name);
    expect(names.slice(0, 6)).toEqual([
      'stem/kernel',
      'stem/bn/gamma',
      'stem/bn/beta',
      'stem/bn/movingMean',
      'stem/bn/movingVariance',
      'block1/conv1/kernel',
    ]);
    expect(names).not.toContain('stem/bias');
    expect(names).not.toContain('block1/shortcut/kernel'); // 16 → 16, stride 1: identity
    expect(names).toContain('block2/shortcut/kernel');
    expect(bufferNames(spec).every((n) => /movingMean|movingVariance/.test(n))).toBe(true);
    expect(paramNames(spec).some((n) => /moving/.test(n))).toBe(false);
    expect(paramNames(spec).length + bufferNames(spec).length).toBe(names.length);
  });

  it('names are unique for every architecture', () => {
    for (const make of Object.values(ARCHITECTURES)) {
      const names = paramShapes(make()).map((p) => p.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});

describe('prunableLayers', () => {
  it('VGG-small: neurons, fan-in and spatial sizes', () => {
    const ls = prunableLayers(vggSmallSpec());
    expect(ls.map((l) => [l.name, l.neurons, l.fanIn, l.outHeight])).toEqual([
      ['conv1', 32, 9, 28],
      ['conv2', 32, 288, 28],
      ['conv3', 64, 288, 14],
      ['conv4', 64, 576, 14],
      ['fc1', 128, 7 * 7 * 64, 1],
      ['fc2', 10, 128, 1],
    ]);
  });

  it('ResNet-small: block convs and shortcuts with BN names and strides', () => {
    const ls = prunableLayers(resnetSmallSpec());
    expect(ls.map((l) => l.name)).toEqual([
      'stem',
      'block1/conv1',
      'block1/conv2',
      'block2/conv1',
      'block2/conv2',
      'block2/shortcut',
      'block3/conv1',
      'block3/conv2',
      'block3/shortcut',
      'fc',
    ]);
    const b2 = Object.fromEntries(ls.map((l) => [l.name, l]));
    expect(b2['block2/conv1'].outShape).toEqual([16, 16, 32]);
    expect(b2['block2/shortcut'].kernelShape).toEqual([1, 1, 16, 32]);
    expect(b2['block2/shortcut'].bnName).toBe('block2/shortcut/bn');
    expect(b2['block3/conv2'].outShape).toEqual([8, 8, 64]);
    expect(b2.fc.fanIn).toBe(64);
    expect(b2.fc.bnName).toBeNull();
    expect(b2['block1/conv2'].activation).toBe('none'); // tapped pre-add
  });
});

describe('spec errors name the layer', () => {
  const head = [
    { kind: 'flatten', name: 'zz' },
    { kind: 'dense', name: 'head', units: 3 },
  ];
  const conv = (name: string, extra: object): object => ({
    kind: 'conv2d',
    name,
    filters: 2,
    kernelSize: 3,
    ...extra,
  });
  const bad: [string, unknown[], string | undefined][] = [
    [
      'valid conv larger than input',
      [conv('big', { kernelSize: 9, padding: 'valid' }), ...head],
      'big',
    ],
    ['zero filters', [conv('c0', { filters: 0 }), ...head], 'c0'],
    ['fractional stride', [conv('cs', { stride: 1.5 }), ...head], 'cs'],
    ['bad padding', [conv('cp', { padding: 'full' }), ...head], 'cp'],
    ['dense on an image', [{ kind: 'dense', name: 'd', units: 3 }], 'd'],
    ['pool larger than input', [{ kind: 'maxPool', name: 'p', size: 16 }, ...head], 'p'],
    ['unknown kind', [{ kind: 'lstm', name: 'x' }, ...head], 'x'],
    ['conv after flatten', [{ kind: 'flatten', name: 'f' }, conv('cf', {}), ...head], 'cf'],
    [
      'classifier width ≠ numClasses',
      [
        { kind: 'flatten', name: 'f' },
        { kind: 'dense', name: 'out', units: 4 },
      ],
      'out',
    ],
    ['last layer not dense', [conv('c', {}), { kind: 'globalAvgPool', name: 'gap' }], 'gap'],
    [
      'duplicate name',
      [
        { kind: 'flatten', name: 'f' },
        { kind: 'dense', name: 'f', units: 3 },
      ],
      'f',
    ],
    [
      'reserved name',
      [
        { kind: 'flatten', name: 'mask' },
        { kind: 'dense', name: 'head', units: 3 },
      ],
      undefined,
    ],
    [
      'slash in a name',
      [
        { kind: 'flatten', name: 'a/b' },
        { kind: 'dense', name: 'head', units: 3 },
      ],
      undefined,
    ],
  ];
  for (const [what, layers, layer] of bad) {
    it(what, () => {
      let err: unknown;
      try {
        paramShapes(withLayers(layers));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).layer).toBe(layer);
      if (layer) expect((err as Error).message).toContain(`'${layer}'`);
    });
  }

  it('accepts a well-formed custom spec', () => {
    const spec = withLayers([
      { kind: 'conv2d', name: 'c', filters: 2, kernelSize: 3, padding: 'valid', stride: 2 },
      { kind: 'flatten', name: 'f' },
      { kind: 'dense', name: 'head', units: 3 },
    ]);
    expect(prunableLayers(spec)[0].outShape).toEqual([3, 3, 2]); // ⌊(8−3)/2⌋+1
    expect(prunableLayers(spec)[1].fanIn).toBe(18);
  });

  it('rejects a malformed input shape', () => {
    expect(() =>
      paramShapes({ ...mlpSpec(), inputShape: [28, 28] as unknown as [number, number, number] }),
    ).toThrow(SpecError);
  });
});
