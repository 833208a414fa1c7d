/**
 * The dashboard's engine session: one stateful `Session` (session.ts) over the engine, taking and
 * returning plain data (types.ts). The worker exposes it; docs/worker-api.md documents it.
 */
export { Session, VAL_FRACTION, VAL_SEED, type SessionIO } from './session';
export { SessionError } from './errors';
export { datasetFromFiles, TEST_SPLIT, TEST_SPLIT_SEED, type LoadedFiles } from './datasets';
export { throttle, type Throttle } from './throttle';
export { histogram, finiteRange, scoreHistogram, LOG_SPAN } from './histogram';
export type * from './types';
export {
  MemoryRunStore,
  RunStoreError,
  filesKey,
  type RunStore,
  type RunRecord,
  type DatasetRef,
  type RunBlobs,
  type SaveReason,
} from './run-store';
export { CHECKPOINT_EVERY_SEC, RunRecorder, type SessionEvent } from './recorder';
