/**
 * Colormaps for pixel figures, as plain functions from a number to an RGB triple (0-255 each):
 * gray for images and activations, a sequential "heat" map (dark blue → teal → yellow, close to
 * viridis) for non-negative magnitudes such as anomaly degrees, and a diverging blue-white-red map
 * for signed differences (x' − x, a(x') − a(x)). Inputs outside the documented ranges are clamped.
 */

export type Rgb = readonly [number, number, number];

const clamp01 = (t: number) => (t > 1 ? 1 : t > 0 ? t : 0); // NaN → 0

/** Piecewise-linear interpolation between evenly spaced stops; t in [0, 1]. */
function ramp(stops: readonly Rgb[], t: number): Rgb {
  const x = clamp01(t) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** Stops of the sequential map (viridis at 0, 0.25, 0.5, 0.75, 1). */
export const HEAT_STOPS: readonly Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** Stops of the diverging map (blue at −1, white at 0, red at +1; ColorBrewer RdBu). */
export const DIVERGING_STOPS: readonly Rgb[] = [
  [33, 102, 172],
  [146, 197, 222],
  [247, 247, 247],
  [244, 165, 130],
  [178, 24, 43],
];

/** Gray level of t in [0, 1] (0 black, 1 white). */
export function gray(t: number): Rgb {
  const v = Math.round(clamp01(t) * 255);
  return [v, v, v];
}

/** Sequential colour of t in [0, 1]. */
export function heat(t: number): Rgb {
  return ramp(HEAT_STOPS, t);
}

/** Diverging colour of t in [−1, 1] (0 is white). */
export function diverging(t: number): Rgb {
  return ramp(DIVERGING_STOPS, (t + 1) / 2);
}

/** CSS `rgb(...)` of a triple. */
export function css(c: Rgb): string {
  return `rgb(${c[0]} ${c[1]} ${c[2]})`;
}

/** A CSS linear-gradient (left to right) through the given stops, for legends. */
export function gradientCss(stops: readonly Rgb[]): string {
  return `linear-gradient(to right, ${stops.map(css).join(', ')})`;
}
