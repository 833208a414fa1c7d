// Test fixtures for the data module: hand-built IDX and CIFAR byte arrays, gzip via node:zlib,
// and an fs-based reader for the shipped Fashion-MNIST files.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const FASHION_DIR = fileURLToPath(
  new URL('../../../public/datasets/fashion-mnist/', import.meta.url),
);

/** Reads a shipped Fashion-MNIST file by name. */
export async function readFashionFile(file: string): Promise<Uint8Array> {
  const b = await readFile(FASHION_DIR + file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const TYPE_CODES = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};
const TYPE_BYTES = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

/**
 * An IDX file: header for `shape` (which may disagree with `values` on purpose), then `values`
 * big-endian as `dtype`. `extra` bytes are appended.
 */
export function idxBytes(
  shape: number[],
  values: number[],
  dtype: keyof typeof TYPE_CODES = 'uint8',
  extra = 0,
): Uint8Array {
  const size = TYPE_BYTES[dtype];
  const out = new Uint8Array(4 + 4 * shape.length + values.length * size + extra);
  const view = new DataView(out.buffer);
  out[2] = TYPE_CODES[dtype];
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const off = 4 + 4 * shape.length;
  values.forEach((v, i) => {
    const o = off + i * size;
    if (dtype === 'uint8') view.setUint8(o, v);
    else if (dtype === 'int8') view.setInt8(o, v);
    else if (dtype === 'int16') view.setInt16(o, v, false);
    else if (dtype === 'int32') view.setInt32(o, v, false);
    else if (dtype === 'float32') view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  });
  return out;
}

export function gzip(bytes: Uint8Array): Uint8Array {
  const b = gzipSync(bytes);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A pixel value that encodes its position, so layout errors show: (r·7 + c·3 + ch·101 + k·13) mod 256. */
export function pixelCode(k: number, r: number, c: number, ch: number): number {
  return (r * 7 + c * 3 + ch * 101 + k * 13) % 256;
}

/** CIFAR records with labels `labels` (CIFAR-100: [coarse, fine] pairs), pixels from pixelCode, CHW. */
export function cifarBytes(labels: number[][]): Uint8Array {
  const lb = labels[0]?.length ?? 1;
  const rec = lb + 3072;
  const out = new Uint8Array(labels.length * rec);
  labels.forEach((ls, k) => {
    ls.forEach((l, j) => (out[k * rec + j] = l));
    for (let ch = 0; ch < 3; ch++)
      for (let r = 0; r < 32; r++)
        for (let c = 0; c < 32; c++)
          out[k * rec + lb + ch * 1024 + r * 32 + c] = pixelCode(k, r, c, ch);
  });
  return out;
}
