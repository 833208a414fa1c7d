// A real out-of-memory failure (the WASM heap cannot hold one activation) becomes advice that
// names the backend and a smaller batch size, and the session asks for a restart: tfjs's WASM
// backend does not check its allocations, so its heap may be corrupt afterwards (it is: the next
// allocation in this process can trap), which is why this file runs nothing after it.
import { describe, expect, it } from 'vitest';
import { initModel } from '@/engine/model/init';
import type { ModelSpec } from '@/engine/model/spec';
import { Session, type SessionEvent } from '@/engine/session';
import { tinyData } from './helpers';
import { K, SHAPE } from '../../fixtures/models';

/** One conv layer of 100,000 filters: an 8×8 batch of 512 needs a 13 GB activation. */
function hugeConv(): ModelSpec {
  return {
    name: 'huge-conv',
    inputShape: SHAPE,
    numClasses: K,
    layers: [
      { kind: 'conv2d', name: 'c1', filters: 100_000, kernelSize: 3 },
      { kind: 'globalAvgPool', name: 'gap' },
      { kind: 'dense', name: 'out', units: K, activation: 'none' },
    ],
  };
}

describe('out-of-memory advice', () => {
  it('training past the WASM heap fails with advice and an engine-broken event', async () => {
    const s = new Session();
    const events: SessionEvent[] = [];
    s.watch((e) => events.push(e));
    s.useDataset({ ...tinyData(600, 40), name: 'synthetic', budget: 'fashion-mnist' });
    s.useModel(initModel(hugeConv(), 1), 'test');
    const err = await s.train({ epochs: 1, batchSize: 512 }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).not.toBeNull();
    expect(err?.message).toMatch(/^training failed: .*out of memory/i);
    expect(err?.message).toMatch(/wasm/);
    expect(err?.message).toMatch(/batch size 256/);
    expect(events).toEqual([{ kind: 'engine-broken', message: err?.message }]);
  });
});
