// Fuzz: IDX parsing (parseIdx) and IDX pairs to a Dataset (loadIdxPair, which also gunzips and
// calls idxImagesLabelsToDataset). Every input must parse to a valid, bounded result or fail with
// a DatasetError.
import { describe, expect, it } from 'vitest';
import { validateDataset, type Dataset } from '@/engine/data/dataset';
import { DatasetError } from '@/engine/data/errors';
import { loadIdxPair } from '@/engine/data/fashion-mnist';
import { parseIdx, type IdxArray } from '@/engine/data/idx';
import { FUZZ_TIMEOUT_MS, runFuzz } from './harness';
import { mutateBytes } from './mutate';
import { IDX_FIELDS, gzip, idxPairSeeds, idxSeeds } from './seeds';

const isTyped = (e: unknown) => e instanceof DatasetError;
const code = (e: unknown) => (e as DatasetError).problem;
/** the bound loadIdxPair is given on each decompressed file */
const MAX_BYTES = 1 << 20;
const pick = <T>(i: number, a: readonly T[]) => a[i % a.length];

describe('fuzz: IDX', () => {
  it(
    'parseIdx: every mutated file parses to a bounded array or throws DatasetError',
    async () => {
      const seeds = idxSeeds();
      const stats = await runFuzz<Uint8Array, IdxArray>({
        name: 'parseIdx',
        salt: 101,
        generate: (rng) => {
          const m = mutateBytes(rng, seeds[rng.int(seeds.length)], {
            fields: IDX_FIELDS,
            corpus: seeds,
          });
          return { input: m.bytes, how: m.how };
        },
        call: (bytes) => parseIdx(bytes, 'fuzz.idx'),
        isTyped,
        code,
        check: (bytes, r) => {
          // the data is exactly what follows the header: never more than the input
          const count = r.shape.reduce((a, b) => a * b, 1);
          expect(r.data.length).toBe(count);
          expect(r.data.byteLength).toBeLessThanOrEqual(bytes.length);
          expect(4 + 4 * r.shape.length + r.data.byteLength).toBe(bytes.length);
        },
      });
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'loadIdxPair (gzip or raw): a valid Dataset or DatasetError',
    async () => {
      const pairs = idxPairSeeds();
      const all = pairs.flatMap((p) => [p.images, p.labels]);
      type In = { images: Uint8Array; labels: Uint8Array };
      const stats = await runFuzz<In, Dataset>({
        name: 'loadIdxPair',
        salt: 102,
        generate: (rng, i) => {
          const p = pick(i, pairs);
          const opts = { fields: IDX_FIELDS, corpus: all };
          const which = rng.int(3); // images, labels or both
          const hows: string[] = [];
          const mut = (b: Uint8Array, name: string) => {
            // mutate the raw file and then gzip it, or gzip it and mutate the gzip stream
            const r = rng.int(4);
            if (r === 0) {
              const m = mutateBytes(rng, gzip(b), opts);
              hows.push(`${name}: gz then ${m.how}`);
              return m.bytes;
            }
            const m = mutateBytes(rng, b, opts);
            hows.push(`${name}: ${m.how}${r === 1 ? ' then gz' : ''}`);
            return r === 1 ? gzip(m.bytes) : m.bytes;
          };
          const images = which !== 1 ? mut(p.images, 'images') : p.images;
          const labels = which !== 0 ? mut(p.labels, 'labels') : p.labels;
          return { input: { images, labels }, how: hows.join(' | ') };
        },
        call: ({ images, labels }) =>
          loadIdxPair({
            imagesBytes: images,
            labelsBytes: labels,
            imagesFile: 'images.idx',
            labelsFile: 'labels.idx',
            name: 'fuzz',
            numClasses: 10,
            maxBytes: MAX_BYTES,
          }),
        isTyped,
        code,
        check: (_input, ds) => {
          validateDataset(ds); // labels in [0, 10), pixels in [0, 1], N·H·W·C values
          expect(ds.labels.length).toBeGreaterThan(0);
          // decompressed files are bounded by MAX_BYTES, and each pixel needs at least one byte
          expect(ds.images.length).toBeLessThanOrEqual(MAX_BYTES);
          expect(ds.labels.length).toBeLessThanOrEqual(MAX_BYTES);
        },
      });
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});
