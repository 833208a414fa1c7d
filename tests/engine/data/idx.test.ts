// IDX parsing: valid files of every element type, and a typed DatasetError for each kind of
// corrupt header or data, checked before any allocation.
import { describe, expect, it } from 'vitest';
import { DatasetError, idxImagesLabelsToDataset, parseIdx } from '@/engine/data';
import type { DatasetProblem } from '@/engine/data';
import { idxBytes } from './fixtures';

function problemOf(f: () => unknown): { problem: DatasetProblem; file: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    const d = e as DatasetError;
    return { problem: d.problem, file: d.file, message: d.message };
  }
  throw new Error('expected a DatasetError, nothing was thrown');
}

describe('parseIdx', () => {
  it('parses uint8 images with big-endian dims', () => {
    const values = Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 11) % 256);
    const a = parseIdx(idxBytes([2, 3, 4], values), 'imgs');
    expect(a.dtype).toBe('uint8');
    expect(a.shape).toEqual([2, 3, 4]);
    expect(Array.from(a.data)).toEqual(values);
  });

  it('parses big-endian multi-byte element types', () => {
    const cases = [
      ['int8', [-128, -1, 0, 127]],
      ['int16', [-32768, -2, 258, 32767]],
      ['int32', [-2147483648, -3, 65539, 2147483647]],
      ['float32', [-1.5, 0, 0.25, 1e10]],
      ['float64', [-1.5e-300, 0, Math.PI, 1e300]],
    ] as const;
    for (const [dtype, values] of cases) {
      const a = parseIdx(idxBytes([4], [...values], dtype), 'f');
      expect(a.dtype).toBe(dtype);
      expect(Array.from(a.data)).toEqual([...values]);
    }
  });

  it('reads a file that sits at an offset inside a larger buffer', () => {
    const inner = idxBytes([3], [7, 8, 9]);
    const big = new Uint8Array(inner.length + 5);
    big.set(inner, 5);
    expect(Array.from(parseIdx(big.subarray(5), 'f').data)).toEqual([7, 8, 9]);
  });

  it('truncated header: shorter than the magic, and shorter than its dims', () => {
    expect(problemOf(() => parseIdx(new Uint8Array([0, 0, 8]), 'a'))).toMatchObject({
      problem: 'truncated',
      file: 'a',
    });
    const cut = idxBytes([2, 3, 4], []).subarray(0, 10); // 3 dims need 16 header bytes
    expect(problemOf(() => parseIdx(cut, 'b')).problem).toBe('truncated');
  });

  it('truncated data names the header size and the bytes present', () => {
    const bytes = idxBytes([60000, 28, 28], new Array(1234).fill(0));
    const e = problemOf(() => parseIdx(bytes, 'train-images-idx3-ubyte'));
    expect(e.problem).toBe('truncated');
    expect(e.message).toContain('train-images-idx3-ubyte: truncated:');
    expect(e.message).toContain('60000×28×28');
    expect(e.message).toContain('47040000');
    expect(e.message).toContain('1234');
  });

  it('longer data than the header announces is a size-mismatch', () => {
    const e = problemOf(() => parseIdx(idxBytes([2, 2], [1, 2, 3, 4], 'uint8', 3), 'x'));
    expect(e.problem).toBe('size-mismatch');
    expect(e.message).toContain('3 extra');
  });

  it('wrong magic: nonzero first bytes, gzip data, unknown type code', () => {
    const b = idxBytes([1], [5]);
    b[1] = 1;
    expect(problemOf(() => parseIdx(b, 'm')).problem).toBe('bad-magic');
    const gz = problemOf(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), 'g'));
    expect(gz.problem).toBe('bad-magic');
    expect(gz.message).toContain('gzip');
    const t = idxBytes([1], [5]);
    t[2] = 0x0a;
    expect(problemOf(() => parseIdx(t, 't')).problem).toBe('bad-magic');
  });

  it('zero dimensions is unsupported', () => {
    expect(problemOf(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'z')).problem).toBe(
      'unsupported',
    );
  });

  it('a header claiming 2^40 elements fails with too-large before allocating', () => {
    const bytes = idxBytes([2 ** 20, 2 ** 20], []); // 12 bytes, claims 2^40 elements
    const e = problemOf(() => parseIdx(bytes, 'huge'));
    // 'too-large', not 'truncated' nor a RangeError from an attempted 2^40 allocation: the bound
    // is checked before anything is allocated
    expect(e.problem).toBe('too-large');
    // the largest possible header (255 dims of 2^32 − 1) also stops at the bound
    const worst = idxBytes(new Array(255).fill(2 ** 32 - 1), []);
    expect(problemOf(() => parseIdx(worst, 'worst')).problem).toBe('too-large');
  });

  it('maxElements is honoured exactly', () => {
    const bytes = idxBytes([10, 10], new Array(100).fill(1));
    expect(parseIdx(bytes, 'f', { maxElements: 100 }).shape).toEqual([10, 10]);
    expect(problemOf(() => parseIdx(bytes, 'f', { maxElements: 99 })).problem).toBe('too-large');
  });
});

