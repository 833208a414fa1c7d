/**
 * Training kernels the tfjs WASM backend lacks. (Placeholder: filled in by the backend work.)
 */
export function registerWasmTrainingKernels(): void {}
