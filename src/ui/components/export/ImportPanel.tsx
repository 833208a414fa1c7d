/**
 * Model import: a file input (accessible name `Model file`) taking one `.safetensors` file saved
 * by the app or the CLI, or a tfjs `model.json` with its `weights.bin` (choose both at once).
 * The model replaces the current one in the worker; errors appear in the alert.
 */
import { useExport } from '../../store/export';

export function ImportPanel() {
  const importing = useExport((s) => s.importing);
  const imported = useExport((s) => s.imported);
  const importFiles = useExport((s) => s.importFiles);
  return (
    <div className="import-panel">
      <label className="file-label">
        <span className="label">Model file</span>
        <input
          type="file"
          aria-label="Model file"
          multiple
          accept=".safetensors,.json,.bin"
          disabled={importing}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void importFiles(files);
          }}
        />
      </label>
      <p className="muted">
        One <code>.safetensors</code> file (exported here or by the CLI), or a tfjs{' '}
        <code>model.json</code> together with its <code>weights.bin</code>.
      </p>
      {importing ? <p className="muted">Importing…</p> : null}
      {imported ? <p data-testid="imported-model">Imported {imported}</p> : null}
    </div>
  );
}
