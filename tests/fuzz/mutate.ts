/**
 * Seeded byte-level mutators of the fuzz suite: bit flips, interesting bytes and 32-bit values,
 * header-field rewrites, truncation, extension, deletion, insertion, splices of two inputs (JSON
 * mutators: mutate-json.ts). Every draw comes from one `Rng`, so a run is reproducible from its
 * seed and iteration number.
 */
import type { Rng } from '@/engine/rng';

/** Interesting byte values: zero, one, sign boundaries, all ones. */
export const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
/** Interesting 32-bit values (written big- or little-endian): boundaries of signed/unsigned. */
export const INTERESTING_32 = [
  0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x01000000, 0x7fffffff,
  0x80000000, 0xfffffffe, 0xffffffff,
];

/** A header field of a binary format: where it is, how wide, which byte order. */
export interface Field {
  /** byte offset; negative counts from the end (e.g. -4 for a gzip ISIZE) */
  offset: number;
  size: 1 | 2 | 4;
  littleEndian: boolean;
}

export interface ByteMutationOptions {
  /** header fields rewritten with interesting values or small deltas */
  fields?: readonly Field[];
  /** other inputs to splice with */
  corpus?: readonly Uint8Array[];
  /** largest output length (extensions stop there); default 1 MiB */
  maxLength?: number;
}

/** A uniformly drawn element of `a`. */
export const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(a.length)];

function writeUint(b: Uint8Array, off: number, size: number, v: number, le: boolean): void {
  for (let k = 0; k < size; k++) {
    const shift = 8 * (le ? k : size - 1 - k);
    if (off + k >= 0 && off + k < b.length) b[off + k] = Math.floor(v / 2 ** shift) & 0xff;
  }
}

function readUint(b: Uint8Array, off: number, size: number, le: boolean): number {
  let v = 0;
  for (let k = 0; k < size; k++) {
    const byte = b[off + (le ? size - 1 - k : k)] ?? 0;
    v = v * 256 + byte;
  }
  return v;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const mode = rng.int(3);
  for (let i = 0; i < n; i++) out[i] = mode === 0 ? 0 : mode === 1 ? 0xff : rng.int(256);
  return out;
}

/** One byte-level mutation of `b` (a new array); returns it with a short description. */
export function mutateOnce(
  rng: Rng,
  input: Uint8Array,
  opts: ByteMutationOptions = {},
): { bytes: Uint8Array; how: string } {
  const maxLength = opts.maxLength ?? 1 << 20;
  const b = input.slice();
  const n = b.length;
  const at = () => rng.int(Math.max(1, n));
  const op = rng.int(opts.fields?.length ? 11 : 10);
  switch (n === 0 ? 5 : op) {
    case 0:
    case 1: {
      const k = 1 + rng.int(4);
      for (let i = 0; i < k; i++) b[at()] ^= 1 << rng.int(8);
      return { bytes: b, how: `flip ${k} bits` };
    }
    case 2: {
      const o = at();
      b[o] = pick(rng, INTERESTING_8);
      return { bytes: b, how: `byte @${o}=${b[o]}` };
    }
    case 3: {
      const o = at();
      const v = pick(rng, INTERESTING_32);
      const le = rng.next() < 0.5;
      writeUint(b, o, 4, v, le);
      return { bytes: b, how: `u32${le ? 'le' : 'be'} @${o}=${v}` };
    }
    case 4: {
      const len = rng.next() < 0.5 ? rng.int(Math.min(n, 64) + 1) : rng.int(n + 1);
      return { bytes: b.subarray(0, len).slice(), how: `truncate to ${len}` };
    }
    case 5: {
      const room = Math.max(0, maxLength - n);
      if (rng.next() < 0.2 && 2 * n <= maxLength) return { bytes: concat(b, b), how: 'double' };
      const add = Math.min(room, 1 + rng.int(rng.next() < 0.8 ? 16 : 4096));
      return { bytes: concat(b, randomBytes(rng, add)), how: `extend by ${add}` };
    }
    case 6: {
      const o = at();
      const len = 1 + rng.int(Math.min(64, n - o));
      return { bytes: concat(b.subarray(0, o), b.subarray(o + len)), how: `delete ${len} @${o}` };
    }
    case 7: {
      const o = at();
      const add = Math.min(Math.max(0, maxLength - n), 1 + rng.int(16));
      const ins = randomBytes(rng, add);
      return { bytes: concat(b.subarray(0, o), ins, b.subarray(o)), how: `insert ${add} @${o}` };
    }
    case 8: {
      const other = opts.corpus?.length ? pick(rng, opts.corpus) : b;
      const cut = at();
      const from = rng.int(other.length + 1);
      const out = concat(b.subarray(0, cut), other.subarray(from)).subarray(0, maxLength);
      return { bytes: out.slice(), how: `splice @${cut} with other @${from}` };
    }
    case 9: {
      const o = at();
      const len = 1 + rng.int(Math.min(32, n - o));
      b.set(randomBytes(rng, len), o);
      return { bytes: b, how: `random ${len} @${o}` };
    }
    default: {
      const f = pick(rng, opts.fields as readonly Field[]);
      const off = f.offset < 0 ? n + f.offset : f.offset;
      const old = readUint(b, off, f.size, f.littleEndian);
      const r = rng.int(3);
      const max = 2 ** (8 * f.size);
      const v =
        r === 0
          ? pick(rng, INTERESTING_32) % max
          : r === 1
            ? (old + pick(rng, [-2, -1, 1, 2, 3]) + max) % max
            : rng.int(max);
      writeUint(b, off, f.size, v, f.littleEndian);
      return { bytes: b, how: `field @${off}/${f.size} ${old}→${v}` };
    }
  }
}

/** 1 to 4 stacked byte mutations (one most often). */
export function mutateBytes(
  rng: Rng,
  input: Uint8Array,
  opts: ByteMutationOptions = {},
): { bytes: Uint8Array; how: string } {
  const k = rng.next() < 0.6 ? 1 : 2 + rng.int(3);
  let bytes = input;
  const hows: string[] = [];
  for (let i = 0; i < k; i++) {
    const m = mutateOnce(rng, bytes, opts);
    bytes = m.bytes;
    hows.push(m.how);
  }
  return { bytes, how: hows.join('; ') };
}
