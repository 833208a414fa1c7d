/**
 * Where training runs are kept so that a reload, a crashed worker or a lost GPU device loses
 * nothing: one record per run (its config, dataset, metrics history and status) and its blobs
 * (the last checkpoint, the weights it started from, the final weights, a user's dataset files).
 *
 * The engine only knows this interface. The browser's implementation is IndexedDB
 * (src/workers/idb-run-store.ts); `MemoryRunStore` serves Node tests and the CLI. Writes of one
 * save are atomic (a record never points at a checkpoint of another save). Errors (a full disk,
 * a quota) are thrown as `RunStoreError` with the run and the reason, so callers report them.
 */
import type { Checkpoint } from '../train/checkpoint';
import type { TrainConfig } from '../train/config';
import type { EpochMetrics, LrChangeRecord } from '../train/types';
import type { WeightData } from '../model/init';
import type { ModelSpec } from '../model/spec';
import type { ParamName } from '../model/types';
import type { TrainState } from './types';

export const RUN_RECORD_VERSION = 1;

/** Where a run's data came from, so it can be loaded again for a resume. */
export type DatasetRef =
  /** the app's bundled dataset (public/datasets) */
  | { kind: 'bundled'; name: string }
  /** a user's files, stored beside the run under `key` */
  | { kind: 'files'; name: string; key: string; files: string[]; bytes: number }
  /** data given directly (tests, the CLI): only an equal dataset loaded again can resume it */
  | { kind: 'direct'; name: string; train: number; val: number; test: number };

/** Why a save happened. */
export type SaveReason = 'start' | 'epoch' | 'timer' | 'pause' | 'end';

/** One run as listed: everything but the tensors' data. */
export interface RunRecord {
  version: typeof RUN_RECORD_VERSION;
  id: string;
  /** e.g. 'pgd-at · lenet · 10 epochs' */
  name: string;
  kind: 'train' | 'finetune';
  /** ISO 8601 */
  createdAt: string;
  updatedAt: string;
  /** 'running' in a stored record: the run was going when last saved (interrupted if not live) */
  status: TrainState['status'];
  message: string;
  step: number;
  epoch: number;
  totalSteps: number;
  config: TrainConfig;
  dataset: DatasetRef;
  model: { spec: ModelSpec; source: string; params: number };
  history: EpochMetrics[];
  lrChanges: LrChangeRecord[];
  /** optimizer steps of the stored checkpoint (null: none, the run restarts from its start) */
  checkpointStep: number | null;
  /** whether final weights are stored (a completed run) */
  hasFinal: boolean;
  savedBy: SaveReason;
  /** backend the run trained on when last saved */
  backend: string;
}

export type StoredWeights = Record<ParamName, WeightData>;

export interface StoredFile {
  name: string;
  bytes: Uint8Array;
}

/** What one save writes beside the record (absent fields are left as they are). */
export interface RunBlobs {
  /** the latest checkpoint; null deletes it */
  checkpoint?: Checkpoint | null;
  /** the weights the run started from (written once, at the start) */
  start?: StoredWeights;
  /** the weights at the end of a completed run */
  final?: StoredWeights;
  /** a user's dataset files, stored under the record's `dataset.key` */
  datasetFiles?: StoredFile[];
}

export class RunStoreError extends Error {
  constructor(
    readonly runId: string,
    readonly reason: 'quota' | 'unavailable' | 'corrupt' | 'not-found' | 'other',
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`run storage (${runId}): ${detail}`, options);
    this.name = 'RunStoreError';
  }
}

