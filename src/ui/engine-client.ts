/**
 * The UI's handle on the engine worker (Comlink). The UI never holds a tensor: every call takes
 * and returns plain data. Callbacks passed to the worker must be wrapped with `Comlink.proxy`.
 */
import * as Comlink from 'comlink';
import type { EngineApi } from '../workers/engine.worker';

export type Engine = Comlink.Remote<EngineApi>;

let worker: Worker | null = null;
let engine: Engine | null = null;

/** The running engine, starting the worker on first use. */
export function getEngine(): Engine {
  if (!engine) {
    worker = new Worker(new URL('../workers/engine.worker.ts', import.meta.url), {
      type: 'module',
    });
    engine = Comlink.wrap<EngineApi>(worker);
  }
  return engine;
}

/** Terminate the worker (a fresh one starts on the next getEngine()). */
export function stopEngine(): void {
  engine?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = null;
  engine = null;
}

/** Wrap a callback so the worker can call it. */
export const callback = Comlink.proxy;

/** The readable message of anything thrown across the worker boundary. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
