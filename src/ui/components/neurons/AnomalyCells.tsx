/**
 * The anomaly degree of every neuron of a layer on this image as a heat map of coloured cells in
 * neuron order, row-major. Relative anomaly spans orders of magnitude (a neuron near zero on the
 * clean image can change by 100×), so the colour is logarithmic: the sequential map from
 * max(smallest positive value, largest / 10⁴) to the largest value; zeros get the bottom colour.
 * Neurons the current mask removes are hatched; each cell's tooltip gives its index and value.
 */
import type { LayerActivations } from '../../../workers/protocol';
import { css, heat } from '../canvas/colormap';
import { fmt } from './stats';

/** Log-scale range [lo, hi] of the positive finite values (null when there are none). */
export function logRange(values: Float32Array): [number, number] | null {
  let lo = Infinity;
  let hi = 0;
  for (const v of values)
    if (v > 0 && Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return hi > 0 ? [Math.max(lo, hi / 1e4), hi] : null;
}

export function AnomalyCells({ layer }: { layer: LayerActivations }) {
  const n = layer.anomaly.length;
  const range = logRange(layer.anomaly);
  const cols = Math.min(n, n <= 64 ? 16 : 32);
  const t = (a: number) => {
    if (!range || !(a > 0)) return 0;
    const [lo, hi] = range;
    return hi > lo ? Math.log(Math.max(a, lo) / lo) / Math.log(hi / lo) : 1;
  };
  return (
    <div>
      <div
        className="anomaly-cells"
        role="img"
        aria-label={`${layer.layer}: anomaly degree of ${n} neurons${range ? `, ${fmt(range[0])} to ${fmt(range[1])}, log scale` : ''}`}
        style={{ gridTemplateColumns: `repeat(${cols}, 14px)` }}
      >
        {Array.from(layer.anomaly, (a, j) => {
          const removed = layer.removed[j] === 1;
          return (
            <span
              key={j}
              className={removed ? 'anomaly-cell removed' : 'anomaly-cell'}
              style={{ background: css(heat(t(a))) }}
              title={`neuron ${j}: anomaly ${fmt(a)}${removed ? ' (removed)' : ''}`}
            />
          );
        })}
      </div>
      <p className="label">
        {range ? `log scale ${fmt(range[0])} … ${fmt(range[1])}` : 'all zero'}
      </p>
    </div>
  );
}
