/**
 * Model files: safetensors and tfjs weights round trips (bit-exact, all four architectures, with
 * masks), compatibility with tf.io weight decoding, validation against the spec, leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ARCHITECTURES,
  ModelFormatError,
  decodeSafetensors,
  disposeModel,
  encodeSafetensors,
  forward,
  getWeights,
  initModel,
  lenetSpec,
  loadModelSafetensors,
  loadModelTfjs,
  prunableLayers,
  readMasks,
  saveModelSafetensors,
  saveModelTfjs,
  updateBnRunningStats,
} from '@/engine/model';
import type { Masks, Model, ModelSpec, TfjsModelJson } from '@/engine/model';
import { expectNoLeak, randomInput } from './helpers';

const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** A model with non-trivial BN running stats, and three masks: [out], full 0/1, full fractional. */
function fixture(spec: ModelSpec, seed: number): { model: Model; masks: Masks } {
  const model = initModel(spec, seed);
  if (model.buffers.size > 0) {
    const x = randomInput(spec, 2, seed);
    const r = forward(model, x, { training: true });
    updateBnRunningStats(model, r.bnBatchStats, 0.5);
    tf.dispose([x, r.logits, ...[...r.bnBatchStats.values()].flatMap((s) => [s.mean, s.variance])]);
  }
  const ls = prunableLayers(spec);
  const bin = (shape: number[], keep: number): tf.Tensor =>
    tf.tidy(() =>
      tf.cast(tf.less(tf.randomUniform(shape, 0, 1, 'float32', seed), keep), 'float32'),
    );
  const last = ls[ls.length - 1];
  const masks: Masks = new Map([
    [ls[0].kernelName, bin([ls[0].neurons], 0.7)],
    [ls[1].kernelName, bin(ls[1].kernelShape, 0.5)],
    [last.kernelName, tf.randomUniform(last.kernelShape, 0, 1, 'float32', seed)],
  ]);
  return { model, masks };
}

async function expectSame(
  a: { model: Model; masks: Masks },
  b: { model: Model; masks: Masks },
): Promise<void> {
  expect(b.model.spec).toEqual(a.model.spec);
  const [wa, wb] = [await getWeights(a.model), await getWeights(b.model)];
  expect([...wb.keys()]).toEqual([...wa.keys()]);
  for (const [k, w] of wa) {
    expect(wb.get(k)!.shape).toEqual(w.shape);
    expect(bytesOf(wb.get(k)!.data).equals(bytesOf(w.data)), k).toBe(true);
  }
  expect([...b.model.params.keys()]).toEqual([...a.model.params.keys()]);
  expect([...b.model.buffers.values()].every((v) => !v.trainable)).toBe(true);
  const [ma, mb] = [await readMasks(a.masks), await readMasks(b.masks)];
  expect([...mb.keys()]).toEqual([...ma.keys()]);
  for (const [k, m] of ma) {
    expect(mb.get(k)!.shape).toEqual(m.shape);
    expect(bytesOf(mb.get(k)!.data).equals(bytesOf(m.data)), k).toBe(true);
  }
}

const dispose = (x: { model: Model; masks: Masks }): void => {
  disposeModel(x.model);
  tf.dispose([...x.masks.values()]);
};

const fixtures = new Map(
  Object.entries(ARCHITECTURES).map(([name, make], i) => [name, fixture(make(), i + 1)]),
);
afterAll(() => fixtures.forEach(dispose));

describe('round trips', () => {
  for (const name of Object.keys(ARCHITECTURES)) {
    it(`${name}: safetensors and tfjs are bit-exact, masks included`, async () => {
      const f = fixtures.get(name)!;
      const st = loadModelSafetensors(
        await saveModelSafetensors(f.model, f.masks),
        `${name}.safetensors`,
      );
      await expectSame(f, st);
      dispose(st);
      const { modelJson, weightsBin } = await saveModelTfjs(f.model, f.masks);
      const tj = loadModelTfjs(
        JSON.parse(JSON.stringify(modelJson)),
        weightsBin,
        `${name}/model.json`,
      );
      await expectSame(f, tj);
      dispose(tj);
    });
  }

  it('the loaded model computes the same logits', async () => {
    const f = fixtures.get('lenet')!;
    const back = loadModelSafetensors(
      await saveModelSafetensors(f.model, f.masks),
      'l.safetensors',
    );
    const x = randomInput(f.model.spec, 2);
    const [a, b] = [
      forward(f.model, x, { masks: f.masks }).logits,
      forward(back.model, x, { masks: back.masks }).logits,
    ];
    expect(bytesOf(await b.data()).equals(bytesOf(await a.data()))).toBe(true);
    tf.dispose([x, a, b]);
    dispose(back);
  });
});

