/**
 * One layer of the Neurons view: its activation maps (conv) or unit strips (dense), clean beside
 * adversarial beside difference; the anomaly heat map; the ten most anomalous neurons.
 */
import type { LayerActivations } from '../../../workers/protocol';
import { AnomalyCells } from './AnomalyCells';
import { ConvMaps } from './ConvMaps';
import { DenseStrips } from './DenseStrips';
import { countRemoved } from './stats';
import { TopNeurons } from './TopNeurons';

export function LayerPanel({ layer }: { layer: LayerActivations }) {
  const neurons = layer.anomaly.length;
  const removed = countRemoved(layer.removed);
  const what = layer.kind === 'conv2d' ? 'channels' : 'units';
  const dead = layer.dead ? countRemoved(layer.dead) : null;
  return (
    <section className="card layer-panel" aria-label={`Layer ${layer.layer}`}>
      <h3>
        {layer.layer}{' '}
        <span className="label">
          {layer.kind} · [{layer.shape.join(' × ')}] · {neurons} {what}
          {removed > 0 ? ` · ${removed} removed by the mask` : ' · none removed'}
        </span>{' '}
        {dead !== null ? (
          <span
            className="label dead-units"
            data-testid={`dead-units-${layer.layer}`}
            title="never fire on any clean or adversarial scoring sample: their paths are pruned first (dead-unit rule)"
          >
            · {dead} dead {what}
          </span>
        ) : null}
      </h3>
      {layer.kind === 'conv2d' ? <ConvMaps layer={layer} /> : <DenseStrips layer={layer} />}
      <div className="layer-anomaly">
        <div>
          <h4>Anomaly degree per neuron</h4>
          <AnomalyCells layer={layer} />
        </div>
        <div>
          <h4>Most anomalous</h4>
          <TopNeurons layer={layer} />
        </div>
      </div>
    </section>
  );
}
