/**
 * The model files the CLI writes, in the formats `--export` names (docs/format.md):
 * - `safetensors`: `<stem>.safetensors`, weights plus masks, the app's own format (the default);
 * - `onnx`: `<stem>.onnx`, ONNX opset 13 with the masks baked in (model/serialize/onnx.ts);
 * - `tfjs-layers`: `<stem>.layers.json` + `<stem>.layers.bin`, a tfjs Layers model for
 *   tf.loadLayersModel, masks baked in (model/serialize/tfjs-layers.ts).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { saveModelSafetensors } from '../engine/model/serialize/model-io';
import { saveModelOnnx } from '../engine/model/serialize/onnx';
import { saveModelTfjsLayers } from '../engine/model/serialize/tfjs-layers';
import type { Masks, Model } from '../engine/model/types';

export const EXPORT_FORMATS = ['safetensors', 'onnx', 'tfjs-layers'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Parse `--export`'s value: a comma-separated list of EXPORT_FORMATS, no duplicates. Throws an
 * Error naming the bad entry.
 */
export function parseExportFormats(value: string | undefined): ExportFormat[] {
  const items = (value ?? '').split(',').map((s) => s.trim());
  const out: ExportFormat[] = [];
  for (const f of items) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(f))
      throw new Error(
        `--export takes a comma-separated list of ${EXPORT_FORMATS.join(', ')}; got '${f}'`,
      );
    if (!out.includes(f as ExportFormat)) out.push(f as ExportFormat);
  }
  return out;
}

/**
 * Write `model` (with `masks`) as `<out>/<stem>.<ext>` in each format; returns the written paths
 * relative to `out`, in format order.
 */
export async function writeModelFiles(
  out: string,
  stem: string,
  model: Model,
  masks: Masks | undefined,
  formats: readonly ExportFormat[],
): Promise<string[]> {
  const written: string[] = [];
  const put = async (file: string, bytes: Uint8Array | string): Promise<void> => {
    await writeFile(path.join(out, file), bytes);
    written.push(file);
  };
  for (const f of formats) {
    if (f === 'safetensors')
      await put(`${stem}.safetensors`, await saveModelSafetensors(model, masks));
    else if (f === 'onnx') await put(`${stem}.onnx`, await saveModelOnnx(model, masks));
    else {
      const bin = `${stem}.layers.bin`;
      const { modelJson, weightsBin } = await saveModelTfjsLayers(model, masks, path.basename(bin));
      await put(`${stem}.layers.json`, JSON.stringify(modelJson));
      await put(bin, weightsBin);
    }
  }
  return written;
}
