// A real out-of-memory on the WASM backend (in its own file: it may leave that backend's heap
// registry with a dead entry). tf.zeros of 2^30 − 1 float32 needs a 4 GiB − 4 B block: the heap
// cannot grow past 4 GiB − 64 KiB, emscripten's malloc returns 0, tfjs does not check it and
// fails copying the values ("RangeError: offset is out of bounds"). The JS array is allocated
// lazily by the OS, so this costs milliseconds and no real memory.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { explainFailure } from '@/engine/backend/oom';

describe('explainFailure on a real WASM out-of-memory', () => {
  it('recognizes it and advises a smaller batch or a GPU backend; the backend still works', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    let err: unknown;
    try {
      tf.zeros([2 ** 30 - 1]).dispose();
    } catch (e) {
      err = e;
    }
    expect(err, 'the 4 GiB allocation should fail').toBeInstanceOf(RangeError);
    const x = explainFailure(err, { backend: 'wasm', batchSize: 256 });
    expect(x.kind).toBe('out-of-memory');
    expect(x.message).toMatch(
      /^ran out of memory on wasm at batch size 256: try batch size 128, or the webgpu or webgl backend/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const s = tf.tidy(() => tf.sum(tf.ones([4])));
    expect(Array.from(await s.data())).toEqual([4]);
    s.dispose();
  });
});
