// Fuzz: the dashboard's user-file loader, Session.loadDatasetFiles (IDX pairs or CIFAR batches,
// gzipped or not, told apart by content; session/datasets.ts). Inputs are sets of files with one
// or two files mutated, gzipped, dropped, duplicated, renamed or replaced by another set's file.
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '@/engine/data/errors';
import { isGzip } from '@/engine/data/gunzip';
import type { Rng } from '@/engine/rng';
import { Session, SessionError } from '@/engine/session';
import type { DatasetInfo } from '@/engine/session/types';
import { FUZZ_TIMEOUT_MS, runFuzz } from './harness';
import { mutateBytes } from './mutate';
import { IDX_FIELDS, cifarFields, cifarFile, gzip, idxFile } from './seeds';

type Files = { name: string; bytes: Uint8Array }[];

/** Size after gunzip (zlib as the reference) for gzip data, else the size itself. */
function decompressedSize(b: Uint8Array): number {
  if (!isGzip(b)) return b.length;
  try {
    return gunzipSync(b).length;
  } catch {
    return b.length;
  }
}

function fileSets(): Files[] {
  const px = (n: number) => Array.from({ length: n }, (_, i) => (i * 37) % 256);
  const lab = (n: number, k: number) => Array.from({ length: n }, (_, i) => i % k);
  return [
    [
      { name: 'train-images-idx3-ubyte', bytes: idxFile([8, 4, 4], px(128), 'uint8') },
      { name: 'train-labels-idx1-ubyte', bytes: idxFile([8], lab(8, 3), 'uint8') },
    ],
    [
      { name: 'train-images.gz', bytes: gzip(idxFile([6, 3, 3], px(54), 'uint8')) },
      { name: 'train-labels.gz', bytes: gzip(idxFile([6], lab(6, 4), 'int32')) },
      { name: 't10k-images.gz', bytes: gzip(idxFile([4, 3, 3], px(36), 'uint8')) },
      { name: 't10k-labels.gz', bytes: gzip(idxFile([4], lab(4, 4), 'int32')) },
    ],
    [
      { name: 'kmnist-imgs', bytes: idxFile([5, 3, 3, 3], px(135), 'uint8') },
      { name: 'kmnist-labels', bytes: idxFile([5], lab(5, 2), 'int16') },
    ],
    [
      { name: 'data_batch_1.bin', bytes: cifarFile('cifar10', 3, 7) },
      { name: 'test_batch.bin', bytes: cifarFile('cifar10', 2, 8) },
    ],
    [{ name: 'cifar100-train.bin', bytes: cifarFile('cifar100', 3, 9) }],
  ];
}

function generate(rng: Rng, sets: Files[]): { input: Files; how: string } {
  const files = sets[rng.int(sets.length)].map((f) => ({ ...f }));
  const all = sets.flat();
  const hows: string[] = [];
  const k = 1 + rng.int(2);
  for (let i = 0; i < k && files.length > 0; i++) {
    const j = rng.int(files.length);
    const f = files[j];
    const op = rng.int(10);
    if (op < 6) {
      const fields = f.bytes.length > 3000 ? cifarFields('cifar10') : IDX_FIELDS;
      const m = mutateBytes(rng, f.bytes, { fields, corpus: all.map((x) => x.bytes) });
      files[j] = { name: f.name, bytes: rng.next() < 0.2 ? gzip(m.bytes) : m.bytes };
      hows.push(`${f.name}: ${m.how}`);
    } else if (op === 6) {
      files.splice(j, 1);
      hows.push(`drop ${f.name}`);
    } else if (op === 7) {
      files.push({ name: `copy-${f.name}`, bytes: f.bytes });
      hows.push(`duplicate ${f.name}`);
    } else if (op === 8) {
      const name = ['test', 't10k-x', '100', '', 'x.gz', f.name + '-test'][rng.int(6)];
      files[j] = { name, bytes: f.bytes };
      hows.push(`rename ${f.name} → '${name}'`);
    } else {
      const other = all[rng.int(all.length)];
      files[j] = { name: f.name, bytes: other.bytes };
      hows.push(`${f.name} ← bytes of ${other.name}`);
    }
  }
  return { input: files, how: hows.join('; ') };
}

describe('fuzz: user dataset files', () => {
  it(
    'Session.loadDatasetFiles: a valid dataset or DatasetError/SessionError',
    async () => {
      const sets = fileSets();
      const session = new Session();
      const before = tf.memory().numTensors;
      const stats = await runFuzz<Files, DatasetInfo>({
        name: 'Session.loadDatasetFiles',
        salt: 701,
        generate: (rng) => generate(rng, sets),
        call: (files) =>
          session.loadDatasetFiles(
            files.map((f) => ({ name: f.name, bytes: f.bytes.slice().buffer })),
          ),
        isTyped: (e) => e instanceof DatasetError || e instanceof SessionError,
        code: (e) => (e instanceof DatasetError ? e.problem : 'session'),
        check: (files, info) => {
          // every pixel comes from at least one (decompressed) input byte
          const bytes = files.reduce((a, f) => a + decompressedSize(f.bytes), 0);
          const n = info.train + info.val + info.test;
          expect(info.train).toBeGreaterThan(0);
          expect(info.test).toBeGreaterThan(0);
          expect(n * info.shape.reduce((a, b) => a * b, 1)).toBeLessThanOrEqual(bytes);
          expect(info.numClasses).toBeGreaterThanOrEqual(2);
          expect(info.numClasses).toBeLessThanOrEqual(1000);
          expect(info.classNames.length).toBe(info.numClasses);
        },
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});
