/**
 * A user's dataset files, as dropped on the dashboard, into a train and a test Dataset.
 *
 * Accepted (each file gzipped or not, told apart by content, not by name):
 * - IDX (MNIST layout, LeCun et al.; Fashion-MNIST, Xiao et al. 2017, arXiv 1708.07747): an
 *   images file (3 dims [N, H, W] or 4 [N, H, W, C]) with its labels file (1 dim [N]); which is
 *   which comes from the header's number of dimensions. One pair: the test set is split off
 *   (seeded, TEST_SPLIT). Two pairs: paired by N; the pair whose file names say 'test'/'t10k'
 *   (else the smaller one) is the test set. Classes: max label + 1 (at least 2).
 * - CIFAR-10 / CIFAR-100 binary batches (Krizhevsky 2009): records of 3073 / 3074 bytes;
 *   files named 'test…' are the test set, the others the training set; with no test (or no
 *   training) file the test set is split off (seeded, TEST_SPLIT). CIFAR-100 uses fine labels.
 * Anything else fails with a DatasetError naming the file and what is wrong or missing.
 */
import { DatasetError } from '../data/errors';
import { maybeGunzip } from '../data/fashion-mnist';
import { parseIdx, type IdxArray } from '../data/idx';
import { idxImagesLabelsToDataset } from '../data/idx-dataset';
import { cifarRecordBytes, parseCifarBatches, type CifarVariant } from '../data/cifar';
import { trainValSplit } from '../data/order';
import type { Dataset } from '../data/dataset';

/** Fraction of a lone training set held out as the test set. */
export const TEST_SPLIT = 1 / 7;
/** Seed of that split (fixed: the same files give the same sets). */
export const TEST_SPLIT_SEED = 0x7e57;
/**
 * Most classes an IDX dataset may have (the experiment config's bound too). Classes are counted
 * as max label + 1, so without it one label of 2^31 − 1 would make 2^31 class names.
 */
export const MAX_CLASSES = 1000;

export interface LoadedFiles {
  name: string;
  train: Dataset;
  test: Dataset;
  /** attack-budget dataset name (attacks/budgets.ts): 'mnist', 'fashion-mnist' or 'cifar10' */
  budget: string;
  testSource: 'test files' | 'split';
}

const isTestName = (n: string) => /test|t10k/i.test(n);
const stem = (n: string) => n.replace(/\.gz$/i, '').replace(/\.[a-z0-9-]+$/i, '');

function splitTest(ds: Dataset, name: string): { train: Dataset; test: Dataset } {
  if (ds.labels.length < 2)
    throw new DatasetError(name, 'empty', 'one sample cannot be split into train and test sets');
  let { train, val } = trainValSplit(ds, TEST_SPLIT, TEST_SPLIT_SEED);
  // per class, round(count / 7) is 0 for classes of 3 or fewer samples: with only such classes
  // the stratified split leaves no test sample, so split the whole set instead (≥ 1 test sample)
  if (val.labels.length === 0)
    ({ train, val } = trainValSplit(
      ds,
      Math.max(TEST_SPLIT, 1 / ds.labels.length),
      TEST_SPLIT_SEED,
      { stratified: false },
    ));
  return { train: { ...train, name: `${name}-train` }, test: { ...val, name: `${name}-test` } };
}

function budgetOf(names: string[], channels: number): string {
  const all = names.join(' ');
  if (/fashion/i.test(all)) return 'fashion-mnist';
  if (/mnist/i.test(all)) return 'mnist';
  return channels === 1 ? 'fashion-mnist' : 'cifar10';
}

function tryIdx(bytes: Uint8Array, file: string): IdxArray | DatasetError {
  try {
    return parseIdx(bytes, file);
  } catch (e) {
    if (e instanceof DatasetError) return e;
    throw e;
  }
}

/**
 * Parse dropped files (see the file comment).
 * @throws DatasetError: no file, a file that is neither IDX nor CIFAR, IDX images without labels
 *   (or labels without images), pairs that do not match, and every parser error
 */
export async function datasetFromFiles(
  files: readonly { name: string; bytes: Uint8Array }[],
): Promise<LoadedFiles> {
  if (files.length === 0) throw new DatasetError('(no file)', 'empty', 'no file was given');
  const raw = await Promise.all(
    files.map(async (f) => ({ name: f.name, bytes: await maybeGunzip(f.bytes, f.name) })),
  );
  const idx = raw.map((f) => ({ ...f, idx: tryIdx(f.bytes, f.name) }));
  if (idx.every((f) => !(f.idx instanceof DatasetError))) {
    return fromIdx(idx.map((f) => ({ name: f.name, idx: f.idx as IdxArray })));
  }
  const variant = cifarVariant(raw);
  if (variant !== null) return fromCifar(raw, variant);
  const bad = idx.find((f) => f.idx instanceof DatasetError) as { idx: DatasetError };
  throw new DatasetError(
    bad.idx.file,
    bad.idx.problem,
    `${bad.idx.detail}; it is not a CIFAR binary batch either (records of 3073 or 3074 bytes)`,
  );
}

function cifarVariant(files: readonly { name: string; bytes: Uint8Array }[]): CifarVariant | null {
  const fits = (v: CifarVariant) =>
    files.every((f) => f.bytes.length > 0 && f.bytes.length % cifarRecordBytes(v) === 0);
  const c10 = fits('cifar10');
  const c100 = fits('cifar100');
  if (c10 && c100) return files.some((f) => /100/.test(f.name)) ? 'cifar100' : 'cifar10';
  return c10 ? 'cifar10' : c100 ? 'cifar100' : null;
}