export interface RunStore {
  /** a readable name of the storage, e.g. 'IndexedDB' */
  readonly kind: string;
  /** Write the record and its blobs in one transaction. */
  save(record: RunRecord, blobs?: RunBlobs): Promise<void>;
  /** Every record, newest first (by updatedAt). */
  list(): Promise<RunRecord[]>;
  get(id: string): Promise<RunRecord | null>;
  checkpoint(id: string): Promise<Checkpoint | null>;
  startWeights(id: string): Promise<StoredWeights | null>;
  finalWeights(id: string): Promise<StoredWeights | null>;
  datasetFiles(key: string): Promise<StoredFile[] | null>;
  /** Whether the dataset files `key` are stored (without reading them). */
  hasDatasetFiles(key: string): Promise<boolean>;
  /** Remove the run and its blobs (dataset files too when no other run uses them). */
  delete(id: string): Promise<void>;
  /** bytes used and available, where the platform says */
  estimate(): Promise<{ usage: number; quota: number } | null>;
}

const copy = <T>(v: T): T => structuredClone(v);

/** A RunStore in memory (Node tests, the CLI): values are copied in and out, as IndexedDB does. */
export class MemoryRunStore implements RunStore {
  readonly kind = 'memory';
  private readonly records = new Map<string, RunRecord>();
  private readonly blobs = new Map<string, unknown>();

  save(record: RunRecord, blobs: RunBlobs = {}): Promise<void> {
    this.records.set(record.id, copy(record));
    if (blobs.checkpoint === null) this.blobs.delete(`${record.id}:checkpoint`);
    else if (blobs.checkpoint) this.blobs.set(`${record.id}:checkpoint`, copy(blobs.checkpoint));
    if (blobs.start) this.blobs.set(`${record.id}:start`, copy(blobs.start));
    if (blobs.final) this.blobs.set(`${record.id}:final`, copy(blobs.final));
    if (blobs.datasetFiles && record.dataset.kind === 'files')
      this.blobs.set(`files:${record.dataset.key}`, copy(blobs.datasetFiles));
    return Promise.resolve();
  }

  list(): Promise<RunRecord[]> {
    const all = [...this.records.values()].map(copy);
    return Promise.resolve(all.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)));
  }

  get(id: string): Promise<RunRecord | null> {
    const r = this.records.get(id);
    return Promise.resolve(r ? copy(r) : null);
  }

  private blob<T>(key: string): Promise<T | null> {
    const v = this.blobs.get(key);
    return Promise.resolve(v === undefined ? null : (copy(v) as T));
  }

  checkpoint(id: string): Promise<Checkpoint | null> {
    return this.blob(`${id}:checkpoint`);
  }

  startWeights(id: string): Promise<StoredWeights | null> {
    return this.blob(`${id}:start`);
  }

  finalWeights(id: string): Promise<StoredWeights | null> {
    return this.blob(`${id}:final`);
  }

  datasetFiles(key: string): Promise<StoredFile[] | null> {
    return this.blob(`files:${key}`);
  }

  hasDatasetFiles(key: string): Promise<boolean> {
    return Promise.resolve(this.blobs.has(`files:${key}`));
  }

  delete(id: string): Promise<void> {
    const r = this.records.get(id);
    this.records.delete(id);
    for (const part of ['checkpoint', 'start', 'final']) this.blobs.delete(`${id}:${part}`);
    if (r?.dataset.kind === 'files') {
      const key = r.dataset.key;
      const used = [...this.records.values()].some(
        (o) => o.dataset.kind === 'files' && o.dataset.key === key,
      );
      if (!used) this.blobs.delete(`files:${key}`);
    }
    return Promise.resolve();
  }

  estimate(): Promise<{ usage: number; quota: number } | null> {
    return Promise.resolve(null);
  }
}

/** FNV-1a (32-bit) over the files' names and bytes: the key of a user's dataset files. */
export function filesKey(files: readonly StoredFile[]): string {
  let h = 0x811c9dc5;
  const mix = (b: number) => {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const f of files) {
    for (let i = 0; i < f.name.length; i++) mix(f.name.charCodeAt(i) & 0xff);
    mix(0);
    for (let i = 0; i < f.bytes.length; i++) mix(f.bytes[i]);
    mix(0xff);
  }
  const total = files.reduce((s, f) => s + f.bytes.length, 0);
  return `${h.toString(16).padStart(8, '0')}-${total}`;
}