describe('idxImagesLabelsToDataset', () => {
  const info = { imagesFile: 'imgs', labelsFile: 'lbls', name: 'tiny', numClasses: 3 };

  it('builds [N, H, W, 1] images in [0, 1] and int32 labels', () => {
    const px = [0, 255, 51, 102, 0, 0, 10, 20];
    const ds = idxImagesLabelsToDataset(
      parseIdx(idxBytes([2, 2, 2], px), 'imgs'),
      parseIdx(idxBytes([2], [2, 0]), 'lbls'),
      info,
    );
    expect(ds.shape).toEqual([2, 2, 1]);
    expect(Array.from(ds.labels)).toEqual([2, 0]);
    expect(ds.labels).toBeInstanceOf(Int32Array);
    px.forEach((v, i) => expect(ds.images[i]).toBeCloseTo(v / 255, 7));
  });

  it('keeps C from a 4-d images file and accepts float pixels in [0, 1]', () => {
    const px = [0, 0.5, 1, 0.25, 0.75, 0.125];
    const ds = idxImagesLabelsToDataset(
      parseIdx(idxBytes([1, 1, 2, 3], px, 'float32'), 'imgs'),
      parseIdx(idxBytes([1], [1], 'int32'), 'lbls'),
      info,
    );
    expect(ds.shape).toEqual([1, 2, 3]);
    expect(Array.from(ds.images)).toEqual(px);
  });

  it('label out of range names the index and the value', () => {
    const e = problemOf(() =>
      idxImagesLabelsToDataset(
        parseIdx(idxBytes([3, 1, 1], [1, 2, 3]), 'imgs'),
        parseIdx(idxBytes([3], [0, 1, 7]), 'lbls'),
        info,
      ),
    );
    expect(e).toMatchObject({ problem: 'label-out-of-range', file: 'lbls' });
    expect(e.message).toContain('index 2');
    expect(e.message).toContain('is 7');
    const neg = problemOf(() =>
      idxImagesLabelsToDataset(
        parseIdx(idxBytes([1, 1, 1], [1]), 'imgs'),
        parseIdx(idxBytes([1], [-1], 'int8'), 'lbls'),
        info,
      ),
    );
    expect(neg.problem).toBe('label-out-of-range');
  });

  it('image/label count mismatch is a size-mismatch', () => {
    const e = problemOf(() =>
      idxImagesLabelsToDataset(
        parseIdx(idxBytes([3, 1, 1], [1, 2, 3]), 'imgs'),
        parseIdx(idxBytes([2], [0, 1]), 'lbls'),
        info,
      ),
    );
    expect(e).toMatchObject({ problem: 'size-mismatch', file: 'lbls' });
    expect(e.message).toContain('2 labels for 3 images');
  });

  it('rejects wrong ranks, float labels, int pixels, float pixels outside [0, 1], empty files', () => {
    const imgs = parseIdx(idxBytes([1, 1, 1], [1]), 'imgs');
    const lbls = parseIdx(idxBytes([1], [0]), 'lbls');
    const cases: [() => unknown, DatasetProblem][] = [
      [
        () => idxImagesLabelsToDataset(parseIdx(idxBytes([1, 1], [1]), 'i'), lbls, info),
        'bad-shape',
      ],
      [
        () => idxImagesLabelsToDataset(imgs, parseIdx(idxBytes([1, 1], [0]), 'l'), info),
        'bad-shape',
      ],
      [
        () => idxImagesLabelsToDataset(imgs, parseIdx(idxBytes([1], [0], 'float32'), 'l'), info),
        'unsupported',
      ],
      [
        () =>
          idxImagesLabelsToDataset(parseIdx(idxBytes([1, 1, 1], [3], 'int16'), 'i'), lbls, info),
        'unsupported',
      ],
      [
        () =>
          idxImagesLabelsToDataset(
            parseIdx(idxBytes([1, 1, 1], [1.5], 'float32'), 'i'),
            lbls,
            info,
          ),
        'pixel-out-of-range',
      ],
      [
        () =>
          idxImagesLabelsToDataset(
            parseIdx(idxBytes([0, 2, 2], []), 'i'),
            parseIdx(idxBytes([0], []), 'l'),
            info,
          ),
        'empty',
      ],
    ];
    for (const [f, problem] of cases) expect(problemOf(f).problem).toBe(problem);
  });
});
