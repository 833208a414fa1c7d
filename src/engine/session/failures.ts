/**
 * What the session makes of a call that failed (session.ts runs every call through `Jobs`,
 * jobs.ts): an out-of-memory or device-loss failure becomes advice (backend/oom.ts: a smaller
 * batch, another backend) naming what failed; a lost device, or an out-of-memory on WASM, is also
 * announced as a session event, on which the worker restarts. Other errors pass unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { explainFailure } from '../backend/oom';
import { SessionError } from './errors';
import type { SessionEvent } from './recorder';

export interface FailureSink {
  /** the training run's batch size, for advice on a failed training call */
  batchSize?: number;
  /** announces a lost device or a broken engine */
  emit(e: SessionEvent): void;
}

/** The error to throw for `e`, thrown while doing `what` ('training', 'computing scores', …). */
export function explainJobFailure(what: string, e: unknown, sink: FailureSink): unknown {
  const batchSize = what === 'training' ? sink.batchSize : undefined;
  const ex = explainFailure(e, { backend: tf.getBackend(), batchSize });
  if (ex.kind === 'other') return e;
  const message = `${what} failed: ${ex.message}`;
  if (ex.kind === 'device-lost') sink.emit({ kind: 'device-lost', message });
  // tfjs-backend-wasm does not check its allocations: after one failed, its heap may be
  // corrupt, so the worker must restart (the UI restores the last checkpoint)
  else if (tf.getBackend() === 'wasm') sink.emit({ kind: 'engine-broken', message });
  return new SessionError(message, { cause: e });
}
