// Session: loading a user's dataset files (IDX pairs gz or raw, CIFAR batches), readable errors
// that keep the previous dataset, models that must fit the dataset.
import { describe, expect, it } from 'vitest';
import { Session, SessionError } from '@/engine/session';
import { gzip, idxBytes } from '../data/fixtures';
import { tinySession } from './helpers';

const buf = (u: Uint8Array): ArrayBuffer => u.slice().buffer as ArrayBuffer;

function idxPair(n: number, h = 6, w = 6, classes = 3) {
  const pixels = Array.from({ length: n * h * w }, (_, i) => (i * 37) % 256);
  const labels = Array.from({ length: n }, (_, i) => i % classes);
  return { images: idxBytes([n, h, w], pixels), labels: idxBytes([n], labels) };
}

describe('Session datasets', () => {
  it('loads an IDX pair given in either order, gzipped or raw, splitting off test and validation', async () => {
    const s = new Session();
    const { images, labels } = idxPair(70);
    const info = await s.loadDatasetFiles([
      { name: 'my-labels.gz', bytes: buf(gzip(labels)) },
      { name: 'my-images', bytes: buf(images) },
    ]);
    expect(info.shape).toEqual([6, 6, 1]);
    expect(info.numClasses).toBe(3);
    expect(info.testSource).toBe('split');
    expect(info.train + info.val + info.test).toBe(70);
    expect(Math.abs(info.test - 70 / 7)).toBeLessThanOrEqual(2); // stratified rounding
    expect(info.val).toBeGreaterThan(0);
    expect(info.budget.dataset).toBe('fashion-mnist');
  });

  it('pairs two IDX pairs by count and takes the t10k pair as the test set', async () => {
    const s = new Session();
    const a = idxPair(30);
    const b = idxPair(12);
    const info = await s.loadDatasetFiles([
      { name: 't10k-images', bytes: buf(b.images) },
      { name: 'train-labels', bytes: buf(a.labels) },
      { name: 't10k-labels', bytes: buf(b.labels) },
      { name: 'train-images', bytes: buf(a.images) },
    ]);
    expect(info.test).toBe(12);
    expect(info.train + info.val).toBe(30);
    expect(info.testSource).toBe('test files');
  });

  it('loads CIFAR-10 binary batches (train and test by name)', async () => {
    const rec = (label: number) => {
      const r = new Uint8Array(3073);
      r[0] = label;
      r.fill(label * 20, 1);
      return r;
    };
    const file = (n: number) => {
      const out = new Uint8Array(n * 3073);
      for (let i = 0; i < n; i++) out.set(rec(i % 10), i * 3073);
      return out;
    };
    const s = new Session();
    const info = await s.loadDatasetFiles([
      { name: 'data_batch_1.bin', bytes: buf(file(20)) },
      { name: 'test_batch.bin', bytes: buf(file(10)) },
    ]);
    expect(info.shape).toEqual([32, 32, 3]);
    expect(info.numClasses).toBe(10);
    expect(info.test).toBe(10);
    expect(info.budget.dataset).toBe('cifar10');
  });

  it('refuses bad files with readable errors and keeps the previous dataset', async () => {
    const s = tinySession();
    const before = s.datasetInfo();
    const { images, labels } = idxPair(20);
    await expect(s.loadDatasetFiles([{ name: 'imgs.idx', bytes: buf(images) }])).rejects.toThrow(
      /imgs\.idx: .*no labels file was given/,
    );
    await expect(s.loadDatasetFiles([{ name: 'labels.idx', bytes: buf(labels) }])).rejects.toThrow(
      /no images file/,
    );
    const corrupt = gzip(images).slice(0, 40);
    await expect(
      s.loadDatasetFiles([
        { name: 'broken.gz', bytes: buf(corrupt) },
        { name: 'labels', bytes: buf(labels) },
      ]),
    ).rejects.toThrow(/broken\.gz/);
    await expect(
      s.loadDatasetFiles([{ name: 'junk.bin', bytes: buf(new Uint8Array([1, 2, 3, 4, 5])) }]),
    ).rejects.toThrow(/junk\.bin: .*not a CIFAR binary batch either/);
    const other = idxPair(20, 6, 6);
    await expect(
      s.loadDatasetFiles([
        { name: 'a-images', bytes: buf(other.images) },
        { name: 'b-labels', bytes: buf(idxBytes([19], Array(19).fill(0))) },
      ]),
    ).rejects.toThrow(/20 images, and no labels file holds 20 labels/);
    await expect(s.loadDatasetFiles([])).rejects.toThrow(/no file/);
    expect(s.datasetInfo()).toEqual(before);
    // the session still works on the old dataset
    const sum = await s.computeScores({ criterion: 'magnitude', granularity: 'unstructured' });
    expect(sum.layers.length).toBe(3);
  });

  it('refuses a model that does not fit the dataset, naming both shapes', async () => {
    const s = tinySession();
    const { images, labels } = idxPair(40, 6, 6, 3);
    await s.loadDatasetFiles([
      { name: 'i', bytes: buf(images) },
      { name: 'l', bytes: buf(labels) },
    ]);
    await expect(
      s.computeScores({ criterion: 'magnitude', granularity: 'unstructured' }),
    ).rejects.toThrow(/8×8×1 images with 4 classes, the dataset has 6×6×1 with 3/);
    const info = s.newModel('mlp', 3);
    expect(info.spec.inputShape).toEqual([6, 6, 1]);
    expect(info.spec.numClasses).toBe(3);
    expect(() => s.newModel('nope', 1)).toThrow(SessionError);
    await s.dispose();
  });

  it('imports a safetensors export and refuses a model.json given alone', async () => {
    const s = tinySession();
    const [f] = await s.exportFiles('safetensors');
    const t = new Session();
    const info = await t.importModel(f.bytes, f.name);
    expect(info.spec.name).toBe('tiny-conv');
    expect(info.source).toBe(f.name);
    const files = await s.exportFiles('tfjs');
    const json = new TextDecoder().decode(files[0].bytes);
    await expect(t.importModel(files[0].bytes, 'model.json')).rejects.toThrow(/weights\.bin/);
    const info2 = await t.importTfjs(json, files[1].bytes);
    expect(info2.params).toBe(info.params);
    await expect(t.importModel(new Uint8Array([1, 2, 3]).buffer, 'x.safetensors')).rejects.toThrow(
      /x\.safetensors/,
    );
    expect(t.modelInfo()?.source).toBe('model.json');
    await s.dispose();
    await t.dispose();
  });
});
