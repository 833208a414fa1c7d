/**
 * Where report files come in: a drop zone with a file picker ("Open report", several files at
 * once). Drops anywhere on the Reports view are handled by the view itself.
 */
import { useState, type DragEvent } from 'react';
import { MAX_REPORT_BYTES } from '../../report/parse';

export function ReportDrop({ onFiles }: { onFiles(files: File[]): void }) {
  const [over, setOver] = useState(false);
  const drop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    onFiles([...e.dataTransfer.files]);
  };
  return (
    <div
      className={over ? 'dropzone report-drop over' : 'dropzone report-drop'}
      data-testid="report-drop"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <label className="field">
        Open report
        <input
          type="file"
          accept=".json,application/json"
          multiple
          data-testid="report-file-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = ''; // the same file can be opened again
            if (files.length > 0) onFiles(files);
          }}
        />
      </label>
      <p className="label">
        …or drop report.json files here: a run&apos;s report (<code>npm run experiment</code>) or a
        merged sweep report, up to {MAX_REPORT_BYTES / (1024 * 1024)} MiB each. Files are read in
        this page only; nothing is uploaded.
      </p>
    </div>
  );
}
