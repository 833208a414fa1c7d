/**
 * The session's dataset state: the training, validation and test splits, their description
 * (DatasetInfo, what the UI shows) and where the data came from (DatasetRef, stored with runs so a
 * resume can load it again). `makeDataState` validates and splits; the session swaps it in.
 * `bundledInput` reads the bundled Fashion-MNIST; `isDataset` tells whether a stored run's
 * dataset is the loaded one.
 */
import { budgetFor } from '../attacks/budgets';
import { DatasetError } from '../data/errors';
import { loadFashionMnist } from '../data/fashion-mnist';
import { deriveSeed, trainValSplit } from '../data/order';
import { validateDataset, type Dataset } from '../data/dataset';
import type { LoadedFiles } from './datasets';
import { SessionError } from './errors';
import { filesKey, type DatasetRef, type StoredFile } from './run-store';
import type { DatasetInfo } from './types';

/** Validation fraction split off the training set, and its seed. */
export const VAL_FRACTION = 0.1;
export const VAL_SEED = deriveSeed(0, 0x5b17);

export interface DataState {
  info: DatasetInfo;
  /** where it came from (stored with runs, to load it again for a resume) */
  ref: DatasetRef;
  /** a user's files, kept to store them with the first run that trains on them */
  files?: StoredFile[];
  train: Dataset;
  val: Dataset;
  test: Dataset;
  budget: string;
}

/** What a dataset is made from: splits, names, the attack budget, its origin. */
export interface DataInput {
  train: Dataset;
  test: Dataset;
  val?: Dataset;
  name?: string;
  budget?: string;
  testSource?: DatasetInfo['testSource'];
  /** where the data came from (default: given directly) */
  ref?: DatasetRef;
  files?: StoredFile[];
}

/**
 * Validate the sets, split the validation set off (seeded, VAL_FRACTION) unless given, and
 * describe them. Throws DatasetError for sets that differ in shape or classes, or an empty split.
 */
export function makeDataState(d: DataInput): DataState {
  for (const ds of [d.train, d.test, ...(d.val ? [d.val] : [])]) validateDataset(ds);
  if (d.train.shape.join() !== d.test.shape.join() || d.train.numClasses !== d.test.numClasses)
    throw new DatasetError(
      d.test.name,
      'bad-shape',
      'test and training sets differ in shape or classes',
    );
  const split = d.val
    ? { train: d.train, val: d.val }
    : trainValSplit(d.train, VAL_FRACTION, VAL_SEED);
  if (split.train.labels.length === 0)
    throw new DatasetError(
      d.train.name,
      'empty',
      'the training set is empty after the validation split',
    );
  const budget = d.budget ?? (d.train.shape[2] === 1 ? 'fashion-mnist' : 'cifar10');
  const b = budgetFor(budget);
  const info: DatasetInfo = {
    name: d.name ?? d.train.name,
    train: split.train.labels.length,
    val: split.val.labels.length,
    test: d.test.labels.length,
    shape: [...d.train.shape],
    numClasses: d.train.numClasses,
    classNames:
      d.train.classNames ?? Array.from({ length: d.train.numClasses }, (_, i) => String(i)),
    budget: { dataset: budget, epsLinf: b.epsLinf, steps: b.steps, stepSize: b.stepSize },
    testSource: d.testSource ?? 'test files',
  };
  const ref: DatasetRef = d.ref ?? {
    kind: 'direct',
    name: info.name,
    train: info.train,
    val: info.val,
    test: info.test,
  };
  return { info, ref, files: d.files, train: split.train, val: split.val, test: d.test, budget };
}

/** The data of a user's files, with a reference that finds them again in the run store. */
export function filesInput(loaded: LoadedFiles, stored: StoredFile[]): DataInput {
  const ref: DatasetRef = {
    kind: 'files',
    name: loaded.name,
    key: filesKey(stored),
    files: stored.map((f) => f.name),
    bytes: stored.reduce((n, f) => n + f.bytes.length, 0),
  };
  return { ...loaded, ref, files: stored };
}

/** The bundled Fashion-MNIST, read from the app's public/datasets/fashion-mnist/. */
export async function bundledInput(
  read: (path: string) => Promise<Uint8Array>,
): Promise<DataInput> {
  const file = (f: string) => read(`datasets/fashion-mnist/${f}`);
  const [train, test] = await Promise.all([
    loadFashionMnist(file, 'train'),
    loadFashionMnist(file, 'test'),
  ]);
  return {
    train,
    test,
    name: 'fashion-mnist',
    budget: 'fashion-mnist',
    testSource: 'test files',
    ref: { kind: 'bundled', name: 'fashion-mnist' },
  };
}

/**
 * Whether `ref` (a stored run's dataset) is the loaded one. Data given directly cannot be loaded
 * again: a mismatch there throws a SessionError asking the user to load the same dataset first.
 */
export function isDataset(ref: DatasetRef, data: DataState | null): boolean {
  const cur = data?.ref;
  if (ref.kind === 'bundled') return cur?.kind === 'bundled' && cur.name === ref.name;
  if (ref.kind === 'files') return cur?.kind === 'files' && cur.key === ref.key;
  const i = data?.info;
  if (
    !i ||
    i.name !== ref.name ||
    i.train !== ref.train ||
    i.val !== ref.val ||
    i.test !== ref.test
  )
    throw new SessionError(
      `the run trained on data given directly ('${ref.name}', ${ref.train}/${ref.val}/${ref.test} train/val/test): load the same dataset first`,
    );
  return true;
}
