/**
 * "Latest request wins", the one rule every store uses for work it asks of the engine worker.
 *
 * A store keeps one `Latest` per kind of request (the slider's preparation, its evaluation, the
 * curves, a transfer benchmark...). `begin()` starts a request and supersedes the previous one:
 * every worker call still in flight for it is aborted by its own token (`engine.abort(id)`,
 * src/engine/session/api.ts), and from then on the old request is not `live()`, so its late
 * results, partial figures and errors are dropped by the store. A request may make several calls
 * in turn (`call(token => engine.x(..., token))`), each with a fresh token. `end()` marks a
 * request finished (its late callbacks are dropped too: the worker's callbacks and results travel
 * on different message ports). Nothing aborts other stores' calls: tokens are per call.
 */
import type { CallToken } from '../../workers/protocol';

export interface Request {
  /** the newest request of its `Latest`, not ended or aborted */
  live(): boolean;
  /** Run one worker call with a fresh token; aborted with the request. */
  call<T>(fn: (token: CallToken) => Promise<T>): Promise<T>;
  /** The request is complete: `live()` turns false, nothing is aborted. */
  end(): void;
}

export interface Latest {
  /** Start a new request; the previous one is aborted (its calls in the worker stop). */
  begin(): Request;
  /** Abort the current request, if any (its calls stop, its results are dropped). */
  abort(): void;
  /** whether a request is live */
  busy(): boolean;
}

/** unique across every store of the page: worker call ids never collide */
let nextId = 0;

/**
 * A "latest request wins" slot. `abortCall(id)` tells the worker to stop the call with that
 * token (usually `(id) => getEngine().abort(id)`); its failures are ignored (a dead worker has no
 * calls to stop).
 */
export function latest(name: string, abortCall: (id: string) => unknown): Latest {
  let current: RequestImpl | null = null;

  class RequestImpl implements Request {
    private over = false;
    private readonly inFlight = new Set<string>();

    live(): boolean {
      return !this.over && current === this;
    }

    async call<T>(fn: (token: CallToken) => Promise<T>): Promise<T> {
      const id = `${name}-${++nextId}`;
      this.inFlight.add(id);
      try {
        return await fn({ id });
      } finally {
        this.inFlight.delete(id);
      }
    }

    end(): void {
      this.over = true;
    }

    stop(): void {
      this.over = true;
      for (const id of this.inFlight) {
        try {
          void Promise.resolve(abortCall(id)).catch(() => undefined);
        } catch {
          // the worker is gone: nothing to stop
        }
      }
    }
  }

  return {
    begin() {
      current?.stop();
      current = new RequestImpl();
      return current;
    },
    abort() {
      current?.stop();
      current = null;
    },
    busy() {
      return current?.live() ?? false;
    },
  };
}
