/**
 * The engine's life as the app sees it: `boot` starts the worker (backend from ?backend=, the
 * bundled dataset, the default model, an unfinished run offered back), and `recover` restarts a
 * worker that died or lost its WebGPU device, off WebGPU when the device is gone, reopening the
 * live run at its last checkpoint (else the defaults) and saying so. It drives the core, runs and
 * train stores; none of them imports this file, so the stores form no cycle.
 */
import type { BackendInfo, BackendName, SessionEvent } from '../../workers/protocol';
import { callback, errorMessage, getEngine, onWorkerDeath, stopEngine } from '../engine-client';
import { readNumber, readParam } from '../url';
import { checkpointEverySec, useCore } from './core';
import { useRuns } from './runs';
import { useTrain } from './train';

const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

let booted = false;
let recovering = false;

/** Start a worker on `prefer` and wire its events and checkpoint interval. */
async function startEngine(prefer: BackendName | undefined): Promise<BackendInfo> {
  const engine = getEngine();
  await engine.watch(callback((e: SessionEvent) => onEngineEvent(e)));
  if (readNumber('ckptSec', 1, 3600) !== undefined)
    await engine.setCheckpointInterval(checkpointEverySec());
  return engine.init(prefer);
}

function onEngineEvent(e: SessionEvent): void {
  if (e.kind === 'device-lost') void recover(e.message, true);
  else if (e.kind === 'engine-broken') void recover(e.message, false);
  else useRuns.getState().onEvent(e);
}

export async function boot(): Promise<void> {
  if (booted) return; // React StrictMode runs effects twice in development
  booted = true;
  onWorkerDeath((reason) => void recover(reason, false));
  const engine = getEngine();
  try {
    useCore.setState({ activity: 'starting the engine…' });
    const backend = await startEngine(readParam('backend', BACKENDS));
    useCore.setState({ backend, activity: 'loading Fashion-MNIST…' });
    const dataset = await engine.loadBundledDataset();
    useCore.setState({ dataset, activity: 'loading the default model…' });
    const model = await engine.loadDefaultModel();
    useCore.setState({ model, modelVersion: useCore.getState().modelVersion + 1, activity: '' });
    await useRuns.getState().offerUnfinished();
  } catch (e) {
    useCore.setState({ error: errorMessage(e), activity: '' });
  }
}

export async function recover(reason: string, deviceLost: boolean): Promise<void> {
  if (recovering) return;
  recovering = true;
  const runId = useTrain.getState().runId;
  const was = useCore.getState().backend?.name;
  // off WebGPU when its device is gone: the CPU path always works (WebGL shares the GPU)
  const prefer: BackendName | undefined = deviceLost || was === 'webgpu' ? 'wasm' : was;
  try {
    useCore.setState({
      notice: `${reason}: restarting the engine…`,
      activity: 'restarting the engine…',
    });
    stopEngine();
    useTrain.getState().engineLost();
    const backend = await startEngine(prefer);
    useCore.setState({ backend });
    const engine = getEngine();
    let restored = '';
    let opened: Awaited<ReturnType<typeof engine.openRun>> | null = null;
    if (runId) {
      try {
        opened = await engine.openRun(runId);
      } catch (e) {
        // e.g. the run was never saved (a full quota): start from the defaults, and say so
        restored = `; the run could not be restored (${errorMessage(e)}), so the default model is loaded`;
      }
    }
    if (opened) {
      useCore.setState({ dataset: opened.dataset });
      useCore.getState().modelChanged(opened.model);
      useTrain.getState().adopt(opened.state);
      useRuns.getState().setOffer({ record: opened.record, why: 'recovered', opened: true });
      restored =
        opened.state.step > 0
          ? ` and restored the run '${opened.record.name}' at its last checkpoint, step ${opened.state.step}: press Resume to go on`
          : ` and reopened the run '${opened.record.name}' (no checkpoint yet: Resume starts it again)`;
    } else {
      useTrain.getState().forget();
      useCore.setState({ dataset: await engine.loadBundledDataset() });
      useCore.getState().modelChanged(await engine.loadDefaultModel());
    }
    useCore.setState({
      notice: `${reason}. The engine was restarted on ${backend.name}${restored}.`,
      activity: '',
    });
    await useRuns.getState().refresh();
  } catch (e) {
    useCore.setState({
      error: `${reason}, and restarting it failed: ${errorMessage(e)}`,
      activity: '',
    });
  } finally {
    recovering = false;
  }
}
