/**
 * The browser's RunStore (src/engine/session/run-store.ts) on IndexedDB, opened from the engine
 * worker. Database 'advprune-lab', version 1, two object stores:
 * - 'runs': one RunRecord per run, keyed by its id;
 * - 'blobs': `<id>:checkpoint`, `<id>:start`, `<id>:final` (weights as Float32Arrays, stored by
 *   structured clone) and `files:<key>` (a user's dataset files, shared by the runs that use them).
 * A save writes the record and its blobs in one readwrite transaction, so a reload in the middle
 * of a save finds either the old pair or the new one. A full quota surfaces as a RunStoreError
 * with reason 'quota' (the transaction's QuotaExceededError), never silently.
 */
import type { Checkpoint } from '../engine/train/checkpoint';
import {
  RunStoreError,
  type RunBlobs,
  type RunRecord,
  type RunStore,
  type StoredFile,
  type StoredWeights,
} from '../engine/session/run-store';

const DB_NAME = 'advprune-lab';
const DB_VERSION = 1;
const RUNS = 'runs';
const BLOBS = 'blobs';

function reasonOf(e: unknown): RunStoreError['reason'] {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  if (name === 'QuotaExceededError') return 'quota';
  if (name === 'InvalidStateError' || name === 'UnknownError') return 'unavailable';
  return 'other';
}

function wrap(id: string, what: string, e: unknown): RunStoreError {
  if (e instanceof RunStoreError) return e;
  const reason = reasonOf(e);
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const advice =
    reason === 'quota'
      ? ": the browser's storage quota is used up; delete past runs in the Train view to make room"
      : '';
  return new RunStoreError(id, reason, `${what} failed (${msg})${advice}`, { cause: e });
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class IdbRunStore implements RunStore {
  readonly kind = 'IndexedDB';
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly name = DB_NAME) {}

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      if (typeof indexedDB === 'undefined')
        return Promise.reject(
          new RunStoreError('*', 'unavailable', 'this browser offers no IndexedDB (private mode?)'),
        );
      const r = indexedDB.open(this.name, DB_VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS, { keyPath: 'id' });
        if (!db.objectStoreNames.contains(BLOBS)) db.createObjectStore(BLOBS);
      };
      this.db = request(r).catch((e: unknown) => {
        this.db = null;
        throw wrap('*', 'opening IndexedDB', e);
      });
    }
    return this.db;
  }

  async save(record: RunRecord, blobs: RunBlobs = {}): Promise<void> {
    try {
      const db = await this.open();
      const tx = db.transaction([RUNS, BLOBS], 'readwrite');
      const finished = done(tx);
      tx.objectStore(RUNS).put(record);
      const b = tx.objectStore(BLOBS);
      if (blobs.checkpoint === null) b.delete(`${record.id}:checkpoint`);
      else if (blobs.checkpoint) b.put(blobs.checkpoint, `${record.id}:checkpoint`);
      if (blobs.start) b.put(blobs.start, `${record.id}:start`);
      if (blobs.final) b.put(blobs.final, `${record.id}:final`);
      if (blobs.datasetFiles && record.dataset.kind === 'files')
        b.put(blobs.datasetFiles, `files:${record.dataset.key}`);
      await finished;
    } catch (e) {
      throw wrap(record.id, `saving run '${record.name}' at step ${record.step}`, e);
    }
  }

  async list(): Promise<RunRecord[]> {
    try {
      const db = await this.open();
      const all = await request(
        db.transaction(RUNS, 'readonly').objectStore(RUNS).getAll() as IDBRequest<RunRecord[]>,
      );
      return all.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    } catch (e) {
      throw wrap('*', 'listing runs', e);
    }
  }

  async get(id: string): Promise<RunRecord | null> {
    try {
      const db = await this.open();
      const r = await request(
        db.transaction(RUNS, 'readonly').objectStore(RUNS).get(id) as IDBRequest<
          RunRecord | undefined
        >,
      );
      return r ?? null;
    } catch (e) {
      throw wrap(id, 'reading the run', e);
    }
  }

  private async blob<T>(id: string, key: string): Promise<T | null> {
    try {
      const db = await this.open();
      const r = await request(
        db.transaction(BLOBS, 'readonly').objectStore(BLOBS).get(key) as IDBRequest<T | undefined>,
      );
      return r ?? null;
    } catch (e) {
      throw wrap(id, `reading ${key}`, e);
    }
  }

  checkpoint(id: string): Promise<Checkpoint | null> {
    return this.blob(id, `${id}:checkpoint`);
  }

  startWeights(id: string): Promise<StoredWeights | null> {
    return this.blob(id, `${id}:start`);
  }

  finalWeights(id: string): Promise<StoredWeights | null> {
    return this.blob(id, `${id}:final`);
  }

  datasetFiles(key: string): Promise<StoredFile[] | null> {
    return this.blob(key, `files:${key}`);
  }

  async hasDatasetFiles(key: string): Promise<boolean> {
    try {
      const db = await this.open();
      const n = await request(
        db.transaction(BLOBS, 'readonly').objectStore(BLOBS).count(`files:${key}`),
      );
      return n > 0;
    } catch (e) {
      throw wrap(key, `looking up files:${key}`, e);
    }
  }

  async delete(id: string): Promise<void> {
    try {
      const db = await this.open();
      const record = await this.get(id);
      const others =
        record?.dataset.kind === 'files'
          ? (await this.list()).filter(
              (r) =>
                r.id !== id &&
                r.dataset.kind === 'files' &&
                record.dataset.kind === 'files' &&
                r.dataset.key === record.dataset.key,
            ).length
          : 0;
      const tx = db.transaction([RUNS, BLOBS], 'readwrite');
      const finished = done(tx);
      tx.objectStore(RUNS).delete(id);
      const b = tx.objectStore(BLOBS);
      for (const part of ['checkpoint', 'start', 'final']) b.delete(`${id}:${part}`);
      if (record?.dataset.kind === 'files' && others === 0) b.delete(`files:${record.dataset.key}`);
      await finished;
    } catch (e) {
      throw wrap(id, 'deleting the run', e);
    }
  }

  async estimate(): Promise<{ usage: number; quota: number } | null> {
    const est = await navigator.storage?.estimate?.();
    return est?.usage !== undefined && est.quota !== undefined
      ? { usage: est.usage, quota: est.quota }
      : null;
  }
}
