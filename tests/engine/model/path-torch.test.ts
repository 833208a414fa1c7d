// The shipped fine-tuned path (public/models/paths/, issue 12): each checkpoint loads with
// python/advprune_torch.py in Debian's PyTorch and gives the engine's logits within 1e-4 and the
// same clean accuracy on the first 1,000 real Fashion-MNIST test images; its pruned weights are 0
// and its sparsity is the one the manifest states.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { logitsFn } from '@/engine/model/forward';
import { disposeModel } from '@/engine/model/init';
import { loadModelSafetensors } from '@/engine/model/serialize/model-io';
import { disposeMasks } from '@/engine/prune/masks';
import { parsePathManifest } from '@/engine/session/path';
import { fashionImages, maxAbsDiff } from './export-fixtures';

const PYTHON = process.env.ADVPRUNE_TORCH_PYTHON ?? '/usr/bin/python3';
const LOADER_DIR = fileURLToPath(new URL('../../../python/', import.meta.url));
const MODELS = fileURLToPath(new URL('../../../public/models/', import.meta.url));
const N = 1000;

const DRIVER = `
import sys, torch
sys.path.insert(0, sys.argv[1])
from advprune_torch import load
torch.set_num_threads(1)
n = int(sys.argv[3])
x = torch.frombuffer(bytearray(open(sys.argv[2], "rb").read()), dtype=torch.float32).reshape(n, 28, 28, 1)
with torch.no_grad():
    z = load(sys.argv[4], input_layout="NHWC")(x)
open(sys.argv[5], "wb").write(z.contiguous().numpy().tobytes())
`;

const manifest = parsePathManifest(
  JSON.parse(
    await readFile(path.join(MODELS, 'paths/index.json'), 'utf8').catch(() => '{"paths": []}'),
  ),
);
const dir = await mkdtemp(path.join(tmpdir(), 'advprune-path-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the shipped fine-tuned path in PyTorch', () => {
  it('ships the anomaly end-to-end path', () => {
    expect(manifest.paths.map((p) => p.criterion)).toContain('anomaly-learned');
  });

  for (const p of manifest.paths)
    for (const c of p.checkpoints)
      it(`${p.criterion} at ${c.sparsity}: same logits and accuracy in PyTorch`, async () => {
        if (!existsSync(PYTHON))
          throw new Error(`${PYTHON} is missing: install Debian's python3-torch`);
        const { data, labels } = await fashionImages(N);
        const file = path.join(MODELS, c.file);
        const { model, masks } = loadModelSafetensors(new Uint8Array(await readFile(file)), c.file);
        let engine: Float32Array;
        let removed = 0;
        let total = 0;
        try {
          for (const [k, m] of masks) {
            const mv = await m.data();
            const w = await (model.params.get(k) as tf.Variable).data();
            mv.forEach((v, i) => {
              total++;
              if (v === 0) {
                removed++;
                expect(w[i]).toBe(0 * w[i]); // ±0
              }
            });
          }
          const x = tf.tensor4d(data, [N, 28, 28, 1]);
          const y = logitsFn(model)(x);
          engine = Float32Array.from(await y.data());
          tf.dispose([x, y]);
        } finally {
          disposeMasks(masks);
          disposeModel(model);
        }
        expect(removed / total).toBeCloseTo(c.sparsity, 3);
        const images = path.join(dir, 'images.f32');
        await writeFile(images, data);
        const out = path.join(dir, `${path.basename(c.file)}.logits`);
        await promisify(execFile)(PYTHON, ['-c', DRIVER, LOADER_DIR, images, String(N), file, out]);
        const b = await readFile(out);
        const torch = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
        expect(maxAbsDiff(torch, engine)).toBeLessThan(1e-4);
        const acc = (z: Float32Array) => {
          let ok = 0;
          for (let i = 0; i < N; i++) {
            let best = 0;
            for (let k = 1; k < 10; k++) if (z[i * 10 + k] > z[i * 10 + best]) best = k;
            if (best === labels[i]) ok++;
          }
          return ok / N;
        };
        expect(acc(torch)).toBe(acc(engine));
        expect(acc(engine)).toBeGreaterThan(0.6);
      }, 120_000);
});
