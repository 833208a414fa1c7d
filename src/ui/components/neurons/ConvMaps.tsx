/**
 * A conv layer's activation maps for one image: three columns (clean, adversarial, their
 * difference), each a grid of C small H×W canvases in channel order. Clean and adversarial maps
 * of a channel share that channel's gray scale (its min..max over both); the difference uses one
 * diverging scale for the whole layer (±max |a(x') − a(x)|), so the channels the attack moves
 * most stand out. Channels the current mask removes are hatched and outlined.
 */
import { useMemo } from 'react';
import type { LayerActivations } from '../../../workers/protocol';
import { maxAbs } from '../canvas/pixels';
import { PixelCanvas } from '../canvas/PixelCanvas';
import { difference, fmt, sharedRanges } from './stats';

/** Target CSS size of one map in pixels. */
const MAP_PX = 48;

export function ConvMaps({ layer }: { layer: LayerActivations }) {
  const [C, H, W] = layer.shape;
  const size = H * W;
  const diff = useMemo(() => difference(layer.clean, layer.adversarial), [layer]);
  const ranges = useMemo(
    () => sharedRanges(layer.clean, layer.adversarial, C, size),
    [layer, C, size],
  );
  const amp = useMemo(() => maxAbs(diff), [diff]);
  const scale = Math.max(1, Math.round(MAP_PX / Math.max(H, W)));
  const cols = Math.ceil(Math.sqrt(C));

  const column = (which: 'clean' | 'adversarial' | 'difference') => (
    <figure className="map-column">
      <figcaption className="label">
        {which}
        {which === 'difference' ? ` (±${fmt(amp)})` : ''}
      </figcaption>
      <div className="map-grid" style={{ gridTemplateColumns: `repeat(${cols}, auto)` }}>
        {Array.from({ length: C }, (_, j) => {
          const removed = layer.removed[j] === 1;
          const text = `${layer.layer} channel ${j}, ${which}${removed ? ', removed by the mask' : ''}; anomaly ${fmt(layer.anomaly[j])}`;
          return (
            <span key={j} className={removed ? 'map-cell removed' : 'map-cell'}>
              <PixelCanvas
                data={
                  which === 'clean'
                    ? layer.clean
                    : which === 'adversarial'
                      ? layer.adversarial
                      : diff
                }
                offset={j * size}
                height={H}
                width={W}
                mode={which === 'difference' ? 'diverging' : 'gray'}
                min={which === 'difference' ? -amp : ranges[j][0]}
                max={which === 'difference' ? amp : ranges[j][1]}
                scale={scale}
                label={text}
              />
            </span>
          );
        })}
      </div>
    </figure>
  );

  return (
    <div className="conv-maps">
      {column('clean')}
      {column('adversarial')}
      {column('difference')}
    </div>
  );
}
