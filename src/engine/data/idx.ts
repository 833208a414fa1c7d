/**
 * IDX files, the format of MNIST, Fashion-MNIST (Xiao et al. 2017, arXiv:1708.07747) and KMNIST
 * (LeCun et al., http://yann.lecun.com/exdb/mnist/): a 4-byte magic `00 00 <type> <ndims>`, then
 * `ndims` big-endian uint32 dimensions, then the elements in row-major order, big-endian.
 *
 * Every size is checked against the header before anything is allocated, so a corrupt or hostile
 * header claiming 2^40 elements fails fast with `too-large`.
 */
import { DatasetError, formatBytes } from './errors';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData =
  Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file. For uint8 data, `data` is a view into the input bytes (no copy). */
export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: IdxData;
}

/** IDX type code → element type and size in bytes. */
const TYPES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

/** Default bound on the element count of one IDX file: 2^28 (the Fashion-MNIST training images have 47,040,000). */
export const DEFAULT_MAX_ELEMENTS = 2 ** 28;

export interface ParseIdxOptions {
  /** largest allowed product of the dimensions; default `DEFAULT_MAX_ELEMENTS` */
  maxElements?: number;
}

/**
 * Parses an (uncompressed) IDX file.
 * @param file the name used in errors
 * @throws DatasetError `truncated`, `bad-magic`, `unsupported`, `too-large`, `size-mismatch`
 */
export function parseIdx(bytes: Uint8Array, file: string, opts: ParseIdxOptions = {}): IdxArray {
  const maxElements = opts.maxElements ?? DEFAULT_MAX_ELEMENTS;
  if (bytes.length < 4) {
    throw new DatasetError(
      file,
      'truncated',
      `the file is ${bytes.length} bytes, shorter than the 4-byte IDX magic`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gz =
      bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this is gzip data: decompress it first)' : '';
    throw new DatasetError(
      file,
      'bad-magic',
      `IDX files start with 00 00, this one with ${hex(bytes[0])} ${hex(bytes[1])}${gz}`,
    );
  }
  const type = TYPES[bytes[2]];
  if (type === undefined) {
    throw new DatasetError(
      file,
      'bad-magic',
      `element type code 0x${hex(bytes[2])} is not an IDX type (08, 09, 0b, 0c, 0d, 0e)`,
    );
  }
  const ndims = bytes[3];
  if (ndims === 0) throw new DatasetError(file, 'unsupported', 'the header declares 0 dimensions');
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DatasetError(
      file,
      'truncated',
      `the header of ${ndims} dimensions needs ${headerBytes} bytes, the file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const dim = view.getUint32(4 + 4 * d, false);
    shape.push(dim);
    count *= dim; // exact: stays below 2^53 because we stop once it passes maxElements
    if (count > maxElements) {
      const rest = ndims - d - 1 > 0 ? '×…' : '';
      throw new DatasetError(
        file,
        'too-large',
        `header says ${shape.join('×')}${rest} elements, more than the limit of ${maxElements}`,
      );
    }
  }
  const dataBytes = count * type.bytes;
  const present = bytes.length - headerBytes;
  if (present !== dataBytes) {
    const what =
      type.bytes === 1
        ? `${shape.join('×')} bytes of data (${dataBytes})`
        : `${shape.join('×')} ${type.dtype} elements (${formatBytes(dataBytes)} bytes)`;
    throw new DatasetError(
      file,
      present < dataBytes ? 'truncated' : 'size-mismatch',
      present < dataBytes
        ? `header says ${what} but only ${present} are present`
        : `header says ${what} but ${present} bytes follow the header (${present - dataBytes} extra)`,
    );
  }
  return {
    dtype: type.dtype,
    shape,
    data: readElements(bytes, view, headerBytes, count, type.dtype),
  };
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** Reads `count` big-endian elements starting at byte `off`. */
function readElements(
  bytes: Uint8Array,
  view: DataView,
  off: number,
  count: number,
  dtype: IdxDtype,
): IdxData {
  switch (dtype) {
    case 'uint8':
      return bytes.subarray(off, off + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + off, count).slice();
    case 'int16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(off + 2 * i, false);
      return a;
    }
    case 'int32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(off + 4 * i, false);
      return a;
    }
    case 'float32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(off + 4 * i, false);
      return a;
    }
    case 'float64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(off + 8 * i, false);
      return a;
    }
  }
}