function fromCifar(
  files: { name: string; bytes: Uint8Array }[],
  variant: CifarVariant,
): LoadedFiles {
  const name = files.length === 1 ? stem(files[0].name) : variant;
  const parse = (fs: typeof files, part: string) =>
    parseCifarBatches(
      fs.map((f) => ({ file: f.name, bytes: f.bytes })),
      { variant, name: `${name}-${part}` },
    );
  const testFiles = files.filter((f) => isTestName(f.name));
  const trainFiles = files.filter((f) => !isTestName(f.name));
  if (testFiles.length > 0 && trainFiles.length > 0)
    return {
      name,
      train: parse(trainFiles, 'train'),
      test: parse(testFiles, 'test'),
      budget: 'cifar10',
      testSource: 'test files',
    };
  return { name, ...splitTest(parse(files, 'all'), name), budget: 'cifar10', testSource: 'split' };
}

interface IdxFile {
  name: string;
  idx: IdxArray;
}

function fromIdx(files: IdxFile[]): LoadedFiles {
  const images = files.filter((f) => f.idx.shape.length === 3 || f.idx.shape.length === 4);
  const labels = files.filter((f) => f.idx.shape.length === 1);
  const other = files.find((f) => !images.includes(f) && !labels.includes(f));
  if (other)
    throw new DatasetError(
      other.name,
      'unsupported',
      `an IDX file of ${other.idx.shape.length} dimensions [${other.idx.shape}] is neither images ([N, H, W] or [N, H, W, C]) nor labels ([N])`,
    );
  if (labels.length === 0)
    throw new DatasetError(
      images[0].name,
      'unsupported',
      `this is an IDX images file [${images[0].idx.shape}] but no labels file was given: ` +
        'drop the images and their labels (an IDX file of one dimension [N]) together',
    );
  if (images.length === 0)
    throw new DatasetError(
      labels[0].name,
      'unsupported',
      `this is an IDX labels file [${labels[0].idx.shape}] but no images file was given: ` +
        'drop the images and their labels together',
    );
  if (images.length > 2 || labels.length !== images.length)
    throw new DatasetError(
      files.map((f) => f.name).join(', '),
      'size-mismatch',
      `${images.length} images files and ${labels.length} labels files: give one pair (images + labels) or two (train and test)`,
    );
  let maxLabel = 0;
  for (const l of labels) {
    if (l.idx.dtype === 'float32' || l.idx.dtype === 'float64')
      throw new DatasetError(l.name, 'unsupported', `labels must be integers, got ${l.idx.dtype}`);
    for (const v of l.idx.data) maxLabel = Math.max(maxLabel, v);
    if (maxLabel >= MAX_CLASSES)
      throw new DatasetError(
        l.name,
        'label-out-of-range',
        `label ${maxLabel} would make ${maxLabel + 1} classes, more than the limit of ${MAX_CLASSES}`,
      );
  }
  const numClasses = Math.max(2, maxLabel + 1);
  const pairs = images.map((im) => {
    const n = im.idx.shape[0];
    const matching = labels.filter((l) => l.idx.shape[0] === n);
    const lab =
      matching.find((l) => isTestName(l.name) === isTestName(im.name)) ?? matching[0] ?? null;
    if (!lab)
      throw new DatasetError(
        im.name,
        'size-mismatch',
        `${n} images, and no labels file holds ${n} labels (${labels.map((l) => `${l.name}: ${l.idx.shape[0]}`).join(', ')})`,
      );
    return { im, lab, test: isTestName(im.name) };
  });
  if (pairs.length === 2 && pairs[0].lab === pairs[1].lab)
    throw new DatasetError(
      pairs[0].lab.name,
      'size-mismatch',
      'both images files pair with the same labels file: name the test files with "test" or "t10k"',
    );
  const name =
    pairs.length === 1
      ? stem(pairs[0].im.name)
      : stem(pairs[0].im.name).replace(/-?(train|test|t10k)/i, '') || 'idx';
  const make = (p: (typeof pairs)[number], part: string) =>
    idxImagesLabelsToDataset(p.im.idx, p.lab.idx, {
      imagesFile: p.im.name,
      labelsFile: p.lab.name,
      name: `${name}-${part}`,
      numClasses,
      classNames: Array.from({ length: numClasses }, (_, i) => String(i)),
    });
  const budget = budgetOf(
    files.map((f) => f.name),
    images[0].idx.shape[3] ?? 1,
  );
  if (pairs.length === 1)
    return { name, ...splitTest(make(pairs[0], 'all'), name), budget, testSource: 'split' };
  const [a, b] = pairs;
  const testFirst = a.test !== b.test ? a.test : a.im.idx.shape[0] < b.im.idx.shape[0];
  const [tr, te] = testFirst ? [b, a] : [a, b];
  const train = make(tr, 'train');
  const test = make(te, 'test');
  if (train.shape.join() !== test.shape.join())
    throw new DatasetError(
      te.im.name,
      'bad-shape',
      `test images are ${test.shape.join('×')}, training images ${train.shape.join('×')}`,
    );
  return { name, train, test, budget, testSource: 'test files' };
}