describe('layout', () => {
  it('safetensors: names, dtypes, metadata keys', async () => {
    const f = fixtures.get('resnet-small')!;
    const { tensors, metadata } = decodeSafetensors(
      await saveModelSafetensors(f.model, f.masks),
      'r',
    );
    expect(metadata.format).toBe('advprune-lab');
    expect(metadata.format_version).toBe('1');
    expect(JSON.parse(metadata.spec)).toEqual(f.model.spec);
    expect(Number(metadata.bn_epsilon)).toBe(1e-5);
    expect(metadata.layout).toMatch(/HWIO/);
    const byName = new Map(tensors.map((t) => [t.name, t]));
    expect(byName.get('block2/shortcut/bn/movingVariance')!.dtype).toBe('F32');
    expect(byName.get('mask/stem/kernel')!.dtype).toBe('U8'); // 0/1
    expect(byName.get('mask/stem/kernel')!.shape).toEqual([16]);
    expect(byName.get('mask/block1/conv1/kernel')!.dtype).toBe('U8');
    expect(byName.get('mask/fc/kernel')!.dtype).toBe('F32'); // fractional values
    expect(tensors.length).toBe(f.model.params.size + f.model.buffers.size + 3);
  });

  it('tfjs: manifest order, and tf.io.decodeWeights reads weights.bin', async () => {
    const f = fixtures.get('vgg-small')!;
    const { modelJson, weightsBin } = await saveModelTfjs(f.model, f.masks);
    expect(modelJson.format).toBe('advprune-lab');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(modelJson.userDefinedMetadata.advprune.spec).toEqual(f.model.spec);
    const entries = modelJson.weightsManifest[0].weights;
    expect(entries.find((e) => e.name === 'mask/conv1/kernel')!.dtype).toBe('bool');
    const decoded = tf.io.decodeWeights(weightsBin.slice().buffer, entries);
    const w = await getWeights(f.model);
    for (const [name, data] of w)
      expect(bytesOf(await decoded[name].data()).equals(bytesOf(data.data)), name).toBe(true);
    const m = await readMasks(f.masks);
    for (const [k, v] of m) {
      const t = decoded[`mask/${k}`];
      expect(Float32Array.from(await t.data())).toEqual(v.data);
    }
    tf.dispose(Object.values(decoded));
  });
});

