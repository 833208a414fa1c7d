// CIFAR binary batches: hand-built CHW records round-trip to HWC pixels, CIFAR-100 fine/coarse
// labels, concatenation of batches, and typed errors for partial records and bad labels.
import { describe, expect, it } from 'vitest';
import {
  CIFAR10_CLASSES,
  DatasetError,
  parseCifarBatches,
  parseCifarBinary,
  parseCifarLabelNames,
} from '@/engine/data';
import type { Dataset } from '@/engine/data';
import { cifarBytes, pixelCode } from './fixtures';

/** Every pixel of sample `k` of `ds` equals the code its CHW source byte held, read back as HWC. */
function expectPixels(ds: Dataset, k: number, sourceK = k): void {
  const [h, w, c] = ds.shape;
  let bad = 0;
  for (let r = 0; r < h; r++)
    for (let col = 0; col < w; col++)
      for (let ch = 0; ch < c; ch++) {
        const got = ds.images[((k * h + r) * w + col) * c + ch];
        if (Math.abs(got - pixelCode(sourceK, r, col, ch) / 255) > 1e-7) bad++;
      }
  expect(bad).toBe(0);
}

function problemOf(f: () => unknown): DatasetError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('CIFAR-10', () => {
  it('round-trips labels and CHW → HWC pixels', () => {
    const ds = parseCifarBinary(cifarBytes([[3], [0], [9]]), 'data_batch_1.bin', {
      variant: 'cifar10',
    });
    expect(ds.shape).toEqual([32, 32, 3]);
    expect(ds.numClasses).toBe(10);
    expect(Array.from(ds.labels)).toEqual([3, 0, 9]);
    expect(ds.classNames).toEqual([...CIFAR10_CLASSES]);
    expect(ds.images.length).toBe(3 * 3072);
    for (let k = 0; k < 3; k++) expectPixels(ds, k);
    // spot check one pixel by hand: sample 1, row 2, col 5, green = (2·7 + 5·3 + 101 + 13) / 255
    expect(ds.images[((1 * 32 + 2) * 32 + 5) * 3 + 1]).toBeCloseTo(143 / 255, 7);
  });

  it('concatenates several batches in order', () => {
    const a = cifarBytes([[1], [2]]);
    const b = cifarBytes([[7]]);
    const ds = parseCifarBatches(
      [
        { bytes: a, file: 'data_batch_1.bin' },
        { bytes: b, file: 'data_batch_2.bin' },
      ],
      { variant: 'cifar10', name: 'cifar10-train' },
    );
    expect(ds.name).toBe('cifar10-train');
    expect(Array.from(ds.labels)).toEqual([1, 2, 7]);
    expectPixels(ds, 0, 0);
    expectPixels(ds, 1, 1);
    expectPixels(ds, 2, 0); // the first record of the second file
  });

  it('a partial record is a size-mismatch; a CIFAR-100 file read as CIFAR-10 is hinted', () => {
    const bytes = cifarBytes([[1], [2]]);
    const e = problemOf(() =>
      parseCifarBinary(bytes.subarray(0, 5000), 'b.bin', { variant: 'cifar10' }),
    );
    expect(e.problem).toBe('size-mismatch');
    expect(e.file).toBe('b.bin');
    const c100 = cifarBytes([
      [0, 0],
      [1, 1],
    ]); // 2 × 3074 bytes
    const h = problemOf(() => parseCifarBinary(c100, 'train.bin', { variant: 'cifar10' }));
    expect(h.problem).toBe('size-mismatch');
    expect(h.message).toContain('cifar100');
  });

  it('label ≥ 10 and empty files are errors', () => {
    const e = problemOf(() =>
      parseCifarBinary(cifarBytes([[0], [10]]), 'x', { variant: 'cifar10' }),
    );
    expect(e.problem).toBe('label-out-of-range');
    expect(e.message).toContain('record 1');
    expect(e.message).toContain('10');
    expect(
      problemOf(() => parseCifarBinary(new Uint8Array(0), 'x', { variant: 'cifar10' })).problem,
    ).toBe('empty');
    expect(
      problemOf(() =>
        parseCifarBinary(cifarBytes([[1], [2]]), 'x', { variant: 'cifar10', maxRecords: 1 }),
      ).problem,
    ).toBe('too-large');
  });
});

describe('CIFAR-100', () => {
  const bytes = cifarBytes([
    [19, 99],
    [4, 0],
  ]);

  it('uses the fine label by default and the coarse one on request', () => {
    const fine = parseCifarBinary(bytes, 'test.bin', { variant: 'cifar100' });
    expect(fine.numClasses).toBe(100);
    expect(Array.from(fine.labels)).toEqual([99, 0]);
    expect(fine.classNames).toBeUndefined();
    expectPixels(fine, 0);
    expectPixels(fine, 1);
    const coarse = parseCifarBinary(bytes, 'test.bin', { variant: 'cifar100', label: 'coarse' });
    expect(coarse.numClasses).toBe(20);
    expect(Array.from(coarse.labels)).toEqual([19, 4]);
    expect(Array.from(coarse.images)).toEqual(Array.from(fine.images));
  });

  it('coarse label ≥ 20 is out of range; fine label ≥ 100 too', () => {
    const badCoarse = cifarBytes([[20, 5]]);
    expect(
      problemOf(() => parseCifarBinary(badCoarse, 'x', { variant: 'cifar100', label: 'coarse' }))
        .problem,
    ).toBe('label-out-of-range');
    expect(parseCifarBinary(badCoarse, 'x', { variant: 'cifar100' }).labels[0]).toBe(5);
    const badFine = cifarBytes([[1, 100]]);
    expect(problemOf(() => parseCifarBinary(badFine, 'x', { variant: 'cifar100' })).problem).toBe(
      'label-out-of-range',
    );
  });

  it('class names: from a meta file, checked against the class count', () => {
    const names = parseCifarLabelNames('apple\r\naquarium_fish\n\nbaby\n');
    expect(names).toEqual(['apple', 'aquarium_fish', 'baby']);
    expect(
      problemOf(() => parseCifarBinary(bytes, 'x', { variant: 'cifar100', classNames: names }))
        .problem,
    ).toBe('size-mismatch');
  });
});
