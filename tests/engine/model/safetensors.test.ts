/**
 * The safetensors codec: layout per the spec, bit-exact round trips, and typed errors for
 * corrupt files.
 */
import { describe, expect, it } from 'vitest';
import { ModelFormatError, decodeSafetensors, encodeSafetensors } from '@/engine/model';
import type { FormatProblem, SafetensorsTensor } from '@/engine/model';

const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** A file from a raw header string and data bytes (no padding), as a corrupt writer would make. */
function rawFile(header: string, data: Uint8Array = new Uint8Array(0), n?: bigint): Uint8Array {
  const h = Buffer.from(header, 'utf8');
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, n ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function problemOf(f: () => unknown): FormatProblem | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    expect((e as Error).message).toMatch(/^weights\.safetensors: /);
    return (e as ModelFormatError).problem;
  }
  return undefined;
}

const sample = (): SafetensorsTensor[] => [
  {
    name: 'w',
    dtype: 'F32',
    shape: [2, 3],
    data: new Float32Array([1.5, -0, NaN, Infinity, 1e-40, -3]),
  },
  { name: 'mask/w', dtype: 'U8', shape: [3], data: new Uint8Array([1, 0, 1]) },
  { name: 'steps', dtype: 'I32', shape: [2], data: new Int32Array([-7, 2 ** 31 - 1]) },
  { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  { name: 'scalar', dtype: 'F32', shape: [], data: new Float32Array([0.25]) },
];

describe('encodeSafetensors', () => {
  it('writes a u64 LE header length, a space-padded 8-aligned JSON header and contiguous data', () => {
    const bytes = encodeSafetensors(sample(), { format: 'pt', note: 'ünïcode' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    expect(text.startsWith('{')).toBe(true);
    expect(/^[^]*\} *$/.test(text)).toBe(true); // only spaces after the JSON
    const header = JSON.parse(text);
    expect(header.__metadata__).toEqual({ format: 'pt', note: 'ünïcode' });
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header['mask/w']).toEqual({ dtype: 'U8', shape: [3], data_offsets: [24, 27] });
    expect(header.steps).toEqual({ dtype: 'I32', shape: [2], data_offsets: [27, 35] });
    expect(header.empty.data_offsets).toEqual([35, 35]);
    expect(header.scalar.data_offsets).toEqual([35, 39]);
    expect(bytes.length).toBe(8 + n + 39);
    const data = bytes.subarray(8 + n);
    expect(new DataView(data.buffer, data.byteOffset).getFloat32(0, true)).toBe(1.5);
    expect(new DataView(data.buffer, data.byteOffset).getInt32(27, true)).toBe(-7);
  });

  it('rejects duplicate names and data that does not match the shape', () => {
    const t = sample()[0];
    expect(() => encodeSafetensors([t, t])).toThrow(/duplicate/);
    expect(() => encodeSafetensors([{ ...t, shape: [4] }])).toThrow(RangeError);
  });
});

describe('decodeSafetensors', () => {
  it('round-trips bit-exactly (NaN, -0, denormals, unaligned offsets)', () => {
    const t = sample();
    const back = decodeSafetensors(encodeSafetensors(t, { a: 'b' }), 'x.safetensors');
    expect(back.metadata).toEqual({ a: 'b' });
    expect(back.tensors.map((x) => [x.name, x.dtype, x.shape])).toEqual(
      t.map((x) => [x.name, x.dtype, x.shape]),
    );
    back.tensors.forEach((x, i) => {
      expect(x.data.constructor).toBe(t[i].data.constructor);
      expect(bytesOf(x.data).equals(bytesOf(t[i].data)), x.name).toBe(true);
    });
  });

  it('reads a file written by hand from the spec (unpadded header, no metadata)', () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    const f = rawFile('{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}', data);
    const { tensors, metadata } = decodeSafetensors(f, 'h.safetensors');
    expect(metadata).toEqual({});
    expect(Array.from(tensors[0].data)).toEqual([1, 2, 3, 4]);
  });

  const F = 'weights.safetensors';
  const ok = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const eight = new Uint8Array(8);
  const cases: [string, () => Uint8Array, FormatProblem][] = [
    ['shorter than 8 bytes', () => new Uint8Array(5), 'truncated'],
    ['header length past the end', () => rawFile(ok, eight).subarray(0, 30), 'truncated'],
    ['header length huge', () => rawFile(ok, eight, 2n ** 40n), 'header-too-large'],
    ['data cut short', () => rawFile(ok, eight).subarray(0, 8 + ok.length + 4), 'bad-offsets'],
    ['bad JSON', () => rawFile('{"a": {"dtype": "F32",', eight), 'bad-json'],
    [
      'invalid UTF-8 (valid once decoded leniently)',
      () => rawFile('{"__metadata__":{"k":"\u00ff"}}').map((b) => (b === 0xc3 ? 0xff : b)),
      'bad-json',
    ],
    ['header not an object', () => rawFile('[1, 2]', eight), 'bad-header'],
    ['leading spaces', () => rawFile(' ' + ok, eight), 'bad-header'],
    ['unknown dtype', () => rawFile(ok.replace('F32', 'Q4'), eight), 'bad-dtype'],
    ['negative shape', () => rawFile(ok.replace('[2]', '[-2]'), eight), 'bad-shape'],
    ['offsets out of range', () => rawFile(ok.replace('[0,8]', '[0,800]'), eight), 'bad-offsets'],
    ['offsets reversed', () => rawFile(ok.replace('[0,8]', '[8,0]'), eight), 'bad-offsets'],
    ['shape/size mismatch', () => rawFile(ok.replace('[2]', '[3]'), eight), 'size-mismatch'],
    [
      'overlap',
      () =>
        rawFile(
          '{"a":{"dtype":"U8","shape":[6],"data_offsets":[0,6]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}',
          eight,
        ),
      'bad-offsets',
    ],
    [
      'hole',
      () => rawFile('{"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}', eight),
      'bad-offsets',
    ],
    ['trailing bytes', () => rawFile(ok, new Uint8Array(12)), 'bad-offsets'],
    ['metadata not strings', () => rawFile('{"__metadata__":{"v":1}}'), 'bad-metadata'],
  ];
  for (const [what, make, problem] of cases) {
    it(`corrupt: ${what} → ${problem}`, () => {
      expect(problemOf(() => decodeSafetensors(make(), F))).toBe(problem);
    });
  }
});
