/**
 * The session's running calls. Each call runs with an abort flag of its own; `cancelAll()` sets
 * every running call's flag, and a call that then fails with an AbortError rejects with
 * "<what> was cancelled". Any other failure goes through `explain` (failures.ts).
 */
import type { AbortFlag } from '../attacks/options';
import { SessionError } from './errors';

const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';

export class Jobs {
  private readonly running = new Set<{ aborted: boolean }>();

  constructor(private readonly explain: (what: string, e: unknown) => unknown) {}

  /** Set the abort flag of every running call. */
  cancelAll(): void {
    for (const j of this.running) j.aborted = true;
  }

  /** Run `fn` (doing `what`, for messages) with its own abort flag. */
  async run<T>(what: string, fn: (flag: AbortFlag) => Promise<T>): Promise<T> {
    const flag = { aborted: false };
    this.running.add(flag);
    try {
      return await fn(flag);
    } catch (e) {
      if (isAbort(e) && flag.aborted) throw new SessionError(`${what} was cancelled`);
      throw this.explain(what, e);
    } finally {
      this.running.delete(flag);
    }
  }
}
