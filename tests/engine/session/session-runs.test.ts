// Stored runs (issue 6): a run is saved at start, every epoch, on the timer and on pause; a new
// session (a reload) reopens it and resumes exactly; storage errors are reported, never fatal.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { idxFile } from '../../fuzz/seeds';
import {
  MemoryRunStore,
  Session,
  type RunBlobs,
  type RunRecord,
  type SessionEvent,
} from '@/engine/session';
import { initModel } from '@/engine/model/init';
import { exportedWeights, sameBits, tinyData } from './helpers';
import { tinyConvSpec } from '../../fixtures/models';

const config = {
  epochs: 3,
  batchSize: 32,
  seed: 7,
  objective: { kind: 'pgd-at' as const, eps: 0.1, steps: 2 },
  schedule: { kind: 'constant' as const, lr: 0.05 },
  validation: { subsetSize: 8, steps: 2 },
};

/** A store that keeps a copy of itself after every save: "the page died right after save k". */
class SnapshotStore extends MemoryRunStore {
  readonly snapshots: { record: RunRecord; store: MemoryRunStore }[] = [];
  private readonly log: { record: RunRecord; blobs: RunBlobs }[] = [];
  override async save(record: RunRecord, blobs: RunBlobs = {}): Promise<void> {
    await super.save(record, blobs);
    this.log.push(structuredClone({ record, blobs }));
    const copy = new MemoryRunStore();
    for (const entry of this.log) await copy.save(entry.record, entry.blobs);
    this.snapshots.push({ record: structuredClone(record), store: copy });
  }
}

function session(store: MemoryRunStore, withData = true): Session {
  const s = new Session({ store });
  if (withData) s.useDataset({ ...tinyData(), name: 'synthetic', budget: 'fashion-mnist' });
  s.useModel(initModel(tinyConvSpec(), 1), 'test');
  return s;
}

