/**
 * The Prune view (the app opens on it): pruning criterion, granularity and scope, THE sparsity
 * slider with its clean / white-box / transfer accuracies, parameter and MAC counts, per-layer
 * sparsity bars, accuracy against sparsity for the criterion and two baselines, fine-tuning, and
 * the `Export pruned weights` button next to the slider.
 *
 * Whenever the model (modelVersion) or a setting changes, the worker re-scores the model and
 * prepares the slider (progress in the activity line), then evaluates the slider's value.
 */
import { useEffect } from 'react';
import { AccuracyFigures } from '../components/prune/AccuracyFigures';
import { FineTunePanel } from '../components/prune/FineTunePanel';
import { LayerSparsityChart } from '../components/prune/LayerSparsityChart';
import { PruneSettings } from '../components/prune/PruneSettings';
import { SliderNotes } from '../components/prune/SliderNotes';
import { SparsityCurveChart } from '../components/prune/SparsityCurveChart';
import { SparsitySlider } from '../components/prune/SparsitySlider';
import { ExportButton } from '../components/export/ExportButton';
import { useCore } from '../store/core';
import { usePrune } from '../store/prune';

export function PruneView() {
  const hasModel = useCore((s) => s.model !== null);
  const modelVersion = useCore((s) => s.modelVersion);
  const criterion = usePrune((s) => s.criterion);
  const granularity = usePrune((s) => s.granularity);
  const scope = usePrune((s) => s.scope);
  const prepare = usePrune((s) => s.prepare);

  useEffect(() => {
    if (hasModel) void prepare(modelVersion);
  }, [hasModel, modelVersion, criterion, granularity, scope, prepare]);

  return (
    <div className="prune-view">
      <section className="card">
        <PruneSettings />
        <SparsitySlider />
        <AccuracyFigures />
        <SliderNotes />
        <div className="button-row">
          <ExportButton kind="safetensors" primary />
          <FineTunePanel />
        </div>
      </section>
      <div className="grid">
        <section className="card">
          <h2>Accuracy against sparsity</h2>
          <SparsityCurveChart />
        </section>
        <section className="card">
          <h2>Per-layer sparsity</h2>
          <LayerSparsityChart />
        </section>
      </div>
    </div>
  );
}
