// Fuzz: CIFAR binary batches (parseCifarBinary, parseCifarBatches) and bounded gunzip.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCifarBatches, parseCifarBinary, type CifarVariant } from '@/engine/data/cifar';
import { validateDataset, type Dataset } from '@/engine/data/dataset';
import { DatasetError } from '@/engine/data/errors';
import { gunzip } from '@/engine/data/gunzip';
import { FUZZ_TIMEOUT_MS, runFuzz } from './harness';
import { mutateBytes } from './mutate';
import { GZIP_FIELDS, cifarFields, cifarFile, gzip } from './seeds';

const isTyped = (e: unknown) => e instanceof DatasetError;
const code = (e: unknown) => (e as DatasetError).problem;

describe('fuzz: CIFAR binary', () => {
  it(
    'parseCifarBinary / parseCifarBatches: a valid Dataset or DatasetError',
    async () => {
      const seeds: Record<CifarVariant, Uint8Array[]> = {
        cifar10: [cifarFile('cifar10', 2, 1), cifarFile('cifar10', 1, 2)],
        cifar100: [cifarFile('cifar100', 2, 3), cifarFile('cifar100', 1, 4)],
      };
      const corpus = [...seeds.cifar10, ...seeds.cifar100];
      type In = { variant: CifarVariant; label: 'fine' | 'coarse'; files: Uint8Array[] };
      const stats = await runFuzz<In, Dataset>({
        name: 'parseCifarBinary/Batches',
        salt: 201,
        generate: (rng) => {
          const variant: CifarVariant = rng.next() < 0.5 ? 'cifar10' : 'cifar100';
          const label = rng.next() < 0.5 ? 'fine' : 'coarse';
          const nFiles = rng.next() < 0.6 ? 1 : 2 + rng.int(2);
          const hows: string[] = [];
          const files = Array.from({ length: nFiles }, () => {
            const own = seeds[variant][rng.int(2)];
            if (rng.next() < 0.3) return own; // some files untouched
            const m = mutateBytes(rng, own, { fields: cifarFields(variant), corpus });
            hows.push(m.how);
            return m.bytes;
          });
          return { input: { variant, label, files }, how: `${variant} ${hows.join(' | ')}` };
        },
        call: ({ variant, label, files }) =>
          files.length === 1
            ? parseCifarBinary(files[0], 'data_batch_1.bin', { variant, label })
            : parseCifarBatches(
                files.map((bytes, i) => ({ bytes, file: `data_batch_${i + 1}.bin` })),
                { variant, label },
              ),
        isTyped,
        code,
        check: ({ variant, files }, ds) => {
          validateDataset(ds);
          const rec = variant === 'cifar10' ? 3073 : 3074;
          const total = files.reduce((a, f) => a + f.length, 0);
          expect(ds.labels.length * rec).toBe(total); // exactly the whole records given
          expect(ds.images.length).toBe(ds.labels.length * 3072);
        },
      });
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('fuzz: gunzip', () => {
  it(
    'gunzip: output within maxBytes and equal to zlib, or DatasetError',
    async () => {
      const text = new TextEncoder().encode('IDX and CIFAR files, gzipped. '.repeat(40));
      const noise = Uint8Array.from({ length: 700 }, (_, i) => (i * 7919) % 251);
      const seeds = [
        gzip(text),
        gzip(noise),
        gzip(new Uint8Array(0)),
        new Uint8Array([...gzip(text.subarray(0, 100)), ...gzip(noise.subarray(0, 50))]), // 2 members
        gzip(new Uint8Array(4 << 20)), // a bomb: 4 MiB of zeros in about 4 KiB
      ];
      type In = { bytes: Uint8Array; maxBytes: number };
      const stats = await runFuzz<In, Uint8Array>({
        name: 'gunzip',
        salt: 301,
        generate: (rng) => {
          const seed = seeds[rng.int(seeds.length)];
          const maxBytes = [1, 1024, 64 * 1024, 1 << 20][rng.int(4)];
          if (rng.next() < 0.05) return { input: { bytes: seed, maxBytes }, how: 'seed' };
          const m = mutateBytes(rng, seed, { fields: GZIP_FIELDS, corpus: seeds });
          return { input: { bytes: m.bytes, maxBytes }, how: m.how };
        },
        call: ({ bytes, maxBytes }) => gunzip(bytes, { file: 'fuzz.gz', maxBytes }),
        isTyped,
        code,
        check: ({ bytes, maxBytes }, out) => {
          expect(out.length).toBeLessThanOrEqual(maxBytes);
          // differential: zlib reads the same bytes from the same stream
          let ref: Uint8Array | null = null;
          try {
            ref = gunzipSync(bytes);
          } catch {
            ref = null;
          }
          if (ref !== null) expect(Buffer.compare(Buffer.from(out), ref)).toBe(0);
        },
      });
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
      expect(stats.codes['too-large']).toBeGreaterThan(0); // the bomb was stopped
    },
    FUZZ_TIMEOUT_MS,
  );
});
