// Bounded gunzip: round trip, multi-member streams, corrupt input → bad-gzip, and a gzip bomb
// stopped at maxBytes → too-large.
import { describe, expect, it } from 'vitest';
import { DatasetError, gunzip, isGzip, maybeGunzip } from '@/engine/data';
import { gzip } from './fixtures';

async function problemOf(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError, nothing was thrown');
}

const payload = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31 + (i >> 7)) % 251);

describe('gunzip', () => {
  it('round-trips data larger than one chunk', async () => {
    const out = await gunzip(gzip(payload), { file: 'p.gz', maxBytes: payload.length });
    expect(out.length).toBe(payload.length);
    expect(Buffer.from(out).equals(Buffer.from(payload))).toBe(true);
  });

  it('decompresses concatenated gzip members in sequence', async () => {
    const a = gzip(new Uint8Array([1, 2, 3]));
    const b = gzip(new Uint8Array([4, 5]));
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(Array.from(await gunzip(both, { file: 'ab.gz', maxBytes: 10 }))).toEqual([
      1, 2, 3, 4, 5,
    ]);
  });

  it('isGzip checks the 1f 8b magic', () => {
    expect(isGzip(gzip(new Uint8Array([1])))).toBe(true);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
    expect(isGzip(new Uint8Array([0, 0, 8, 3]))).toBe(false);
  });

  it('non-gzip, corrupt, truncated and junk-tailed input give bad-gzip', async () => {
    const good = gzip(payload);
    const corrupt = good.slice();
    for (let i = 20; i < 60; i++) corrupt[i] ^= 0x5a;
    const junk = new Uint8Array(good.length + 4);
    junk.set(good);
    junk.set([1, 2, 3, 4], good.length);
    const inputs = [
      new Uint8Array(0),
      new Uint8Array([0, 0, 8, 3, 0, 0]),
      corrupt,
      good.subarray(0, good.length - 10),
      junk,
    ];
    for (const bytes of inputs) {
      const e = await problemOf(gunzip(bytes, { file: 'bad.gz', maxBytes: 1 << 20 }));
      expect(e.problem).toBe('bad-gzip');
      expect(e.file).toBe('bad.gz');
    }
  });

  it('a gzip bomb stops at maxBytes with too-large', async () => {
    // 256 gzip members of 16 MiB of zeros: 4 MiB that inflate to 4 GiB (about 5 s for zlib)
    const member = gzip(new Uint8Array(16 << 20));
    const bomb = new Uint8Array(member.length * 256);
    for (let i = 0; i < 256; i++) bomb.set(member, i * member.length);
    const before = process.memoryUsage().rss;
    const e = await problemOf(gunzip(bomb, { file: 'bomb.gz', maxBytes: 1 << 20 }));
    expect(e.problem).toBe('too-large');
    expect(e.message).toContain('bomb.gz: too-large');
    // memory stays bounded: decompression stopped near maxBytes, not at 4 GiB
    expect(process.memoryUsage().rss - before).toBeLessThan(256 << 20);
  });

  it('the bound is exact: maxBytes equal to the size passes, one less fails', async () => {
    const gz = gzip(payload);
    expect((await gunzip(gz, { file: 'p', maxBytes: payload.length })).length).toBe(payload.length);
    expect((await problemOf(gunzip(gz, { file: 'p', maxBytes: payload.length - 1 }))).problem).toBe(
      'too-large',
    );
  });

  it('maybeGunzip passes plain bytes through and inflates gzip', async () => {
    const plain = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 0]);
    expect(await maybeGunzip(plain, 'x')).toBe(plain);
    expect(Array.from(await maybeGunzip(gzip(plain), 'x.gz'))).toEqual(Array.from(plain));
  });
});
