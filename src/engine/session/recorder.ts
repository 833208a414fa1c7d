/**
 * Saves one live training run into a RunStore (run-store.ts): the record and the weights it
 * started from when it starts, the checkpoint at every epoch end, every `everySec` seconds of
 * training and on pause, and the final weights when it completes.
 *
 * A failed save never stops the run and is never swallowed: it is reported through `onEvent`
 * ('storage-error', with the reason, e.g. the quota) and kept in `lastError` until a later save
 * succeeds. Saves are serialized, so records are written in the order the run made them.
 */
import type { Checkpoint } from '../train/checkpoint';
import {
  RunStoreError,
  type RunBlobs,
  type RunRecord,
  type RunStore,
  type SaveReason,
} from './run-store';
import type { TrainState } from './types';

/** Something a session tells its listener about outside any call's result. */
export type SessionEvent =
  | { kind: 'saved'; runId: string; step: number; reason: SaveReason; at: string }
  | { kind: 'storage-error'; runId: string; reason: RunStoreError['reason']; message: string }
  | { kind: 'device-lost'; message: string }
  /** the backend cannot be trusted any more (a WASM out-of-memory may corrupt its heap): restart */
  | { kind: 'engine-broken'; message: string };

/** Default seconds of training between two timer checkpoints. */
export const CHECKPOINT_EVERY_SEC = 30;

function describeError(runId: string, e: unknown): RunStoreError {
  if (e instanceof RunStoreError) return e;
  const name = e instanceof Error ? e.name : '';
  const msg = e instanceof Error ? e.message : String(e);
  if (name === 'QuotaExceededError' || /quota/i.test(msg))
    return new RunStoreError(
      runId,
      'quota',
      `the browser's storage quota is used up (${msg}): delete past runs in the Train view to make room; training goes on unsaved`,
      { cause: e },
    );
  return new RunStoreError(runId, 'other', `saving failed: ${msg}`, { cause: e });
}

export class RunRecorder {
  private lastSave: number;
  private queue: Promise<void> = Promise.resolve();
  /** the last failed save's error (null once a save succeeds) */
  lastError: RunStoreError | null = null;

  constructor(
    private readonly store: RunStore,
    private record: RunRecord,
    private readonly onEvent: (e: SessionEvent) => void,
    private readonly everySec = CHECKPOINT_EVERY_SEC,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastSave = now();
  }

  get id(): string {
    return this.record.id;
  }

  /** A copy of the record as last saved (or attempted). */
  get current(): RunRecord {
    return structuredClone(this.record);
  }

  /** Whether a timer checkpoint is due (polled by the loop between steps). */
  due(): boolean {
    return this.now() - this.lastSave >= this.everySec * 1000;
  }

  /** Save the record with `state`'s progress and the blobs; resolves even when the save failed. */
  async save(
    reason: SaveReason,
    state: TrainState,
    blobs: RunBlobs = {},
    extra: Partial<RunRecord> = {},
  ): Promise<boolean> {
    this.lastSave = this.now();
    const checkpoint = blobs.checkpoint;
    this.record = {
      ...this.record,
      ...extra,
      updatedAt: new Date().toISOString(),
      status: state.status,
      message: state.message,
      step: state.step,
      epoch: state.epoch,
      totalSteps: state.totalSteps || this.record.totalSteps,
      history: state.history,
      lrChanges: state.lrChanges,
      savedBy: reason,
      checkpointStep:
        checkpoint === undefined ? this.record.checkpointStep : (checkpoint?.step ?? null),
      hasFinal: this.record.hasFinal || blobs.final !== undefined,
    };
    const record = this.record;
    const run = this.queue.then(async () => {
      try {
        await this.store.save(record, blobs);
        this.lastError = null;
        this.onEvent({
          kind: 'saved',
          runId: record.id,
          step: checkpoint?.step ?? record.step,
          reason,
          at: record.updatedAt,
        });
        return true;
      } catch (e) {
        const err = describeError(record.id, e);
        this.lastError = err;
        this.onEvent({
          kind: 'storage-error',
          runId: record.id,
          reason: err.reason,
          message: err.message,
        });
        return false;
      }
    });
    this.queue = run.then(() => undefined);
    return run;
  }

  /** A checkpoint made by the loop (epoch end or timer) while the run is going. */
  checkpoint(c: Checkpoint, why: 'epoch' | 'timer', state: TrainState): Promise<boolean> {
    return this.save(
      why,
      { ...state, status: 'running', step: c.step, epoch: c.epoch },
      { checkpoint: c },
    );
  }

  /** Wait for every queued save. */
  flush(): Promise<void> {
    return this.queue;
  }
}
