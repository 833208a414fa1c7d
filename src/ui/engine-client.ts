/**
 * The UI's handle on the engine worker (Comlink). The UI never holds a tensor: every call takes
 * and returns plain data. Callbacks passed to the worker must be wrapped with `Comlink.proxy`.
 *
 * Worker death is detected with a Web Lock: the worker holds a lock named for it for its whole
 * life (`holdLifeLock`), and the UI queues a request for the same lock, which is granted exactly
 * when the worker is gone (a crash, an out-of-memory kill, `close()`), with no polling and no
 * false alarm while the worker is busy. `onWorkerDeath` registers what to do then (the core store
 * restarts the worker and restores the last checkpoint).
 */
import * as Comlink from 'comlink';
import type { EngineApi } from '../workers/protocol';

export type Engine = Comlink.Remote<EngineApi>;

let worker: Worker | null = null;
let engine: Engine | null = null;
/** generation of the current worker; a death of an older one is not reported */
let generation = 0;
let deathHandler: ((reason: string) => void) | null = null;

/** What to do when the worker dies unexpectedly (not after `stopEngine`). */
export function onWorkerDeath(handler: ((reason: string) => void) | null): void {
  deathHandler = handler;
}

function watchLife(e: Engine, gen: number): void {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return; // no Web Locks: deaths are noticed when calls fail
  const name = `advprune-engine-${gen}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  e.holdLifeLock(name)
    .then(() =>
      locks.request(name, () => {
        if (gen === generation) deathHandler?.('the engine worker stopped unexpectedly');
      }),
    )
    .catch(() => {
      // the worker died before it took the lock, or was stopped on purpose
      if (gen === generation) deathHandler?.('the engine worker failed to start');
    });
}

/** The running engine, starting the worker on first use. */
export function getEngine(): Engine {
  if (!engine) {
    worker = new Worker(new URL('../workers/engine.worker.ts', import.meta.url), {
      type: 'module',
    });
    engine = Comlink.wrap<EngineApi>(worker);
    generation++;
    watchLife(engine, generation);
  }
  return engine;
}

/** Terminate the worker on purpose (a fresh one starts on the next getEngine()). */
export function stopEngine(): void {
  generation++; // its death is not a fault
  engine?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = null;
  engine = null;
}

/**
 * Fault injection, reachable from the browser console and the end-to-end tests as
 * `window.advpruneFaults`: make the worker die as in a crash, or destroy its WebGPU device (a real
 * device loss). The app must recover from both (store/lifecycle.ts `recover`).
 */
export const faults = {
  crashWorker: (): Promise<void> => getEngine().crashForTesting(),
  loseDevice: (): Promise<boolean> => getEngine().loseDeviceForTesting(),
};

/** Wrap a callback so the worker can call it. */
export const callback = Comlink.proxy;

/** The readable message of anything thrown across the worker boundary. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
