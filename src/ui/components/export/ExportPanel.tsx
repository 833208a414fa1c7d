/**
 * Every export: the pruned weights (safetensors), the tfjs model.json + weights.bin, the model for
 * other runtimes (ONNX; a tfjs Layers model for tf.loadLayersModel), the masks alone, the
 * compacted model (structured pruning only: removed channels are dropped, so the file is actually
 * smaller) and the run's report.json, all at the slider's current sparsity. Files are built in the
 * worker (session/export.ts) and downloaded here (store/export.ts).
 */
import { useExport } from '../../store/export';
import { usePrune } from '../../store/prune';
import { bytes } from '../../lib/format';
import { ExportButton } from './ExportButton';

export function ExportPanel() {
  const last = useExport((s) => s.last);
  const lastSparsity = useExport((s) => s.lastSparsity);
  const sparsityPct = usePrune((s) => Math.round(s.sparsity * 100));
  const criterion = usePrune((s) => s.criterion);
  const granularity = usePrune((s) => s.granularity);
  return (
    <div className="export-panel">
      <p>
        The model pruned by <strong>{criterion}</strong> ({granularity}) at{' '}
        <strong>{sparsityPct}%</strong> sparsity (move the slider on the Prune view to change it).
      </p>
      <div className="button-row">
        <ExportButton kind="safetensors" primary />
        <ExportButton kind="tfjs" />
        <ExportButton kind="onnx" />
        <ExportButton kind="tfjs-layers" />
        <ExportButton kind="masks" />
        <ExportButton kind="compact" />
        <ExportButton kind="report" />
      </div>
      <p className="muted">
        safetensors: every parameter with the masks applied (pruned weights exactly 0) plus the
        masks as <code>mask/&lt;kernel&gt;</code> tensors; loads in PyTorch (safetensors) and back
        here (in PyTorch as an <code>nn.Module</code>:{' '}
        <code>model = advprune_torch.load(&quot;file.safetensors&quot;)</code>). ONNX (opset 13) and
        tfjs Layers: the masks baked into the weights, for ONNX Runtime and{' '}
        <code>tf.loadLayersModel</code>; input <code>input</code>, NHWC images with pixels in [0,
        1]. Masks: the 0/1 masks alone. Compacted: structured pruning only; removed neurons and
        channels are dropped, so the file is actually smaller.
      </p>
      {last.length > 0 ? (
        <table className="data" aria-label="Last export">
          <thead>
            <tr>
              <th>file</th>
              <th>size</th>
            </tr>
          </thead>
          <tbody>
            {last.map((f) => (
              <tr key={f.name}>
                <td>{f.name}</td>
                <td>{bytes(f.bytes)}</td>
              </tr>
            ))}
          </tbody>
          <caption className="muted">
            downloaded at {Math.round((lastSparsity ?? 0) * 100)}% sparsity
          </caption>
        </table>
      ) : null}
    </div>
  );
}
