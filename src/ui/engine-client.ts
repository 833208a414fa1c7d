/** The UI's handle on the engine worker. The UI never holds a tensor. */
import * as Comlink from 'comlink';
import type { EngineApi } from '../workers/engine.worker';

export function startEngine(): Comlink.Remote<EngineApi> {
  const worker = new Worker(new URL('../workers/engine.worker.ts', import.meta.url), {
    type: 'module',
  });
  return Comlink.wrap<EngineApi>(worker);
}
