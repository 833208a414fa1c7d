// The stores' request logic (src/ui/lib/latest.ts): latest request wins, superseded calls are
// aborted in the worker by their own tokens, their late results are dropped, other slots are
// untouched.
import { describe, expect, it } from 'vitest';
import { latest } from '@/ui/lib/latest';

/** A call that resolves when told to, recording its token. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('latest request wins', () => {
  it('aborts the superseded request’s calls by token and marks it stale', async () => {
    const aborted: string[] = [];
    const slot = latest('eval', (id) => aborted.push(id));
    const first = slot.begin();
    const d1 = deferred<number>();
    let firstToken = '';
    const p1 = first.call((t) => {
      firstToken = t.id;
      return d1.promise;
    });
    expect(first.live()).toBe(true);
    expect(slot.busy()).toBe(true);
    const second = slot.begin();
    expect(first.live()).toBe(false);
    expect(second.live()).toBe(true);
    expect(aborted).toEqual([firstToken]);
    d1.resolve(1); // a late answer: the store sees first.live() === false and drops it
    expect(await p1).toBe(1);
    expect(first.live()).toBe(false);
    // a finished call is not aborted again
    const p2 = second.call(async () => 2);
    expect(await p2).toBe(2);
    slot.begin();
    expect(aborted).toEqual([firstToken]);
  });

  it('gives every call a fresh token, unique across slots', async () => {
    const a = latest('a', () => undefined);
    const b = latest('b', () => undefined);
    const ids = new Set<string>();
    const ra = a.begin();
    const rb = b.begin();
    for (let i = 0; i < 3; i++) {
      await ra.call(async (t) => ids.add(t.id));
      await rb.call(async (t) => ids.add(t.id));
    }
    expect(ids.size).toBe(6);
  });

  it('aborts every call in flight of a request, and only of that slot', async () => {
    const aborted: string[] = [];
    const prepare = latest('prepare', (id) => aborted.push(id));
    const curves = latest('curves', (id) => aborted.push(id));
    const r = prepare.begin();
    const c = curves.begin();
    const hold = deferred<void>();
    const tokens: string[] = [];
    const calls = [1, 2].map(() =>
      r.call((t) => {
        tokens.push(t.id);
        return hold.promise;
      }),
    );
    const curveCall = c.call((t) => {
      tokens.push(t.id);
      return hold.promise;
    });
    prepare.abort();
    expect(aborted.sort()).toEqual(tokens.slice(0, 2).sort());
    expect(prepare.busy()).toBe(false);
    expect(c.live()).toBe(true);
    hold.resolve();
    await Promise.all([...calls, curveCall]);
  });

  it('end() makes a request stale without aborting anything; a dead worker is ignored', async () => {
    const slot = latest('x', () => {
      throw new Error('worker gone');
    });
    const r = slot.begin();
    const hold = deferred<void>();
    const p = r.call(() => hold.promise);
    r.end();
    expect(r.live()).toBe(false);
    expect(slot.busy()).toBe(false);
    const r2 = slot.begin(); // r's call is still in flight: aborting it throws, and is ignored
    expect(r2.live()).toBe(true);
    hold.resolve();
    await p;
  });
});
