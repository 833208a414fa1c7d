// Fashion-MNIST: the shipped test split loads through a reader function with the right shape,
// range and class balance; loadIdxPair accepts gzipped and plain files; reader failures and
// wrong files give typed errors.
import { describe, expect, it } from 'vitest';
import {
  DatasetError,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  classCounts,
  loadFashionMnist,
  loadIdxPair,
} from '@/engine/data';
import { gzip, idxBytes, readFashionFile } from './fixtures';

async function problemOf(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('Fashion-MNIST', () => {
  it('loads the real test split: 10000×28×28×1, labels 0..9, 1000 per class, pixels in [0, 1]', async () => {
    const requested: string[] = [];
    const ds = await loadFashionMnist((f) => {
      requested.push(f);
      return readFashionFile(f);
    }, 'test');
    expect(requested.sort()).toEqual(
      [FASHION_MNIST_FILES.test.images, FASHION_MNIST_FILES.test.labels].sort(),
    );
    expect(ds.name).toBe('fashion-mnist-test');
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.labels.length).toBe(10000);
    expect(ds.images.length).toBe(10000 * 784);
    expect(ds.numClasses).toBe(10);
    expect(ds.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    expect(classCounts(ds)).toEqual(new Array(10).fill(1000));
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of ds.images) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    const mean = sum / ds.images.length;
    expect(mean).toBeGreaterThan(0.2); // Fashion-MNIST's mean pixel is about 0.286
    expect(mean).toBeLessThan(0.4);
    // pixels are multiples of 1/255
    for (let i = 0; i < 5000; i += 7) {
      expect(Math.abs(ds.images[i] * 255 - Math.round(ds.images[i] * 255))).toBeLessThan(1e-4);
    }
  });

  it('loadIdxPair reads gzipped and plain files alike', async () => {
    const images = idxBytes([2, 2, 2], [0, 255, 255, 0, 51, 51, 51, 51]);
    const labels = idxBytes([2], [3, 1]);
    const info = { imagesFile: 'i', labelsFile: 'l', name: 'pair', numClasses: 4 };
    const plain = await loadIdxPair({ ...info, imagesBytes: images, labelsBytes: labels });
    const zipped = await loadIdxPair({
      ...info,
      imagesBytes: gzip(images),
      labelsBytes: gzip(labels),
    });
    expect(Array.from(zipped.images)).toEqual(Array.from(plain.images));
    expect(Array.from(zipped.labels)).toEqual([3, 1]);
    expect(plain.images[1]).toBe(1);
    expect(plain.images[4]).toBeCloseTo(0.2, 6);
    const big = await problemOf(
      loadIdxPair({ ...info, imagesBytes: gzip(images), labelsBytes: labels, maxBytes: 10 }),
    );
    expect(big.problem).toBe('too-large');
    expect(big.file).toBe('i');
  });

  it('a failing reader gives unreadable; a wrong-size image file gives bad-shape', async () => {
    const e = await problemOf(
      loadFashionMnist(async (f) => {
        throw new Error(`404 for ${f}`);
      }, 'train'),
    );
    expect(e.problem).toBe('unreadable');
    expect(e.message).toContain('404');
    const small = await problemOf(
      loadFashionMnist(
        async (f) =>
          f.includes('images') ? idxBytes([1, 2, 2], [1, 2, 3, 4]) : idxBytes([1], [0]),
        'train',
      ),
    );
    expect(small.problem).toBe('bad-shape');
    expect(small.file).toBe(FASHION_MNIST_FILES.train.images);
  });

  it('a truncated real file names the file', async () => {
    const e = await problemOf(
      loadFashionMnist(async (f) => {
        const b = await readFashionFile(f);
        return f.includes('labels') ? b.subarray(0, b.length - 100) : b;
      }, 'test'),
    );
    expect(e.problem).toBe('bad-gzip');
    expect(e.file).toBe(FASHION_MNIST_FILES.test.labels);
  });
});
