/**
 * The session's running calls. Each call runs with an abort flag of its own, registered under
 * its `CallToken` id when it has one: `abort(id)` sets that call's flag and no other (api.ts).
 * A call that then fails with an AbortError rejects with "<what> was cancelled". Any other
 * failure goes through `explain` (failures.ts). `abortAll()` is for the session's disposal only.
 */
import type { AbortFlag } from '../attacks/options';
import type { CallToken } from './api';
import { SessionError } from './errors';

const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';

export class Jobs {
  private readonly running = new Set<{ aborted: boolean }>();
  private readonly byId = new Map<string, { aborted: boolean }>();

  constructor(private readonly explain: (what: string, e: unknown) => unknown) {}

  /** Set the abort flag of the running call with this token id (no-op when none runs). */
  abort(id: string): void {
    const flag = this.byId.get(id);
    if (flag) flag.aborted = true;
  }

  /** Set the abort flag of every running call (disposal). */
  abortAll(): void {
    for (const j of this.running) j.aborted = true;
  }

  /** Run `fn` (doing `what`, for messages) with its own abort flag, found by `token.id`. */
  async run<T>(what: string, fn: (flag: AbortFlag) => Promise<T>, token?: CallToken): Promise<T> {
    const flag = { aborted: false };
    const id = checkToken(token);
    this.running.add(flag);
    if (id !== undefined) {
      if (this.byId.has(id))
        throw new SessionError(`call token '${id}' is already in use by a running call`);
      this.byId.set(id, flag);
    }
    try {
      return await fn(flag);
    } catch (e) {
      if (isAbort(e) && flag.aborted) throw new SessionError(`${what} was cancelled`);
      throw this.explain(what, e);
    } finally {
      this.running.delete(flag);
      if (id !== undefined && this.byId.get(id) === flag) this.byId.delete(id);
    }
  }
}

function checkToken(token: CallToken | undefined): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token !== 'object' || token === null || typeof token.id !== 'string' || !token.id)
    throw new SessionError(`a call token must be { id: non-empty string }, got ${String(token)}`);
  return token.id;
}
