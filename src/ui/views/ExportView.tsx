/**
 * The Export / import view: download the model at the slider's current sparsity (safetensors,
 * tfjs, ONNX, tfjs Layers, masks, compacted, report.json), and import a model saved by the app or
 * the CLI.
 */
import { useEffect } from 'react';
import { ExportPanel } from '../components/export/ExportPanel';
import { ImportPanel } from '../components/export/ImportPanel';
import { useCore } from '../store/core';
import { usePrune } from '../store/prune';

export function ExportView() {
  const model = useCore((s) => s.model);
  const modelVersion = useCore((s) => s.modelVersion);
  const prepare = usePrune((s) => s.prepare);

  // the exported mask is the slider's: prepare it if the app opened on this tab
  useEffect(() => {
    if (model) void prepare(modelVersion);
  }, [model, modelVersion, prepare]);

  return (
    <div className="export-view">
      <section className="card">
        <h2>Export</h2>
        <ExportPanel />
      </section>
      <section className="card">
        <h2>Import</h2>
        {model ? (
          <p className="muted">
            Current model: {model.spec.name} from {model.source}, {model.params} parameters.
          </p>
        ) : null}
        <ImportPanel />
      </section>
    </div>
  );
}
