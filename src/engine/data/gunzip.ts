/**
 * Bounded gzip decompression (RFC 1952) with the platform's `DecompressionStream('gzip')`, which
 * exists in browsers, Web Workers and Node >= 18, so the engine needs no zlib port.
 *
 * The output is read chunk by chunk and the stream is cancelled as soon as it exceeds `maxBytes`,
 * so a gzip bomb (1 MiB that inflates to 1 GiB) costs at most about `maxBytes` of memory.
 * Concatenated gzip members are decompressed in sequence, as `gunzip(1)` does.
 */
import { DatasetError, formatBytes } from './errors';

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export interface GunzipOptions {
  /** the file name used in errors */
  file: string;
  /** largest allowed decompressed size, in bytes (a positive integer) */
  maxBytes: number;
}

/** Input is handed to the decompressor in slices of this many bytes. */
const INPUT_SLICE = 1 << 16;

function hex(bytes: Uint8Array, n: number): string {
  return Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Decompresses gzip `bytes` (one or more members).
 * @returns the decompressed bytes, at most `opts.maxBytes` long
 * @throws DatasetError `bad-gzip` when the input is not gzip or is corrupt or cut short;
 *   `too-large` as soon as the output exceeds `opts.maxBytes`
 */
export async function gunzip(bytes: Uint8Array, opts: GunzipOptions): Promise<Uint8Array> {
  const { file, maxBytes } = opts;
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new RangeError(`gunzip: maxBytes must be a positive integer, got ${maxBytes}`);
  }
  if (!isGzip(bytes)) {
    const start = bytes.length === 0 ? 'the file is empty' : `it starts with ${hex(bytes, 4)}`;
    throw new DatasetError(file, 'bad-gzip', `not gzip data (expected 1f 8b; ${start})`);
  }
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  // Feed the input without awaiting here: writes resolve only as the output is consumed.
  // Errors also surface on the reader, so the writer's own rejection is only recorded.
  const writing = (async () => {
    for (let o = 0; o < bytes.length; o += INPUT_SLICE) {
      await writer.write(bytes.slice(o, o + INPUT_SLICE)); // a copy: a view of a SharedArrayBuffer is no BufferSource
    }
    await writer.close();
  })().catch((e: unknown) => e);

  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value === undefined) continue;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel('output exceeds maxBytes').catch(() => undefined);
        throw new DatasetError(
          file,
          'too-large',
          `decompressed data exceeds the limit of ${formatBytes(maxBytes)} bytes ` +
            `(compressed size ${formatBytes(bytes.length)}); stopped reading`,
        );
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new DatasetError(file, 'bad-gzip', `corrupt gzip data (${why})`, { cause: e });
  } finally {
    await writing;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
