/**
 * Public API of the model module: architectures as data (spec.ts), parameters and prunable
 * layers, seeded init, the functional forward pass with masks/taps/inject, parameter and MAC
 * counts, and serialization (safetensors, tfjs weights, ONNX). See docs/format.md for the file
 * layout.
 */
export * from './spec';
export type * from './types';
export { SpecError, ModelInputError, WeightsError, ModelFormatError } from './errors';
export type { FormatProblem } from './errors';
export { checkSpec, MAX_DIM } from './validate';
export { planModel, stepOutShape, MAX_PARAMS } from './plan';
export type { Plan, PlanStep } from './plan';
export { paramShapes, paramNames, bufferNames, prunableLayers, layerParams } from './params';
export type { ParamShape, ParamKind, PrunableLayer } from './params';
export {
  initModel,
  disposeModel,
  cloneModel,
  getWeights,
  setWeights,
  checkWeights,
  modelFromWeights,
} from './init';
export type { WeightData } from './init';
export { forward, logitsFn } from './forward';
export { updateBnRunningStats, BN_EPSILON, batchNormApply, batchMoments } from './bn';
export { checkMasks, maskKind, readMasks } from './masks';
export type { PlainMask, PlainMasks } from './masks';
export { countModel, countParams, countMacs, countModelAsync } from './counts';
export type { CountMask, CountMasks, LayerCounts, ModelCounts } from './counts';
export { encodeSafetensors, decodeSafetensors, MAX_HEADER_BYTES } from './serialize/safetensors';
export type { SafetensorsDtype, SafetensorsTensor, SafetensorsFile } from './serialize/safetensors';
export {
  saveModelSafetensors,
  loadModelSafetensors,
  saveModelTfjs,
  loadModelTfjs,
  LAYOUT,
} from './serialize/model-io';
export type { TfjsModelJson } from './serialize/model-io';
export {
  saveModelOnnx,
  samePads,
  ONNX_OPSET,
  ONNX_IR_VERSION,
  ONNX_INPUT_NAME,
  ONNX_OUTPUT_NAME,
} from './serialize/onnx';
export {
  saveModelTfjsLayers,
  TFJS_LAYERS_INPUT_NAME,
  TFJS_LAYERS_KERAS_VERSION,
} from './serialize/tfjs-layers';
export type { TfjsLayersModelJson, TfjsLayersWeightEntry } from './serialize/tfjs-layers';
export { FORMAT_NAME, FORMAT_VERSION, MASK_PREFIX } from './serialize/common';
