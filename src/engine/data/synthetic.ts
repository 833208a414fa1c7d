/**
 * A small, learnable, seeded dataset for tests, demos and benchmarks: each class has a smooth
 * random prototype image (a sum of three random plane waves per channel), and a sample is its
 * class's prototype plus Gaussian pixel noise, clipped to [0, 1]. A linear or tiny conv model
 * separates the classes within a few epochs; larger `noise` makes the task harder.
 */
import { Rng } from '../rng';
import { imageSize, type Dataset } from './dataset';
import { deriveSeed } from './order';

export interface SyntheticOptions {
  /** number of samples, a positive integer */
  n: number;
  /** `[H, W, C]` of one image (positive integers) */
  shape: [number, number, number];
  /** number of classes K ≥ 2; labels are balanced (counts differ by at most 1) */
  numClasses: number;
  /** seed: same options → same dataset */
  seed: number;
  /** standard deviation of the pixel noise, in [0, 1] pixel units (default 0.15) */
  noise?: number;
  /** dataset name (default 'synthetic') */
  name?: string;
}

const WAVES = 3;

/** The class prototypes, `[K, H, W, C]` in [0.1, 0.9], for seed `seed`. */
export function syntheticPrototypes(
  shape: readonly [number, number, number],
  numClasses: number,
  seed: number,
): Float32Array {
  const [h, w, c] = shape;
  const rng = new Rng(deriveSeed(seed, 0x9707));
  const out = new Float32Array(numClasses * h * w * c);
  for (let k = 0; k < numClasses; k++) {
    for (let ch = 0; ch < c; ch++) {
      const waves = Array.from({ length: WAVES }, () => ({
        fy: (rng.next() * 2 - 1) * 2.5, // cycles per image height, in [−2.5, 2.5]
        fx: (rng.next() * 2 - 1) * 2.5,
        phase: rng.next() * 2 * Math.PI,
      }));
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let s = 0;
          for (const v of waves)
            s += Math.sin(2 * Math.PI * (v.fy * (y / h) + v.fx * (x / w)) + v.phase);
          const value = 0.5 + 0.4 * Math.tanh(s / Math.sqrt(WAVES)); // in (0.1, 0.9)
          out[((k * h + y) * w + x) * c + ch] = value;
        }
      }
    }
  }
  return out;
}

/**
 * Builds the synthetic dataset.
 * @returns images `[n, H, W, C]` in [0, 1], balanced labels in [0, numClasses), shuffled
 */
export function syntheticDataset(opts: SyntheticOptions): Dataset {
  const { n, shape, numClasses, seed } = opts;
  const noise = opts.noise ?? 0.15;
  if (!(Number.isSafeInteger(n) && n > 0))
    throw new RangeError(`synthetic: n must be > 0, got ${n}`);
  if (!shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new RangeError(`synthetic: shape must be positive integers, got [${shape.join(', ')}]`);
  }
  if (!(Number.isSafeInteger(numClasses) && numClasses >= 2)) {
    throw new RangeError(`synthetic: numClasses must be ≥ 2, got ${numClasses}`);
  }
  if (!(noise >= 0)) throw new RangeError(`synthetic: noise must be ≥ 0, got ${noise}`);
  const protos = syntheticPrototypes(shape, numClasses, seed);
  const size = imageSize(shape);
  const rng = new Rng(deriveSeed(seed, 0x5a3b1e));
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % numClasses;
  rng.shuffle(labels);
  const images = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    const p = labels[i] * size;
    for (let j = 0; j < size; j++) {
      const v = protos[p + j] + noise * rng.normal();
      images[i * size + j] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return {
    name: opts.name ?? 'synthetic',
    images,
    labels,
    shape: [shape[0], shape[1], shape[2]],
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, k) => `class ${k}`),
  };
}
