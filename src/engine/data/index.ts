/**
 * The data module's public API: dataset type and operations, IDX / CIFAR parsers, bounded gunzip,
 * seeded orders and batches, synthetic data, Fashion-MNIST loading. See docs/data.md.
 */
export { DatasetError, isDatasetError, type DatasetProblem } from './errors';
export { gunzip, isGzip, type GunzipOptions } from './gunzip';
export {
  parseIdx,
  DEFAULT_MAX_ELEMENTS,
  type IdxArray,
  type IdxData,
  type IdxDtype,
  type ParseIdxOptions,
} from './idx';
export { idxImagesLabelsToDataset, type IdxPairInfo } from './idx-dataset';
export {
  parseCifarBinary,
  parseCifarBatches,
  parseCifarLabelNames,
  cifarRecordBytes,
  CIFAR10_CLASSES,
  type CifarOptions,
  type CifarVariant,
} from './cifar';
export {
  type Dataset,
  datasetSize,
  imageSize,
  checkLabels,
  validateDataset,
  subset,
  take,
  concatDatasets,
  classCounts,
  channelStats,
} from './dataset';
export {
  deriveSeed,
  shuffledIndices,
  epochOrder,
  splitIndices,
  trainValSplit,
  type SplitOptions,
} from './order';
export {
  batches,
  batchesPerEpoch,
  planOrder,
  gatherBatch,
  toTensors,
  type Batch,
  type BatchPlan,
  type BatchesOptions,
} from './batches';
export { syntheticDataset, syntheticPrototypes, type SyntheticOptions } from './synthetic';
export {
  FASHION_MNIST_FILES,
  FASHION_MNIST_CLASSES,
  DEFAULT_MAX_FILE_BYTES,
  loadIdxPair,
  loadFashionMnist,
  maybeGunzip,
  type FileReader,
  type LoadIdxPairOptions,
} from './fashion-mnist';
