/**
 * One adversarial example: the clean test image, the perturbation x' − x amplified to fill the
 * diverging colormap (blue negative, white zero, red positive, scaled by its own max |x' − x|),
 * and the adversarial image; below, the dense and the pruned model's predictions on both, wrong
 * ones marked.
 */
import { useMemo } from 'react';
import type { AdversarialExample } from '../../../workers/protocol';
import { maxAbs } from '../canvas/pixels';
import { PixelCanvas } from '../canvas/PixelCanvas';

export interface ExampleCardProps {
  example: AdversarialExample;
  /** [H, W, C] of the images */
  shape: [number, number, number];
  classNames: string[];
}

function Prediction({ pred, label, names }: { pred: number; label: number; names: string[] }) {
  const wrong = pred !== label;
  const name = names[pred] ?? `class ${pred}`;
  return (
    <td className={wrong ? 'pred wrong' : 'pred right'} title={wrong ? 'wrong' : 'correct'}>
      {wrong ? '✗ ' : '✓ '}
      {name}
    </td>
  );
}

export function ExampleCard({ example, shape, classNames }: ExampleCardProps) {
  const [h, w, c] = shape;
  const delta = useMemo(() => {
    const d = new Float32Array(example.clean.length);
    for (let i = 0; i < d.length; i++) d[i] = example.adversarial[i] - example.clean[i];
    return d;
  }, [example]);
  const amp = maxAbs(delta);
  const scale = Math.max(2, Math.round(84 / Math.max(h, w)));
  const truth = classNames[example.label] ?? `class ${example.label}`;

  return (
    <article className="example card" aria-label={`Test image ${example.index}`}>
      <header className="example-head">
        <strong>#{example.index}</strong> <span>{truth}</span>
        <span className="label"> ‖δ‖∞ {example.linf.toFixed(3)}</span>
      </header>
      <div className="example-images">
        <figure>
          <PixelCanvas
            data={example.clean}
            height={h}
            width={w}
            channels={c}
            mode="gray"
            scale={scale}
            label={`clean image ${example.index}`}
          />
          <figcaption className="label">clean</figcaption>
        </figure>
        <figure>
          <PixelCanvas
            data={delta}
            height={h}
            width={w}
            channels={c}
            mode="diverging"
            min={-amp}
            max={amp}
            scale={scale}
            label={`perturbation of image ${example.index}, amplified ×${amp > 0 ? (1 / amp).toFixed(1) : '0'}`}
          />
          <figcaption className="label">δ ×{amp > 0 ? (1 / amp).toFixed(1) : '—'}</figcaption>
        </figure>
        <figure>
          <PixelCanvas
            data={example.adversarial}
            height={h}
            width={w}
            channels={c}
            mode="gray"
            scale={scale}
            label={`adversarial image ${example.index}`}
          />
          <figcaption className="label">adversarial</figcaption>
        </figure>
      </div>
      <table className="data preds">
        <thead>
          <tr>
            <th>model</th>
            <th>clean</th>
            <th>adversarial</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>dense</td>
            <Prediction pred={example.densePred} label={example.label} names={classNames} />
            <Prediction pred={example.denseAdvPred} label={example.label} names={classNames} />
          </tr>
          <tr>
            <td>pruned</td>
            <Prediction pred={example.prunedPred} label={example.label} names={classNames} />
            <Prediction pred={example.prunedAdvPred} label={example.label} names={classNames} />
          </tr>
        </tbody>
      </table>
    </article>
  );
}
