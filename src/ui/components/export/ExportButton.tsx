/**
 * One export button. `kind="safetensors"` is THE `Export pruned weights` button of the end-to-end
 * contract: it downloads a `.safetensors` file of the model at the slider's current sparsity. It
 * is rendered on the Prune view (next to the slider) and on the Export view; the two views are
 * never visible together.
 */
import type { ExportKind } from '../../../workers/protocol';
import { useExport } from '../../store/export';
import { useCore } from '../../store/core';

export const EXPORT_LABELS: Record<ExportKind, string> = {
  safetensors: 'Export pruned weights',
  tfjs: 'Export tfjs model (model.json + weights.bin)',
  onnx: 'Export ONNX model',
  'tfjs-layers': 'Export tfjs Layers model',
  masks: 'Export masks',
  compact: 'Export compacted model',
  report: 'Export report.json',
};

export function ExportButton({ kind, primary = false }: { kind: ExportKind; primary?: boolean }) {
  const busy = useExport((s) => s.busy);
  const exportFiles = useExport((s) => s.exportFiles);
  const hasModel = useCore((s) => s.model !== null);
  return (
    <button
      type="button"
      className={primary ? 'primary' : 'secondary'}
      disabled={!hasModel || busy !== null}
      aria-busy={busy === kind}
      onClick={() => void exportFiles(kind)}
    >
      {EXPORT_LABELS[kind]}
      {busy === kind ? <span aria-hidden="true"> …</span> : null}
    </button>
  );
}
