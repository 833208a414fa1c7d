/**
 * Builds a Dataset from a parsed IDX images/labels pair (MNIST, Fashion-MNIST, KMNIST layout):
 * images `[N, H, W]` or `[N, H, W, C]`, labels `[N]`. uint8 pixels are scaled to [0, 1].
 */
import { DatasetError } from './errors';
import { checkLabels, type Dataset } from './dataset';
import type { IdxArray } from './idx';

export interface IdxPairInfo {
  /** file names used in errors */
  imagesFile: string;
  labelsFile: string;
  /** dataset name, e.g. 'fashion-mnist-test' */
  name: string;
  /** number of classes K; labels must lie in [0, K) */
  numClasses: number;
  classNames?: string[];
}

/**
 * Builds a Dataset from a parsed images file (`[N, H, W]` → C = 1, or `[N, H, W, C]`) and a
 * labels file (`[N]`). uint8 pixels are divided by 255; float pixels must already lie in [0, 1].
 * @throws DatasetError `bad-shape`, `unsupported`, `size-mismatch`, `label-out-of-range`,
 *   `pixel-out-of-range`, `empty`
 */
export function idxImagesLabelsToDataset(
  images: IdxArray,
  labels: IdxArray,
  info: IdxPairInfo,
): Dataset {
  const { imagesFile, labelsFile, numClasses } = info;
  if (images.shape.length !== 3 && images.shape.length !== 4) {
    throw new DatasetError(
      imagesFile,
      'bad-shape',
      `images need 3 dimensions [N, H, W] or 4 [N, H, W, C], got [${images.shape.join(', ')}]`,
    );
  }
  if (labels.shape.length !== 1) {
    throw new DatasetError(
      labelsFile,
      'bad-shape',
      `labels need 1 dimension [N], got [${labels.shape.join(', ')}]`,
    );
  }
  if (labels.dtype === 'float32' || labels.dtype === 'float64') {
    throw new DatasetError(
      labelsFile,
      'unsupported',
      `labels must be integers, got ${labels.dtype}`,
    );
  }
  const [n, h, w] = images.shape;
  const c = images.shape[3] ?? 1;
  if (labels.shape[0] !== n) {
    throw new DatasetError(
      labelsFile,
      'size-mismatch',
      `${labels.shape[0]} labels for ${n} images in ${imagesFile}`,
    );
  }
  if (n === 0) throw new DatasetError(imagesFile, 'empty', 'the file holds 0 images');
  if (h === 0 || w === 0 || c === 0) {
    throw new DatasetError(imagesFile, 'bad-shape', `empty image shape ${h}×${w}×${c}`);
  }
  checkLabels(labels.data, numClasses, labelsFile);
  return {
    name: info.name,
    images: toUnitPixels(images, imagesFile),
    labels: Int32Array.from(labels.data),
    shape: [h, w, c],
    numClasses,
    ...(info.classNames !== undefined ? { classNames: info.classNames } : {}),
  };
}

function toUnitPixels(images: IdxArray, file: string): Float32Array {
  const src = images.data;
  const out = new Float32Array(src.length);
  if (images.dtype === 'uint8') {
    for (let i = 0; i < src.length; i++) out[i] = src[i] / 255;
    return out;
  }
  if (images.dtype === 'float32' || images.dtype === 'float64') {
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      if (!(v >= 0 && v <= 1)) {
        throw new DatasetError(
          file,
          'pixel-out-of-range',
          `pixel ${v} at flat index ${i} is not in [0, 1]`,
        );
      }
      out[i] = v;
    }
    return out;
  }
  throw new DatasetError(
    file,
    'unsupported',
    `${images.dtype} pixels are ambiguous: use uint8 (0..255) or float in [0, 1]`,
  );
}
