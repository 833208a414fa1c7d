/**
 * The Export / import state: which export is running, the files last downloaded, and model
 * import. Files are serialized in the worker (engine.exportFiles) and downloaded here, on the main
 * thread (a worker has no `document`): bytes → Blob → object URL → `<a download>` click, and the
 * URL is revoked shortly after. Exports use the mask at the slider's CURRENT sparsity: a pending
 * slider evaluation is completed first.
 */
import { create } from 'zustand';
import type { ExportKind } from '../../workers/protocol';
import { errorMessage, getEngine } from '../engine-client';
import { useCore } from './core';
import { usePrune } from './prune';

export interface DownloadedFile {
  name: string;
  bytes: number;
}

export interface ExportState {
  /** the export running now, else null */
  busy: ExportKind | null;
  /** the files of the last export */
  last: DownloadedFile[];
  /** the slider sparsity (fraction) of the last export */
  lastSparsity: number | null;
  importing: boolean;
  /** a short summary of the last import */
  imported: string | null;
  exportFiles(kind: ExportKind): Promise<void>;
  importFiles(files: File[]): Promise<void>;
}

/** Save one file from the main thread; the object URL is revoked once the click has been handled. */
export function downloadBytes(name: string, mime: string, bytes: ArrayBuffer): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** the alert text our last failed export or import put up (cleared by our next success) */
let ownError: string | null = null;

function failed(e: unknown): void {
  ownError = errorMessage(e);
  useCore.getState().setError(ownError);
  useCore.getState().setActivity('');
}

function succeeded(): void {
  const core = useCore.getState();
  if (ownError !== null && core.error === ownError) core.setError(null);
  ownError = null;
  core.setActivity('');
}

/** Make sure the worker's mask is the one of the slider's current value. */
async function settleSlider(): Promise<void> {
  await usePrune.getState().settled();
  const p = usePrune.getState();
  if (p.preparedKey !== null && p.pointSparsity !== p.sparsity) await p.evaluate();
}

function extension(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(i + 1).toLowerCase();
}

export const useExport = create<ExportState>()((set, get) => ({
  busy: null,
  last: [],
  lastSparsity: null,
  importing: false,
  imported: null,

  async exportFiles(kind) {
    if (get().busy) return;
    const core = useCore.getState();
    set({ busy: kind });
    try {
      await settleSlider();
      core.setActivity(`exporting (${kind})…`);
      const files = await getEngine().exportFiles(kind);
      for (const f of files) downloadBytes(f.name, f.mime, f.bytes);
      set({
        last: files.map((f) => ({ name: f.name, bytes: f.bytes.byteLength })),
        lastSparsity: usePrune.getState().sparsity,
      });
      succeeded();
    } catch (e) {
      failed(e);
    } finally {
      set({ busy: null });
    }
  },

  async importFiles(files) {
    if (files.length === 0) return;
    const core = useCore.getState();
    set({ importing: true });
    try {
      core.setActivity(`importing ${files.map((f) => f.name).join(', ')}…`);
      const safetensors = files.find((f) => extension(f.name) === 'safetensors');
      const json = files.find((f) => extension(f.name) === 'json');
      const bin = files.find((f) => extension(f.name) === 'bin');
      const engine = getEngine();
      let model;
      if (safetensors && files.length === 1) {
        model = await engine.importModel(await safetensors.arrayBuffer(), safetensors.name);
      } else if (json && bin && files.length === 2) {
        model = await engine.importTfjs(await json.text(), await bin.arrayBuffer());
      } else {
        throw new Error(
          `Model file: choose one .safetensors file, or a model.json with its weights.bin (got ${files
            .map((f) => f.name)
            .join(', ')})`,
        );
      }
      core.modelChanged(model);
      succeeded();
      set({
        imported: `${model.source}: ${model.spec.name}, ${model.params} parameters`,
      });
    } catch (e) {
      failed(e);
    } finally {
      set({ importing: false });
    }
  },
}));
