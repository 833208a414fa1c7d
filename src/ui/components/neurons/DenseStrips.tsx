/**
 * A dense layer's units for one image as horizontal strips, one pixel column per unit: clean and
 * adversarial activations on one shared gray scale (the layer's min..max over both), their
 * difference on a diverging scale (±max |a(x') − a(x)|), and a strip marking the units the
 * current mask removes (red).
 */
import { useMemo } from 'react';
import type { LayerActivations } from '../../../workers/protocol';
import { extent, maxAbs } from '../canvas/pixels';
import { PixelCanvas } from '../canvas/PixelCanvas';
import { countRemoved, difference, fmt } from './stats';

/** Widest strip in CSS pixels. */
const MAX_STRIP_PX = 720;
const STRIP_HEIGHT_PX = 14;

export function DenseStrips({ layer }: { layer: LayerActivations }) {
  const units = layer.shape[0] ?? layer.clean.length;
  const diff = useMemo(() => difference(layer.clean, layer.adversarial), [layer]);
  const amp = useMemo(() => maxAbs(diff), [diff]);
  const [lo, hi] = useMemo(() => {
    const a = extent(layer.clean);
    const b = extent(layer.adversarial);
    return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
  }, [layer]);
  const unitPx = Math.max(1, Math.min(8, Math.floor(MAX_STRIP_PX / Math.max(units, 1))));
  const cssWidth = unitPx * units;

  const rows: {
    name: string;
    data: Float32Array;
    mode: 'gray' | 'diverging' | 'heat';
    min: number;
    max: number;
    note: string;
  }[] = [
    {
      name: 'clean',
      data: layer.clean,
      mode: 'gray',
      min: lo,
      max: hi,
      note: `${fmt(lo)}..${fmt(hi)}`,
    },
    { name: 'adversarial', data: layer.adversarial, mode: 'gray', min: lo, max: hi, note: '' },
    {
      name: 'difference',
      data: diff,
      mode: 'diverging',
      min: -amp,
      max: amp,
      note: `±${fmt(amp)}`,
    },
  ];
  return (
    <div className="dense-strips">
      {rows.map((r) => (
        <div key={r.name} className="strip-row">
          <span className="label strip-name">{r.name}</span>
          <PixelCanvas
            data={r.data}
            height={1}
            width={units}
            mode={r.mode}
            min={r.min}
            max={r.max}
            cssWidth={cssWidth}
            cssHeight={STRIP_HEIGHT_PX}
            label={`${layer.layer}: ${r.name} activations of ${units} units`}
          />
          <span className="label">{r.note}</span>
        </div>
      ))}
      <div className="strip-row">
        <span className="label strip-name">removed</span>
        <span className="removed-strip" style={{ width: cssWidth }}>
          {Array.from(layer.removed, (r, j) =>
            r ? (
              <span
                key={j}
                className="removed-mark"
                title={`unit ${j} removed`}
                style={{ left: j * unitPx, width: unitPx }}
              />
            ) : null,
          )}
        </span>
        <span className="label">{countRemoved(layer.removed)} removed</span>
      </div>
    </div>
  );
}
