/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, arXiv:1708.07747): 70,000 grayscale 28×28
 * images of 10 clothing classes (60,000 train, 10,000 test) in IDX files, usually gzipped.
 *
 * The engine does no I/O: the caller passes a `read(file)` function (the worker a fetch-based
 * one, the CLI and tests an fs-based one). Files may arrive gzipped or already decompressed
 * (a server sending `Content-Encoding: gzip` makes fetch decompress them); both work.
 */
import { DatasetError } from './errors';
import { gunzip, isGzip } from './gunzip';
import { parseIdx } from './idx';
import { idxImagesLabelsToDataset, type IdxPairInfo } from './idx-dataset';
import type { Dataset } from './dataset';

export const FASHION_MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
} as const;

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Default bound on one decompressed file: 256 MiB (Fashion-MNIST's largest is 47,040,016 bytes). */
export const DEFAULT_MAX_FILE_BYTES = 2 ** 28;

/** Gunzips `bytes` when they start with the gzip magic (bounded by maxBytes), else returns them. */
export async function maybeGunzip(
  bytes: Uint8Array,
  file: string,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, { file, maxBytes }) : bytes;
}

export interface LoadIdxPairOptions extends IdxPairInfo {
  /** the images file's bytes, gzipped or not */
  imagesBytes: Uint8Array;
  /** the labels file's bytes, gzipped or not */
  labelsBytes: Uint8Array;
  /** bound on each decompressed file, in bytes (default DEFAULT_MAX_FILE_BYTES) */
  maxBytes?: number;
}

/**
 * Decompresses (when gzipped) and parses an IDX images/labels pair into a Dataset with pixels in
 * [0, 1]. Works for MNIST, Fashion-MNIST, KMNIST and any IDX pair of the same layout.
 * @throws DatasetError from gunzip, parseIdx and idxImagesLabelsToDataset
 */
export async function loadIdxPair(opts: LoadIdxPairOptions): Promise<Dataset> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const images = parseIdx(
    await maybeGunzip(opts.imagesBytes, opts.imagesFile, maxBytes),
    opts.imagesFile,
  );
  const labels = parseIdx(
    await maybeGunzip(opts.labelsBytes, opts.labelsFile, maxBytes),
    opts.labelsFile,
  );
  return idxImagesLabelsToDataset(images, labels, opts);
}

/** Reads a file by name, e.g. `(f) => fetch(base + f).then(...)` or `(f) => fs.readFile(...)`. */
export type FileReader = (file: string) => Promise<Uint8Array>;

async function readOrThrow(read: FileReader, file: string): Promise<Uint8Array> {
  try {
    return await read(file);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DatasetError(file, 'unreadable', why, { cause: e });
  }
}

/**
 * Loads one split of Fashion-MNIST through `read`.
 * @returns Dataset named 'fashion-mnist-train' / 'fashion-mnist-test', shape [28, 28, 1],
 *   10 classes with FASHION_MNIST_CLASSES names
 * @throws DatasetError `unreadable` when `read` fails, `bad-shape` when the images are not 28×28,
 *   and any parsing error
 */
export async function loadFashionMnist(
  read: FileReader,
  split: 'train' | 'test',
): Promise<Dataset> {
  const files = FASHION_MNIST_FILES[split];
  const [imagesBytes, labelsBytes] = await Promise.all([
    readOrThrow(read, files.images),
    readOrThrow(read, files.labels),
  ]);
  const ds = await loadIdxPair({
    imagesBytes,
    labelsBytes,
    imagesFile: files.images,
    labelsFile: files.labels,
    name: `fashion-mnist-${split}`,
    numClasses: FASHION_MNIST_CLASSES.length,
    classNames: [...FASHION_MNIST_CLASSES],
  });
  if (ds.shape.join() !== '28,28,1') {
    throw new DatasetError(
      files.images,
      'bad-shape',
      `Fashion-MNIST images are 28×28×1, this file holds ${ds.shape.join('×')}`,
    );
  }
  return ds;
}
