/**
 * Fixtures of the interchange-export tests (ONNX, tfjs Layers, the PyTorch loader): real
 * Fashion-MNIST test images, and every architecture as a dense, a masked (unstructured and
 * structured) and a compacted model. LeNet is the shipped, adversarially trained default model
 * (public/models/default.safetensors); the others are seeded initializations whose batch-norm
 * statistics, gamma and beta are randomized, so BN is not the identity and a layout or padding
 * mistake changes the logits.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import {
  ARCHITECTURES,
  disposeModel,
  initModel,
  loadModelSafetensors,
  logitsFn,
  planModel,
} from '@/engine/model';
import type { ArchitectureName, Masks, Model } from '@/engine/model';
import { loadFashionMnist } from '@/engine/data';
import { compactModel } from '@/engine/prune/compact';
import { disposeMasks, toTensorMasks } from '@/engine/prune/masks';
import type { PlainMasks } from '@/engine/prune/types';
import { Rng } from '@/engine/rng';
import { readFashionFile } from '../data/fixtures';

export const ARCHS = Object.keys(ARCHITECTURES) as ArchitectureName[];
export type Variant = 'dense' | 'masked' | 'structured' | 'compacted';
export const VARIANTS: Variant[] = ['dense', 'masked', 'structured', 'compacted'];

/** The first `n` Fashion-MNIST test images: `[n, 28, 28, 1]` pixels in [0, 1], row-major NHWC. */
export async function fashionImages(
  n: number,
): Promise<{ data: Float32Array; labels: Int32Array }> {
  const ds = await loadFashionMnist(readFashionFile, 'test');
  return {
    data: ds.images.slice(0, n * 784),
    labels: Int32Array.from(ds.labels.slice(0, n)),
  };
}

async function baseModel(arch: ArchitectureName): Promise<Model> {
  if (arch === 'lenet') {
    const path = fileURLToPath(
      new URL('../../../public/models/default.safetensors', import.meta.url),
    );
    const b = await readFile(path);
    const { model, masks } = loadModelSafetensors(new Uint8Array(b), 'default.safetensors');
    disposeMasks(masks);
    return model;
  }
  const spec = ARCHITECTURES[arch]([28, 28, 1], 10);
  const model = initModel(spec, 7);
  const rng = new Rng(11);
  const fill = (v: tf.Variable, f: () => number): void => {
    v.assign(tf.tensor(Float32Array.from({ length: v.size }, f), v.shape, 'float32'));
  };
  for (const [name, v] of model.buffers)
    fill(v, name.endsWith('movingMean') ? () => 0.3 * rng.normal() : () => 0.5 + rng.next());
  for (const [name, v] of model.params) {
    if (name.endsWith('/gamma')) fill(v, () => 0.6 + 0.8 * rng.next());
    if (name.endsWith('/beta') || name.endsWith('/bias')) fill(v, () => 0.1 * rng.normal());
  }
  return model;
}

/** Seeded plain masks: unstructured (full kernel shape, ~50% zeros) or structured ([out], ~30%; not the head). */
function makeMasks(model: Model, kind: 'unstructured' | 'structured', seed: number): PlainMasks {
  const plan = planModel(model.spec);
  const rng = new Rng(seed);
  const head = plan.prunable[plan.prunable.length - 1];
  const out: PlainMasks = new Map();
  for (const l of plan.prunable) {
    if (kind === 'unstructured') {
      const size = l.kernelShape.reduce((a, b) => a * b, 1);
      out.set(l.kernelName, {
        shape: [...l.kernelShape],
        data: Uint8Array.from({ length: size }, () => (rng.next() < 0.5 ? 0 : 1)),
      });
    } else if (l !== head) {
      const data = Uint8Array.from({ length: l.neurons }, () => (rng.next() < 0.3 ? 0 : 1));
      data[rng.int(l.neurons)] = 1; // keep at least one unit
      out.set(l.kernelName, { shape: [l.neurons], data });
    }
  }
  return out;
}

export interface Case {
  arch: ArchitectureName;
  variant: Variant;
  /** the model to export (owned by the case: dispose) */
  model: Model;
  /** masks to export with it (compacted ResNet keeps its residual-stream masks) */
  masks: Masks | undefined;
  /** the plain masks (for the zero checks), keyed by kernel name */
  plain: PlainMasks;
  dispose(): void;
}

/** One architecture in one variant. */
export async function makeCase(arch: ArchitectureName, variant: Variant): Promise<Case> {
  const base = await baseModel(arch);
  let model = base;
  let plain: PlainMasks = new Map();
  if (variant === 'masked') plain = makeMasks(base, 'unstructured', 3);
  if (variant === 'structured' || variant === 'compacted') plain = makeMasks(base, 'structured', 5);
  if (variant === 'compacted') {
    const r = compactModel(base, plain);
    disposeModel(base);
    model = r.model;
    plain = r.masks;
  }
  const masks = plain.size > 0 ? toTensorMasks(plain) : undefined;
  return {
    arch,
    variant,
    model,
    masks,
    plain,
    dispose() {
      disposeModel(model);
      if (masks) disposeMasks(masks);
    },
  };
}

/**
 * The engine's logits (inference mode, masks applied) on NHWC images: `[n, K]` row-major. Checks
 * they are far from 0, so that a tolerance of 1e-4 or 1e-5 is a real test.
 */
export async function engineLogits(c: Case, images: Float32Array): Promise<Float32Array> {
  const [h, w, ch] = c.model.spec.inputShape;
  const n = images.length / (h * w * ch);
  const x = tf.tensor4d(images, [n, h, w, ch]);
  const y = logitsFn(c.model, { masks: c.masks })(x);
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  expect(out.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeGreaterThan(0.2);
  return out;
}

/** Largest |a − b| (Infinity for a length mismatch or NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
