/**
 * Turning plain Float32Arrays into RGBA pixels (pure functions, no DOM): an HWC image (1 or 3
 * channels, row-major), or one H×W map taken from a larger array at an offset (e.g. channel j of a
 * [C, H, W] activation tensor starts at j·H·W), coloured by one of the colormaps.
 */
import { diverging, gray, heat, type Rgb } from './colormap';

/**
 * How values become colours:
 * - 'gray': (v − min) / (max − min) as a gray level (3-channel data are drawn as RGB the same way)
 * - 'heat': (v − min) / (max − min) on the sequential map
 * - 'diverging': v / max(|min|, |max|) on the blue-white-red map (0 is white)
 */
export type PixelMode = 'gray' | 'heat' | 'diverging';

export interface PixelSource {
  data: Float32Array;
  /** index of the first value (default 0) */
  offset?: number;
  height: number;
  width: number;
  /** 1 (default) or 3, interleaved HWC */
  channels?: number;
  mode: PixelMode;
  /** value range mapped onto the colormap (default [0, 1]) */
  min?: number;
  max?: number;
}

/** Fill `out` (length 4·H·W) with the RGBA pixels of `src`; returns `out`. */
export function toRgba(src: PixelSource, out: Uint8ClampedArray): Uint8ClampedArray {
  const { data, height, width, mode } = src;
  const offset = src.offset ?? 0;
  const channels = src.channels ?? 1;
  const min = src.min ?? 0;
  const max = src.max ?? 1;
  const n = height * width;
  if (out.length !== 4 * n)
    throw new RangeError(`RGBA buffer has ${out.length} bytes, want ${4 * n}`);
  if (offset + n * channels > data.length)
    throw new RangeError(
      `image of ${height}×${width}×${channels} at ${offset} exceeds ${data.length} values`,
    );
  const span = max - min || 1;
  const half = Math.max(Math.abs(min), Math.abs(max)) || 1;
  for (let p = 0; p < n; p++) {
    let rgb: Rgb;
    if (channels === 3 && mode === 'gray') {
      const i = offset + 3 * p;
      rgb = [
        gray((data[i] - min) / span)[0],
        gray((data[i + 1] - min) / span)[0],
        gray((data[i + 2] - min) / span)[0],
      ];
    } else {
      // multi-channel data in heat/diverging mode: the mean over channels
      let v = 0;
      for (let c = 0; c < channels; c++) v += data[offset + channels * p + c];
      v /= channels;
      rgb =
        mode === 'gray'
          ? gray((v - min) / span)
          : mode === 'heat'
            ? heat((v - min) / span)
            : diverging(v / half);
    }
    out[4 * p] = rgb[0];
    out[4 * p + 1] = rgb[1];
    out[4 * p + 2] = rgb[2];
    out[4 * p + 3] = 255;
  }
  return out;
}

/** Largest |v| over data[offset, offset + length) (0 for an empty range); ignores NaN. */
export function maxAbs(data: Float32Array, offset = 0, length = data.length - offset): number {
  let m = 0;
  for (let i = offset; i < offset + length; i++) {
    const a = Math.abs(data[i]);
    if (a > m) m = a;
  }
  return m;
}

/** [min, max] of data[offset, offset + length) ([0, 0] when empty); ignores NaN. */
export function extent(
  data: Float32Array,
  offset = 0,
  length = data.length - offset,
): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = offset; i < offset + length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}
