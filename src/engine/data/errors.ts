/**
 * The one error type of the data module. Every parser and loader reports bad input as a
 * `DatasetError` that names the file (as the caller called it) and a machine-readable problem
 * code, so the UI can show "train-images-idx3-ubyte.gz: truncated: ..." and the CLI can exit with
 * a clear message instead of a crash deep inside tfjs.
 */

/**
 * What is wrong with a data file.
 * - `truncated`: the file ends before the header or the data it announces
 * - `bad-magic`: the file does not start with the format's magic bytes (wrong format)
 * - `size-mismatch`: sizes disagree (extra bytes, partial records, image/label counts differ)
 * - `label-out-of-range`: a label is not in [0, numClasses)
 * - `pixel-out-of-range`: a float pixel is not in [0, 1] (or is NaN)
 * - `too-large`: the data would exceed a configured bound (checked before allocating)
 * - `bad-gzip`: the gzip stream is corrupt or is not gzip
 * - `unsupported`: a valid file the module cannot use (element type, number of dimensions)
 * - `bad-shape`: the dimensions are valid but not the ones expected (e.g. not 28×28)
 * - `empty`: the file holds no samples
 * - `unreadable`: the caller's reader failed to provide the bytes
 */
export type DatasetProblem =
  | 'truncated'
  | 'bad-magic'
  | 'size-mismatch'
  | 'label-out-of-range'
  | 'pixel-out-of-range'
  | 'too-large'
  | 'bad-gzip'
  | 'unsupported'
  | 'bad-shape'
  | 'empty'
  | 'unreadable';

/** Bad dataset input. `message` is `${file}: ${problem}: ${detail}`. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  /** the file the problem is in, as the caller named it (e.g. 'train-images-idx3-ubyte.gz') */
  readonly file: string;
  /** machine-readable problem code */
  readonly problem: DatasetProblem;
  /** the human-readable detail, without the file and problem prefix */
  readonly detail: string;

  constructor(
    file: string,
    problem: DatasetProblem,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}: ${detail}`, options);
    this.file = file;
    this.problem = problem;
    this.detail = detail;
  }
}

/** True when `e` is a DatasetError (optionally with the given problem code). */
export function isDatasetError(e: unknown, problem?: DatasetProblem): e is DatasetError {
  return e instanceof DatasetError && (problem === undefined || e.problem === problem);
}

/** Formats a byte count for messages: `47040000` → `47040000 (44.9 MiB)`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n}`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${n} (${v.toFixed(1)} ${units[u]})`;
}