describe('stored runs', () => {
  it('saves at start, at each epoch end and at the end; a reload after any epoch save resumes exactly', async () => {
    const ref = session(new MemoryRunStore());
    const full = await ref.train(config);
    expect(full.status).toBe('completed');
    const finalWeights = await exportedWeights(ref);

    const store = new SnapshotStore();
    const s = session(store);
    const events: SessionEvent[] = [];
    s.watch((e) => events.push(e));
    const done = await s.train(config);
    expect(done.status).toBe('completed');
    expect(done.runId).toMatch(/^run-/);
    const reasons = store.snapshots.map((x) => x.record.savedBy);
    expect(reasons[0]).toBe('start');
    expect(reasons.filter((r) => r === 'epoch').length).toBe(3);
    expect(reasons.at(-1)).toBe('end');
    expect(events.filter((e) => e.kind === 'saved').length).toBe(store.snapshots.length);
    const [rec] = await store.list();
    expect(rec.status).toBe('completed');
    expect(rec.hasFinal).toBe(true);
    expect(rec.history.length).toBe(3);
    expect(rec.model.spec.name).toBe('tiny-conv');

    // the page dies right after the first epoch's save: a new session opens and resumes it
    const afterEpoch1 = store.snapshots.find((x) => x.record.savedBy === 'epoch');
    if (!afterEpoch1) throw new Error('no epoch save');
    const reload = session(afterEpoch1.store);
    const [stored] = await reload.listRuns();
    expect(stored.status).toBe('running'); // interrupted
    const opened = await reload.openRun(stored.id);
    expect(opened.state.status).toBe('paused');
    expect(opened.state.step).toBe(afterEpoch1.record.checkpointStep);
    expect(opened.state.step).toBeGreaterThan(0);
    expect(opened.state.history.length).toBe(1);
    const resumed = await reload.resume();
    expect(resumed.status).toBe('completed');
    expect(resumed.step).toBe(full.step);
    expect(resumed.history.map((h) => h.trainLoss)).toEqual(full.history.map((h) => h.trainLoss));
    expect(sameBits(await exportedWeights(reload), finalWeights)).toBe(true);
    // the resumed run kept saving into the same record
    const [after] = await afterEpoch1.store.list();
    expect(after.id).toBe(stored.id);
    expect(after.status).toBe('completed');

    // reset after a reopen restores the run's starting weights
    await reload.resetTraining();
    const fresh = session(new MemoryRunStore());
    expect(sameBits(await exportedWeights(reload), await exportedWeights(fresh))).toBe(true);
    for (const x of [ref, s, reload, fresh]) await x.dispose();
  });

  it('a timer checkpoint and a pause are saved; reopening a paused run continues from its step', async () => {
    const store = new SnapshotStore();
    const s = new Session({ store });
    s.useDataset({ ...tinyData(4000, 40), name: 'synthetic', budget: 'fashion-mnist' });
    s.useModel(initModel(tinyConvSpec(), 1), 'test');
    s.setCheckpointInterval(1);
    // one long epoch (1000 steps): pause as soon as the first timer save is reported
    s.watch((e) => {
      if (e.kind === 'saved' && e.reason === 'timer') s.pause();
    });
    const paused = await s.train({ ...config, epochs: 1, batchSize: 4 });
    expect(paused.status).toBe('paused');
    expect(paused.step).toBeLessThan(1000);
    const reasons = store.snapshots.map((x) => x.record.savedBy);
    expect(reasons).toContain('timer');
    expect(reasons.at(-1)).toBe('pause');
    const [rec] = await store.list();
    expect(rec.status).toBe('paused');
    expect(rec.checkpointStep).toBe(paused.step);
    expect(() => s.setCheckpointInterval(0)).toThrow(/≥ 1/);

    const timer = store.snapshots.find((x) => x.record.savedBy === 'timer');
    expect(timer?.record.checkpointStep).toBeGreaterThan(0);
    expect(timer?.record.status).toBe('running');

    const reload = new Session({ store });
    reload.useDataset({ ...tinyData(4000, 40), name: 'synthetic', budget: 'fashion-mnist' });
    const opened = await reload.openRun(rec.id);
    expect(opened.state.step).toBe(paused.step);
    expect(opened.model.source).toMatch(/^run: /);
    const st = await reload.step({});
    expect(st.step).toBe(paused.step + 1);
    await s.dispose();
    await reload.dispose();
  });

  it('a storage error is reported as an event and in storageInfo, and training goes on', async () => {
    class FullStore extends MemoryRunStore {
      override save(): Promise<void> {
        const e = new Error('The quota has been exceeded.');
        e.name = 'QuotaExceededError';
        return Promise.reject(e);
      }
    }
    const s = session(new FullStore());
    const events: SessionEvent[] = [];
    s.watch((e) => events.push(e));
    const done = await s.train({ ...config, epochs: 1 });
    expect(done.status).toBe('completed');
    const errors = events.filter((e) => e.kind === 'storage-error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ reason: 'quota' });
    expect(errors[0].kind === 'storage-error' && errors[0].message).toMatch(/quota/);
    expect((await s.storageInfo()).lastError).toMatch(/quota/);
    await s.dispose();
  });

  it("a run on a user's files stores them once and reopens in a session without data", async () => {
    const { train, test } = tinyData(96, 32, 9);
    const u8 = (d: { images: Float32Array }) =>
      Uint8Array.from(d.images, (v) => Math.round(v * 255));
    const files = [
      { name: 'train-images-idx3-ubyte', bytes: idxFile([96, 8, 8], u8(train), 'uint8') },
      { name: 'train-labels-idx1-ubyte', bytes: idxFile([96], train.labels, 'uint8') },
      { name: 't10k-images-idx3-ubyte', bytes: idxFile([32, 8, 8], u8(test), 'uint8') },
      { name: 't10k-labels-idx1-ubyte', bytes: idxFile([32], test.labels, 'uint8') },
    ];
    let fileWrites = 0;
    class CountingStore extends MemoryRunStore {
      override save(record: RunRecord, blobs: RunBlobs = {}): Promise<void> {
        if (blobs.datasetFiles) fileWrites++;
        return super.save(record, blobs);
      }
    }
    const store = new CountingStore();
    const s = new Session({ store });
    const info = await s.loadDatasetFiles(
      files.map((f) => ({ name: f.name, bytes: f.bytes.slice().buffer })),
    );
    s.useModel(initModel(tinyConvSpec(), 1), 'test');
    await s.train({ ...config, epochs: 1 });
    await s.train({ ...config, epochs: 1, seed: 8 });
    const runs = await store.list();
    expect(runs.length).toBe(2);
    const ref = runs[0].dataset;
    expect(ref.kind).toBe('files');
    if (ref.kind !== 'files') throw new Error('files ref');
    expect(await store.datasetFiles(ref.key)).not.toBeNull();
    expect(await store.hasDatasetFiles(ref.key)).toBe(true);
    expect(fileWrites).toBe(1); // the second run found them stored

    const reload = new Session({ store });
    const opened = await reload.openRun(runs[1].id);
    expect(opened.dataset).toEqual(info);
    // deleting one run keeps the files the other uses; deleting both removes them
    await reload.deleteRun(runs[0].id);
    expect(await store.datasetFiles(ref.key)).not.toBeNull();
    await reload.deleteRun(runs[1].id);
    expect(await store.datasetFiles(ref.key)).toBeNull();
    expect(await store.hasDatasetFiles(ref.key)).toBe(false);
    expect(await store.list()).toEqual([]);
    await expect(reload.openRun(runs[1].id)).rejects.toThrow(/no stored run/);
    await s.dispose();
    await reload.dispose();
  });

  it('refuses to reopen a run on data given directly when other data is loaded', async () => {
    const store = new MemoryRunStore();
    const s = session(store);
    await s.train({ ...config, epochs: 1 });
    const [rec] = await store.list();
    const other = new Session({ store });
    other.useDataset({ ...tinyData(200, 40, 3), name: 'other', budget: 'fashion-mnist' });
    await expect(other.openRun(rec.id)).rejects.toThrow(/data given directly/);
    const none = new Session({ store });
    await expect(none.openRun(rec.id)).rejects.toThrow(/load the same dataset first/);
    await s.dispose();
    await other.dispose();
  });

  it('a corrupt stored record is refused with a readable error, and the session keeps its model', async () => {
    const store = new MemoryRunStore();
    const s = session(store);
    await s.train({ ...config, epochs: 1 });
    const [rec] = await store.list();
    await store.save({ ...rec, config: { ...rec.config, batchSize: -3 } });
    const before = s.modelInfo();
    await expect(s.openRun(rec.id)).rejects.toThrow(/stored config is invalid.*batchSize/);
    await store.save({ ...rec, version: 7 as unknown as 1 });
    await expect(s.openRun(rec.id)).rejects.toThrow(/record version 7/);
    expect(s.modelInfo()).toEqual(before);
    await s.dispose();
  });

  it('openRun, listRuns and storageInfo leak no tensors', async () => {
    const store = new MemoryRunStore();
    const s = session(store);
    await s.train({ ...config, epochs: 1 });
    const [rec] = await store.list();
    await s.openRun(rec.id);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await s.openRun(rec.id);
      await s.listRuns();
      await s.storageInfo();
    }
    expect(tf.memory().numTensors).toBe(before);
    await s.dispose();
  });
});
