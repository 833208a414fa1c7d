/**
 * View 4, Neurons: for a chosen test image, every prunable layer's activations on the clean and
 * the attacked image (crafted on the dense model) and their difference, the anomaly degree of
 * each neuron as a heat map, the most anomalous neurons, and which neurons the current mask
 * removes (hatched). All from the worker's `neuronView(index)`, drawn from plain Float32Arrays.
 */
import { useEffect } from 'react';
import { attackLabel } from '../lib/attacks';
import { Legend } from '../components/canvas/Legend';
import { ImagePicker } from '../components/neurons/ImagePicker';
import { InputImages } from '../components/neurons/InputImages';
import { LayerPanel } from '../components/neurons/LayerPanel';
import { useCore } from '../store/core';
import { useNeurons } from '../store/neurons';

export function NeuronsView() {
  const dataset = useCore((s) => s.dataset);
  const model = useCore((s) => s.model);
  const modelVersion = useCore((s) => s.modelVersion);
  const { index, view, loading, requested, load } = useNeurons();
  const ready = dataset !== null && model !== null;

  // fetch the chosen image once a model is there, and again after its weights change
  useEffect(() => {
    if (ready && (requested === null || requested.modelVersion !== modelVersion)) void load(index);
  }, [ready, requested, modelVersion, index, load]);

  const eps = view?.attack.options.eps;
  return (
    <section className="neurons-view" aria-label="Neurons">
      <div className="card">
        <h2>Neurons</h2>
        <p className="label">
          Activation of each neuron on a clean test image x and on its adversarial version x′
          (crafted on the dense model
          {view
            ? `: ${attackLabel(view.attack.name)}${typeof eps === 'number' ? `, ε ${eps}` : ''}`
            : ''}
          ). Anomaly degree |a(x′) − a(x)| / (|a(x)| + δ) per neuron; hatched neurons are removed by
          the current mask (set it in the Prune view).
        </p>
        <ImagePicker
          index={index}
          test={dataset?.test ?? 1}
          view={view}
          classNames={dataset?.classNames ?? []}
          loading={loading}
          onPick={(i) => void load(i)}
        />
        {view && dataset ? <InputImages view={view} shape={dataset.shape} /> : null}
        <div className="legends">
          <Legend
            kind="gray"
            low="min"
            high="max"
            caption="activation (per channel, clean and x′ share it)"
          />
          <Legend kind="diverging" low="−max" high="+max" caption="a(x′) − a(x) (per layer)" />
          <Legend kind="heat" low="small" high="layer max" caption="anomaly degree (log scale)" />
        </div>
      </div>
      <div data-state={loading ? 'computing' : 'ready'} data-testid="neuron-layers">
        {view ? view.layers.map((layer) => <LayerPanel key={layer.layer} layer={layer} />) : null}
      </div>
    </section>
  );
}
