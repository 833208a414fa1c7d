/**
 * Save and load a Model (and its masks) as safetensors, the format PyTorch and Hugging Face load
 * (docs/format.md has the layout and a PyTorch example). The tfjs weights format lives in
 * tfjs.ts and is re-exported here.
 *
 * Tensors: every parameter and BN buffer (F32, our names, NHWC/HWIO layout), then masks as
 * `mask/<kernelName>` (U8 when all values are 0/1, else F32). `__metadata__`: `format`
 * ('advprune-lab'), `format_version` ('1'), `spec` (ModelSpec JSON), `bn_epsilon`, `layout`,
 * `generated_by`.
 */
import { BN_EPSILON } from '../bn';
import { ModelFormatError } from '../errors';
import type { Masks, Model } from '../types';
import { FORMAT_NAME, FORMAT_VERSION, assembleModel, collectTensors, parseSpec } from './common';
import { describeValue } from './json-guard';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

export { saveModelTfjs, loadModelTfjs } from './tfjs';
export type { TfjsModelJson } from './tfjs';

/** Value of `__metadata__.layout`. */
export const LAYOUT =
  'NHWC activations; conv kernels HWIO [kH, kW, Cin, Cout]; dense kernels [in, out]; flatten in NHWC order';
export const GENERATED_BY = 'AdvPrune Lab';

/** Serialize `model` (and optional masks) to safetensors bytes. Reads the backend (async). */
export async function saveModelSafetensors(model: Model, masks?: Masks): Promise<Uint8Array> {
  const tensors = await collectTensors(model, masks);
  return encodeSafetensors(
    tensors.map((t) => ({
      name: t.name,
      dtype: t.data instanceof Uint8Array ? 'U8' : 'F32',
      shape: t.shape,
      data: t.data,
    })),
    {
      format: FORMAT_NAME,
      format_version: FORMAT_VERSION,
      spec: JSON.stringify(model.spec),
      bn_epsilon: String(BN_EPSILON),
      layout: LAYOUT,
      generated_by: GENERATED_BY,
    },
  );
}

/**
 * Rebuild a model and its masks from safetensors bytes written by saveModelSafetensors. `file`
 * names the file in errors. Throws ModelFormatError (corrupt file, wrong format or version,
 * tensors that do not match the spec). The caller owns the returned variables and mask tensors.
 */
export function loadModelSafetensors(
  bytes: Uint8Array,
  file: string,
): { model: Model; masks: Masks } {
  const { tensors, metadata } = decodeSafetensors(bytes, file);
  if (metadata.format !== FORMAT_NAME)
    throw new ModelFormatError(
      file,
      'bad-metadata',
      `__metadata__.format is ${describeValue(metadata.format)}, expected '${FORMAT_NAME}'`,
    );
  if (metadata.format_version !== FORMAT_VERSION)
    throw new ModelFormatError(
      file,
      'bad-metadata',
      `unsupported format_version ${describeValue(metadata.format_version)} (this build reads '${FORMAT_VERSION}')`,
    );
  if (metadata.spec === undefined)
    throw new ModelFormatError(file, 'bad-metadata', '__metadata__.spec is missing');
  const spec = parseSpec(file, metadata.spec);
  for (const t of tensors)
    if (t.dtype === 'I32')
      throw new ModelFormatError(file, 'bad-dtype', `tensor '${t.name}' is I32`);
  return assembleModel(
    file,
    spec,
    tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      data: t.data as Float32Array | Uint8Array,
    })),
  );
}