describe('validation', () => {
  const F = 'm.safetensors';
  const problem = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelFormatError);
      expect(
        (e as Error).message.startsWith('m.safetensors: ') ||
          (e as Error).message.startsWith('model.json: '),
      ).toBe(true);
      return (e as ModelFormatError).problem;
    }
    return undefined;
  };

  it('safetensors: wrong format, bad spec, missing/extra/misshaped tensors, bad masks', async () => {
    const f = fixtures.get('mlp')!;
    const good = decodeSafetensors(await saveModelSafetensors(f.model, f.masks), F);
    const edit = (tensors = good.tensors, meta: Record<string, string> = {}): Uint8Array =>
      encodeSafetensors(tensors, { ...good.metadata, ...meta });
    expect(problem(() => loadModelSafetensors(edit(undefined, { format: 'pt' }), F))).toBe(
      'bad-metadata',
    );
    expect(problem(() => loadModelSafetensors(edit(undefined, { format_version: '9' }), F))).toBe(
      'bad-metadata',
    );
    expect(problem(() => loadModelSafetensors(edit(undefined, { spec: '{not json' }), F))).toBe(
      'bad-metadata',
    );
    const badSpec = JSON.stringify({ ...f.model.spec, numClasses: 7 });
    expect(problem(() => loadModelSafetensors(edit(undefined, { spec: badSpec }), F))).toBe(
      'bad-metadata',
    );
    const drop = good.tensors.filter((t) => t.name !== 'fc2/bias');
    expect(problem(() => loadModelSafetensors(edit(drop), F))).toBe('spec-mismatch');
    const extra = [
      ...good.tensors,
      { name: 'fc9/bias', dtype: 'F32' as const, shape: [1], data: new Float32Array(1) },
    ];
    expect(problem(() => loadModelSafetensors(edit(extra), F))).toBe('spec-mismatch');
    const reshaped = good.tensors.map((t) =>
      t.name === 'fc2/kernel' ? { ...t, shape: [100, 300] } : t,
    );
    expect(problem(() => loadModelSafetensors(edit(reshaped), F))).toBe('spec-mismatch');
    const u8weight = good.tensors.map((t) =>
      t.name === 'fc3/bias' ? { ...t, dtype: 'U8' as const, data: new Uint8Array(10) } : t,
    );
    expect(problem(() => loadModelSafetensors(edit(u8weight), F))).toBe('bad-dtype');
    const badMask = [
      ...good.tensors.filter((t) => t.name !== 'mask/fc2/kernel'),
      { name: 'mask/fc2/kernel', dtype: 'U8' as const, shape: [7], data: new Uint8Array(7) },
    ];
    expect(problem(() => loadModelSafetensors(edit(badMask), F))).toBe('spec-mismatch');
    const strayMask = [
      ...good.tensors,
      { name: 'mask/nope/kernel', dtype: 'U8' as const, shape: [1], data: new Uint8Array(1) },
    ];
    expect(problem(() => loadModelSafetensors(edit(strayMask), F))).toBe('spec-mismatch');
    expect(problem(() => loadModelSafetensors(new Uint8Array(3), F))).toBe('truncated');
  });

  it('tfjs: wrong format, size mismatch, bad dtype, duplicate names', async () => {
    const f = fixtures.get('mlp')!;
    const { modelJson, weightsBin } = await saveModelTfjs(f.model, f.masks);
    const clone = (): TfjsModelJson => JSON.parse(JSON.stringify(modelJson));
    const load = (j: unknown, bin = weightsBin): unknown => loadModelTfjs(j, bin, 'model.json');
    expect(problem(() => load(null))).toBe('bad-json');
    expect(problem(() => load({ ...clone(), format: 'layers-model' }))).toBe('bad-metadata');
    expect(problem(() => load(clone(), weightsBin.subarray(0, 100)))).toBe('truncated');
    expect(problem(() => load(clone(), new Uint8Array(weightsBin.length + 4)))).toBe(
      'size-mismatch',
    );
    const dt = clone();
    (dt.weightsManifest[0].weights[0] as { dtype: string }).dtype = 'float16';
    expect(problem(() => load(dt))).toBe('bad-dtype');
    const dup = clone();
    dup.weightsManifest[0].weights[1].name = dup.weightsManifest[0].weights[0].name;
    expect(problem(() => load(dup))).toBe('bad-name');
    const noMeta = clone() as unknown as Record<string, unknown>;
    delete noMeta.userDefinedMetadata;
    expect(problem(() => load(noMeta))).toBe('bad-metadata');
  });
});

describe('leaks', () => {
  it('save, load and dispose leave the tensor count unchanged', async () => {
    const f = fixtures.get('lenet')!;
    await expectNoLeak(async () =>
      dispose(loadModelSafetensors(await saveModelSafetensors(f.model, f.masks), 'a')),
    );
    await expectNoLeak(async () => {
      const { modelJson, weightsBin } = await saveModelTfjs(f.model, f.masks);
      dispose(loadModelTfjs(modelJson, weightsBin, 'b'));
    });
    const bytes = await saveModelSafetensors(f.model);
    await expectNoLeak(() => {
      try {
        loadModelSafetensors(bytes.subarray(0, bytes.length - 4), 'c');
      } catch {
        // corrupt file: nothing may be allocated
      }
    });
  });

  it('a spec for lenet loads into a working model even with no masks', async () => {
    const m = initModel(lenetSpec(), 9);
    const back = loadModelSafetensors(await saveModelSafetensors(m), 'n');
    expect(back.masks.size).toBe(0);
    disposeModel(m);
    dispose(back);
  });
});
