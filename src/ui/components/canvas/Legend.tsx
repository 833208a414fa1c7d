/** A colour bar with its end labels, for a heat map or a diverging difference map. */
import { DIVERGING_STOPS, gradientCss, HEAT_STOPS } from './colormap';

export interface LegendProps {
  kind: 'heat' | 'diverging' | 'gray';
  /** text at the left and right ends */
  low: string;
  high: string;
  /** what the colour means, e.g. "anomaly degree" */
  caption: string;
}

export function Legend({ kind, low, high, caption }: LegendProps) {
  const background =
    kind === 'heat'
      ? gradientCss(HEAT_STOPS)
      : kind === 'diverging'
        ? gradientCss(DIVERGING_STOPS)
        : 'linear-gradient(to right, black, white)';
  return (
    <figure className="legend" aria-label={`${caption}: ${low} to ${high}`}>
      <span className="legend-end">{low}</span>
      <span className="legend-bar" style={{ background }} />
      <span className="legend-end">{high}</span>
      <figcaption className="label">{caption}</figcaption>
    </figure>
  );
}
