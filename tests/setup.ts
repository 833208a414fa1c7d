// Every engine test runs on the WASM backend (the CPU path of Node and of browsers without a GPU)
// unless the test picks another one itself.
import { initBackend } from '@/engine/backend';

await initBackend({ prefer: 'wasm' });
