/**
 * A helper thread for our WebAssembly kernels in the browser (src/engine/backend/simd/helpers.ts):
 * started by the engine worker (engine.worker.ts) when tfjs runs its threaded WASM build, one per
 * extra thread. It blocks in Atomics.wait between jobs (allowed in a worker).
 */
import { simdHelperMain, type HelperInit } from '../engine/backend/simd/helpers';

simdHelperMain({
  onInit: (cb) => {
    self.onmessage = (e: MessageEvent<HelperInit>) => cb(e.data);
  },
  post: (m) => self.postMessage(m),
});
