/**
 * Loads the datasets an experiment config names, through a caller-supplied file reader (the CLI
 * reads from disk relative to the config, the worker fetches), and splits them: a seeded,
 * stratified train/validation split of the training set, and the first `testLimit` test images.
 */
import {
  datasetSize,
  loadFashionMnist,
  loadIdxPair,
  parseCifarBatches,
  subset,
  syntheticDataset,
  take,
  trainValSplit,
  type Dataset,
  type FileReader,
} from '../data';
import { deriveSeed } from '../data/order';
import type { DataConfig } from './config';

export interface ExperimentData {
  train: Dataset;
  /** held-out part of the training set (may be empty when valFraction is 0) */
  val: Dataset;
  test: Dataset;
}

export interface DataReaders {
  /** reads a bundled Fashion-MNIST file by its name (e.g. 'train-images-idx3-ubyte.gz') */
  fashionMnist: FileReader;
  /** reads a user file named in the config (a path, resolved by the caller) */
  file: FileReader;
}

async function loadRaw(
  cfg: DataConfig,
  readers: DataReaders,
  seed: number,
): Promise<{ train: Dataset; test: Dataset }> {
  switch (cfg.kind) {
    case 'fashion-mnist': {
      const [train, test] = await Promise.all([
        loadFashionMnist(readers.fashionMnist, 'train'),
        loadFashionMnist(readers.fashionMnist, 'test'),
      ]);
      return { train, test };
    }
    case 'idx': {
      const [tri, trl, tei, tel] = await Promise.all(
        [cfg.trainImages, cfg.trainLabels, cfg.testImages, cfg.testLabels].map((f) =>
          readers.file(f),
        ),
      );
      const common = { numClasses: cfg.numClasses };
      const train = await loadIdxPair({
        imagesBytes: tri,
        labelsBytes: trl,
        imagesFile: cfg.trainImages,
        labelsFile: cfg.trainLabels,
        name: `${cfg.name}-train`,
        ...common,
      });
      const test = await loadIdxPair({
        imagesBytes: tei,
        labelsBytes: tel,
        imagesFile: cfg.testImages,
        labelsFile: cfg.testLabels,
        name: `${cfg.name}-test`,
        ...common,
      });
      return { train, test };
    }
    case 'cifar10':
    case 'cifar100': {
      const load = async (files: string[], split: string) =>
        parseCifarBatches(
          await Promise.all(files.map(async (file) => ({ file, bytes: await readers.file(file) }))),
          { variant: cfg.kind, label: cfg.label, name: `${cfg.kind}-${split}` },
        );
      return {
        train: await load(cfg.trainFiles, 'train'),
        test: await load(cfg.testFiles, 'test'),
      };
    }
    case 'synthetic': {
      const all = syntheticDataset({
        n: cfg.trainSize + cfg.testSize,
        shape: cfg.shape,
        numClasses: cfg.numClasses,
        seed: deriveSeed(seed, 0x5e7),
        noise: cfg.noise,
        name: 'synthetic',
      });
      const idx = (from: number, to: number) =>
        Int32Array.from({ length: to - from }, (_, i) => from + i);
      return {
        train: subset(all, idx(0, cfg.trainSize), 'synthetic-train'),
        test: subset(all, idx(cfg.trainSize, cfg.trainSize + cfg.testSize), 'synthetic-test'),
      };
    }
  }
}

/**
 * Load, split and limit the data of a config.
 * @param seed the experiment seed (the split is seeded from it)
 */
export async function loadExperimentData(
  cfg: DataConfig,
  readers: DataReaders,
  seed: number,
): Promise<ExperimentData> {
  const raw = await loadRaw(cfg, readers, seed);
  const { train: trainAll, val } = trainValSplit(
    raw.train,
    cfg.valFraction,
    deriveSeed(seed, 0x5b17),
  );
  const trainLimit = 'trainLimit' in cfg ? cfg.trainLimit : undefined;
  const testLimit = 'testLimit' in cfg ? cfg.testLimit : undefined;
  const train = trainLimit !== undefined ? take(trainAll, trainLimit) : trainAll;
  const test = testLimit !== undefined ? take(raw.test, testLimit) : raw.test;
  if (datasetSize(train) === 0) throw new Error('data: the training set is empty after the split');
  return { train, val, test };
}
