/**
 * Small valid seed files the fuzzers start from: IDX images and labels of every element type,
 * CIFAR-10/100 batches, gzip streams (one member, several, a bomb), and a tiny model saved as
 * safetensors and as tfjs model.json + weights.bin. Built from fixed seeds, so every run mutates
 * the same seeds.
 */
import { gzipSync } from 'node:zlib';
import { Rng } from '@/engine/rng';
import type { Field } from './mutate';

const CODES = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };
const SIZES = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };
export type IdxType = keyof typeof CODES;

/** A valid IDX file of `shape` holding `values` as `dtype` (big-endian). */
export function idxFile(shape: number[], values: ArrayLike<number>, dtype: IdxType): Uint8Array {
  const size = SIZES[dtype];
  const off = 4 + 4 * shape.length;
  const out = new Uint8Array(off + values.length * size);
  const view = new DataView(out.buffer);
  out[2] = CODES[dtype];
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) {
    const o = off + i * size;
    const v = values[i];
    if (dtype === 'uint8') view.setUint8(o, v);
    else if (dtype === 'int8') view.setInt8(o, v);
    else if (dtype === 'int16') view.setInt16(o, v, false);
    else if (dtype === 'int32') view.setInt32(o, v, false);
    else if (dtype === 'float32') view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  }
  return out;
}

/** The header fields of an IDX file: type and ndims bytes, then up to 4 big-endian dims. */
export const IDX_FIELDS: Field[] = [
  { offset: 2, size: 1, littleEndian: false },
  { offset: 3, size: 1, littleEndian: false },
  ...[4, 8, 12, 16].map((offset) => ({ offset, size: 4 as const, littleEndian: false })),
];

export interface IdxPairSeed {
  images: Uint8Array;
  labels: Uint8Array;
}

/** Valid IDX image/label pairs: uint8 [N,H,W], uint8 [N,H,W,C], float32 and float64 pixels. */
export function idxPairSeeds(): IdxPairSeed[] {
  const rng = new Rng(11);
  const px = (n: number) => Array.from({ length: n }, () => rng.int(256));
  const unit = (n: number) => Array.from({ length: n }, () => rng.next());
  const labels = (n: number, k: number, t: IdxType = 'uint8') =>
    idxFile(
      [n],
      Array.from({ length: n }, (_, i) => i % k),
      t,
    );
  return [
    { images: idxFile([6, 5, 5], px(150), 'uint8'), labels: labels(6, 3) },
    { images: idxFile([4, 3, 3, 2], px(72), 'uint8'), labels: labels(4, 2, 'int32') },
    { images: idxFile([3, 4, 4], unit(48), 'float32'), labels: labels(3, 3, 'int16') },
    { images: idxFile([2, 3, 3], unit(18), 'float64'), labels: labels(2, 2, 'int8') },
  ];
}

/** Single IDX files of every element type (parseIdx's seeds). */
export function idxSeeds(): Uint8Array[] {
  const pairs = idxPairSeeds();
  return [
    ...pairs.flatMap((p) => [p.images, p.labels]),
    idxFile([2, 3], [1, -2, 3, -4, 5, -6], 'int16'),
    idxFile([2, 2, 2], [0, 1, -1, 127, -128, 5, 6, 7], 'int8'),
  ];
}

/** A CIFAR batch of `n` records with valid labels and random pixels. */
export function cifarFile(variant: 'cifar10' | 'cifar100', n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const rec = variant === 'cifar10' ? 3073 : 3074;
  const out = new Uint8Array(n * rec);
  for (let r = 0; r < n; r++) {
    const base = r * rec;
    if (variant === 'cifar10') out[base] = rng.int(10);
    else {
      out[base] = rng.int(20);
      out[base + 1] = rng.int(100);
    }
    for (let p = base + rec - 3072; p < base + rec; p++) out[p] = rng.int(256);
  }
  return out;
}

/** The label bytes of the first records of a CIFAR batch (header-like fields). */
export function cifarFields(variant: 'cifar10' | 'cifar100'): Field[] {
  const rec = variant === 'cifar10' ? 3073 : 3074;
  return [0, 1, rec, rec + 1].map((offset) => ({ offset, size: 1, littleEndian: false }));
}

export function gzip(bytes: Uint8Array): Uint8Array {
  const b = gzipSync(bytes);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** gzip header and trailer fields: flags, mtime, CRC32 and ISIZE (little-endian). */
export const GZIP_FIELDS: Field[] = [
  { offset: 2, size: 1, littleEndian: true },
  { offset: 3, size: 1, littleEndian: true },
  { offset: 4, size: 4, littleEndian: true },
  { offset: -8, size: 4, littleEndian: true },
  { offset: -4, size: 4, littleEndian: true },
];

/** The safetensors header length (u64 little-endian, as two u32 words). */
export const SAFETENSORS_FIELDS: Field[] = [
  { offset: 0, size: 4, littleEndian: true },
  { offset: 4, size: 4, littleEndian: true },
];
