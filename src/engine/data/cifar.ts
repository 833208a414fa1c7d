/**
 * CIFAR-10 and CIFAR-100 "binary version" batches (Krizhevsky 2009, "Learning Multiple Layers of
 * Features from Tiny Images", https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * A batch file is a plain sequence of records, no header:
 * - CIFAR-10: 1 label byte (0..9), then 3072 pixel bytes;
 * - CIFAR-100: 1 coarse label byte (0..19), 1 fine label byte (0..99), then 3072 pixel bytes.
 * The 3072 pixels are planar CHW: 1024 red, then 1024 green, then 1024 blue, each plane 32×32
 * row-major. They are converted to HWC `[32, 32, 3]` in [0, 1].
 */
import { DatasetError } from './errors';
import { concatDatasets, type Dataset } from './dataset';

export const CIFAR_SIDE = 32;
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * 3; // 3072

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

export type CifarVariant = 'cifar10' | 'cifar100';

export interface CifarOptions {
  variant: CifarVariant;
  /** CIFAR-100 only: which label to use, 'fine' (100 classes, default) or 'coarse' (20) */
  label?: 'fine' | 'coarse';
  /** dataset name; default the variant */
  name?: string;
  /** class names (CIFAR-10 default: CIFAR10_CLASSES; CIFAR-100: none unless given) */
  classNames?: string[];
  /** largest allowed number of records; default 2^20 */
  maxRecords?: number;
}

/** Bytes per record: 3073 for CIFAR-10, 3074 for CIFAR-100. */
export function cifarRecordBytes(variant: CifarVariant): number {
  return (variant === 'cifar10' ? 1 : 2) + CIFAR_PIXELS;
}

/**
 * Parses one binary batch file.
 * @param file the name used in errors
 * @throws DatasetError `empty`, `size-mismatch` (not a whole number of records),
 *   `too-large`, `label-out-of-range`
 */
export function parseCifarBinary(bytes: Uint8Array, file: string, opts: CifarOptions): Dataset {
  const { variant } = opts;
  const record = cifarRecordBytes(variant);
  const labelOffset = variant === 'cifar10' || opts.label === 'coarse' ? 0 : 1;
  const numClasses = variant === 'cifar10' ? 10 : opts.label === 'coarse' ? 20 : 100;
  const maxRecords = opts.maxRecords ?? 2 ** 20;
  if (bytes.length === 0) throw new DatasetError(file, 'empty', 'the file is empty');
  if (bytes.length % record !== 0) {
    const other = variant === 'cifar10' ? 'cifar100' : 'cifar10';
    const hint =
      bytes.length % cifarRecordBytes(other) === 0
        ? `; it is a whole number of ${other} records: wrong variant?`
        : '';
    throw new DatasetError(
      file,
      'size-mismatch',
      `${bytes.length} bytes is not a whole number of ${variant} records of ${record} bytes ` +
        `(${Math.floor(bytes.length / record)} records and ${bytes.length % record} bytes left)${hint}`,
    );
  }
  const n = bytes.length / record;
  if (n > maxRecords) {
    throw new DatasetError(file, 'too-large', `${n} records, more than the limit of ${maxRecords}`);
  }
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  const images = new Float32Array(n * CIFAR_PIXELS);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const base = r * record;
    const label = bytes[base + labelOffset];
    if (label >= numClasses) {
      const which = variant === 'cifar10' ? '' : ` ${opts.label ?? 'fine'}`;
      throw new DatasetError(
        file,
        'label-out-of-range',
        `record ${r}:${which} label is ${label}, outside [0, ${numClasses})`,
      );
    }
    labels[r] = label;
    const px = base + record - CIFAR_PIXELS; // first red byte
    const out = r * CIFAR_PIXELS;
    for (let p = 0; p < plane; p++) {
      images[out + 3 * p] = bytes[px + p] / 255; // R
      images[out + 3 * p + 1] = bytes[px + plane + p] / 255; // G
      images[out + 3 * p + 2] = bytes[px + 2 * plane + p] / 255; // B
    }
  }
  const classNames = opts.classNames ?? (variant === 'cifar10' ? [...CIFAR10_CLASSES] : undefined);
  if (classNames !== undefined && classNames.length !== numClasses) {
    throw new DatasetError(
      file,
      'size-mismatch',
      `${classNames.length} class names for ${numClasses} classes`,
    );
  }
  return {
    name: opts.name ?? variant,
    images,
    labels,
    shape: [CIFAR_SIDE, CIFAR_SIDE, 3],
    numClasses,
    ...(classNames !== undefined ? { classNames } : {}),
  };
}

/**
 * Parses several batch files (e.g. data_batch_1.bin … data_batch_5.bin) into one Dataset, in the
 * given order.
 */
export function parseCifarBatches(
  files: readonly { bytes: Uint8Array; file: string }[],
  opts: CifarOptions,
): Dataset {
  const parts = files.map((f) => parseCifarBinary(f.bytes, f.file, opts));
  return concatDatasets(parts, opts.name ?? opts.variant);
}

/**
 * Class names from a CIFAR meta file (`batches.meta.txt`, `fine_label_names.txt`,
 * `coarse_label_names.txt`): one name per non-empty line.
 */
export function parseCifarLabelNames(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
