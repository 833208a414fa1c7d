/**
 * Files the dashboard downloads, built from the model at the slider's sparsity (docs/format.md):
 * - 'safetensors': every parameter and BN buffer with the masks applied (pruned weights, and for
 *   structured masks their bias and BN gamma/beta, exactly 0), plus the masks as `mask/<kernel>`;
 * - 'tfjs': the same as model.json + weights.bin (tfjs weights format, loadModelTfjs reads it);
 * - 'onnx': an ONNX model (opset 13) with the masks baked into its weights, for ONNX Runtime and
 *   other deployment runtimes (model/serialize/onnx.ts; loaded on demand, so the protobuf code
 *   is fetched only when someone exports);
 * - 'tfjs-layers': a tfjs Layers model (`<stem>.layers.json` with a modelTopology, and
 *   `<stem>.layers.bin`) that tf.loadLayersModel opens, masks baked in (tfjs-layers.ts);
 * - 'masks': a safetensors file of the `mask/<kernel>` tensors alone (U8 0/1), spec in metadata;
 * - 'compact': structured masks only: the physically smaller model (prune/compact.ts, Li et al.
 *   2017, arXiv 1608.08710) as safetensors, with the masks compaction leaves (residual stream);
 * - 'report': report.json, the session summary the caller builds.
 * Bytes are returned as ArrayBuffers of exactly the file's length (transferable).
 */
import { cloneModel, disposeModel } from '../model/init';
import { encodeSafetensors } from '../model/serialize/safetensors';
import { saveModelSafetensors, saveModelTfjs } from '../model/serialize/model-io';
import { saveModelTfjsLayers } from '../model/serialize/tfjs-layers';
import { FORMAT_NAME, FORMAT_VERSION, MASK_PREFIX } from '../model/serialize/common';
import type { Masks, Model } from '../model/types';
import { compactModel } from '../prune/compact';
import { applyMasksToWeights } from '../prune/finetune';
import { disposeMasks, toTensorMasks } from '../prune/masks';
import type { PlainMasks } from '../prune/types';
import { SessionError } from './errors';
import type { ExportedFile, ExportKind } from './types';

const toBuffer = (u: Uint8Array): ArrayBuffer => u.slice().buffer as ArrayBuffer;
const SAFETENSORS_MIME = 'application/octet-stream';

/** A file-name-safe stem: model name and sparsity in percent, e.g. 'lenet-s90.0'. */
export function fileStem(model: Model, sparsity: number): string {
  const name = model.spec.name.replace(/[^a-z0-9._-]+/gi, '-');
  return `${name}-s${(100 * sparsity).toFixed(1)}`;
}

/** A copy of `model` with `masks` multiplied in; the caller disposes both. */
function maskedCopy(
  model: Model,
  masks: PlainMasks | null,
): { copy: Model; tm: Masks | undefined } {
  const copy = cloneModel(model);
  const tm = masks && masks.size > 0 ? toTensorMasks(masks) : undefined;
  if (tm) applyMasksToWeights(copy, tm);
  return { copy, tm };
}

/**
 * Build the files of one export kind.
 * @param masks the slider's masks (null: the dense model)
 * @param sparsity the slider's sparsity (fraction removed), for file names
 * @param report the session report (kind 'report')
 * @throws SessionError for 'masks' without masks and 'compact' without structured masks
 */
export async function exportFiles(
  kind: ExportKind,
  model: Model,
  masks: PlainMasks | null,
  sparsity: number,
  report: () => unknown,
): Promise<ExportedFile[]> {
  const stem = fileStem(model, sparsity);
  switch (kind) {
    case 'report': {
      const text = JSON.stringify(report(), null, 2);
      return [
        {
          name: 'report.json',
          mime: 'application/json',
          bytes: toBuffer(new TextEncoder().encode(text)),
        },
      ];
    }
    case 'masks': {
      if (!masks || masks.size === 0)
        throw new SessionError(
          'there are no masks to export: prepare the slider and move it above 0%',
        );
      const bytes = encodeSafetensors(
        [...masks].map(([k, m]) => ({
          name: MASK_PREFIX + k,
          dtype: 'U8' as const,
          shape: m.shape,
          data: Uint8Array.from(m.data, (v) => (v === 0 ? 0 : 1)),
        })),
        {
          format: FORMAT_NAME,
          format_version: FORMAT_VERSION,
          spec: JSON.stringify(model.spec),
          content: 'masks',
        },
      );
      return [
        { name: `${stem}-masks.safetensors`, mime: SAFETENSORS_MIME, bytes: toBuffer(bytes) },
      ];
    }
    case 'compact': {
      if (!masks || masks.size === 0)
        throw new SessionError(
          'there is nothing to compact: prepare a structured slider and move it above 0%',
        );
      const unstructured = [...masks].find(([, m]) => m.shape.length !== 1);
      if (unstructured)
        throw new SessionError(
          `a compacted model needs structured pruning (whole channels or units removed); the slider prunes unstructured weights (mask '${unstructured[0]}'): choose structured granularity`,
        );
      const { copy, tm } = maskedCopy(model, masks);
      let compact: Model | null = null;
      let left: Masks | undefined;
      try {
        const r = compactModel(copy, masks);
        compact = r.model;
        left = r.masks.size > 0 ? toTensorMasks(r.masks) : undefined;
        const bytes = await saveModelSafetensors(compact, left);
        return [
          { name: `${stem}-compact.safetensors`, mime: SAFETENSORS_MIME, bytes: toBuffer(bytes) },
        ];
      } finally {
        disposeModel(copy);
        if (compact) disposeModel(compact);
        if (tm) disposeMasks(tm);
        if (left) disposeMasks(left);
      }
    }
    case 'onnx':
    case 'tfjs-layers': {
      const tm = masks && masks.size > 0 ? toTensorMasks(masks) : undefined;
      try {
        if (kind === 'onnx') {
          const { saveModelOnnx } = await import('../model/serialize/onnx');
          const bytes = await saveModelOnnx(model, tm);
          return [
            { name: `${stem}.onnx`, mime: 'application/octet-stream', bytes: toBuffer(bytes) },
          ];
        }
        const bin = `${stem}.layers.bin`;
        const { modelJson, weightsBin } = await saveModelTfjsLayers(model, tm, bin);
        const json = new TextEncoder().encode(JSON.stringify(modelJson));
        return [
          { name: `${stem}.layers.json`, mime: 'application/json', bytes: toBuffer(json) },
          { name: bin, mime: 'application/octet-stream', bytes: toBuffer(weightsBin) },
        ];
      } finally {
        if (tm) disposeMasks(tm);
      }
    }
    case 'safetensors':
    case 'tfjs': {
      const { copy, tm } = maskedCopy(model, masks);
      try {
        if (kind === 'safetensors') {
          const bytes = await saveModelSafetensors(copy, tm);
          return [{ name: `${stem}.safetensors`, mime: SAFETENSORS_MIME, bytes: toBuffer(bytes) }];
        }
        const { modelJson, weightsBin } = await saveModelTfjs(copy, tm);
        const json = new TextEncoder().encode(JSON.stringify(modelJson, null, 2));
        return [
          { name: 'model.json', mime: 'application/json', bytes: toBuffer(json) },
          { name: 'weights.bin', mime: 'application/octet-stream', bytes: toBuffer(weightsBin) },
        ];
      } finally {
        disposeModel(copy);
        if (tm) disposeMasks(tm);
      }
    }
    default:
      throw new SessionError(
        `unknown export kind '${String(kind)}'; expected safetensors, tfjs, onnx, tfjs-layers, masks, compact or report`,
      );
  }
}
