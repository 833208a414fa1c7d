/**
 * The safetensors format (Hugging Face, https://github.com/huggingface/safetensors), written and
 * read exactly to its spec:
 *
 *   [u64 little-endian N][N bytes of UTF-8 JSON header][data buffer]
 *
 * The header maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }` (byte
 * offsets into the data buffer) plus an optional `__metadata__` string → string map. We pad the
 * header with spaces so the data starts 8-byte aligned, write tensors in the given order, and the
 * data is contiguous (no holes, no overlap). All values little-endian, row-major.
 *
 * Decoding validates before it trusts: header length against the file size and a 100 MB cap, JSON,
 * dtype, shape, offsets (in range, contiguous, non-overlapping, covering the buffer) and
 * shape × itemsize = byte length. Every failure is a ModelFormatError naming the file and problem.
 */
import { ModelFormatError } from '../errors';
import { MAX_JSON_DEPTH, describeValue, jsonDepth } from './json-guard';

export type SafetensorsDtype = 'F32' | 'I32' | 'U8';

export interface SafetensorsTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface SafetensorsFile {
  tensors: SafetensorsTensor[];
  metadata: Record<string, string>;
}

/** Largest header we accept (bytes). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const ITEM_SIZE: Record<SafetensorsDtype, number> = { F32: 4, I32: 4, U8: 1 };
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Little-endian bytes of a typed array (a view on its buffer on little-endian hosts). */
function toBytes(t: SafetensorsTensor): Uint8Array {
  const d = t.data;
  if (LITTLE_ENDIAN || d instanceof Uint8Array)
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  const out = new Uint8Array(d.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < d.length; i++) {
    if (d instanceof Float32Array) view.setFloat32(4 * i, d[i], true);
    else view.setInt32(4 * i, d[i], true);
  }
  return out;
}

function fromBytes(bytes: Uint8Array, dtype: SafetensorsDtype): SafetensorsTensor['data'] {
  const copy = bytes.slice(); // aligned, owned copy
  if (dtype === 'U8') return copy;
  if (LITTLE_ENDIAN)
    return dtype === 'F32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
  const view = new DataView(copy.buffer);
  const n = copy.length / 4;
  const out = dtype === 'F32' ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++)
    out[i] = dtype === 'F32' ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true);
  return out;
}

/**
 * Encode tensors and string metadata as a safetensors file. Throws RangeError for a duplicate or
 * reserved name, or a shape that does not match the data length.
 */
export function encodeSafetensors(
  tensors: SafetensorsTensor[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header)
      throw new RangeError(`safetensors: duplicate or reserved tensor name '${t.name}'`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length || t.data.BYTES_PER_ELEMENT !== ITEM_SIZE[t.dtype])
      throw new RangeError(
        `safetensors: tensor '${t.name}' ${t.dtype} [${t.shape}] has ${t.data.length} values`,
      );
    const bytes = toBytes(t);
    header[t.name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + bytes.length],
    };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20); // spaces
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true); // u64 little-endian: low word, then high word 0
  view.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function isShape(v: unknown): v is number[] {
  return (
    Array.isArray(v) && v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  );
}

/** Decode and validate a safetensors file. `file` names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  const fail = (
    problem: ConstructorParameters<typeof ModelFormatError>[1],
    detail: string,
  ): never => {
    throw new ModelFormatError(file, problem, detail);
  };
  if (bytes.length < 8)
    fail('truncated', `${bytes.length} bytes, need at least 8 for the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > MAX_HEADER_BYTES)
    fail('header-too-large', `header length ${n} exceeds ${MAX_HEADER_BYTES}`);
  if (n > bytes.length - 8)
    fail('truncated', `header length ${n} exceeds the ${bytes.length - 8} bytes after it`);
  if (n === 0 || bytes[8] !== 0x7b) fail('bad-header', "header must start with '{'");
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    header = JSON.parse(text);
  } catch (e) {
    fail('bad-json', `header is not UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('bad-header', 'header must be a JSON object');
  if (jsonDepth(header) > MAX_JSON_DEPTH)
    fail('bad-header', `header JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const entries: {
    name: string;
    dtype: SafetensorsDtype;
    shape: number[];
    begin: number;
    end: number;
  }[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        fail('bad-metadata', '__metadata__ must be an object');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') fail('bad-metadata', `__metadata__.${k} must be a string`);
        metadata[k] = s as string;
      }
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof e !== 'object' || e === null)
      fail('bad-header', `entry '${name}' must be an object`);
    const dtype = e?.dtype;
    if (typeof dtype !== 'string' || !(dtype in ITEM_SIZE))
      fail(
        'bad-dtype',
        `tensor '${name}' has dtype ${describeValue(dtype)}; supported: F32, I32, U8`,
      );
    if (!isShape(e?.shape))
      fail('bad-shape', `tensor '${name}' has shape ${describeValue(e?.shape)}`);
    const off = e?.data_offsets;
    if (!isShape(off) || off.length !== 2 || off[0] > off[1] || off[1] > data.length)
      fail(
        'bad-offsets',
        `tensor '${name}' has data_offsets ${describeValue(off)} (data is ${data.length} bytes)`,
      );
    const [begin, end] = off as number[];
    const shape = e?.shape as number[];
    const want = shape.reduce((a, b) => a * b, 1) * ITEM_SIZE[dtype as SafetensorsDtype];
    if (want !== end - begin)
      fail(
        'size-mismatch',
        `tensor '${name}' ${dtype} [${shape}] needs ${want} bytes, offsets give ${end - begin}`,
      );
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape, begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at)
      fail(
        'bad-offsets',
        `tensor '${e.name}' starts at ${e.begin}, expected ${at} (hole or overlap)`,
      );
    at = e.end;
  }
  if (at !== data.length)
    fail('bad-offsets', `tensors cover ${at} bytes of a ${data.length}-byte data buffer`);
  const tensors = entries.map((e) => ({
    name: e.name,
    dtype: e.dtype,
    shape: e.shape,
    data: fromBytes(data.subarray(e.begin, e.end), e.dtype),
  }));
  return { tensors, metadata };
}
