/**
 * Which tfjs backend is live, why, and why the others were not used; on WASM also its threads and
 * whether our WebAssembly kernels run (`data-wasm-kernels`: 'attached' or why not) and on how many
 * threads (`data-wasm-kernel-threads`).
 */
import { useCore } from '../store/core';

export function BackendBadge() {
  const backend = useCore((s) => s.backend);
  const fallback = backend?.details.webgpu?.isFallbackAdapter === true;
  const wasm = backend?.details.wasm;
  const kernels = wasm
    ? wasm.simdKernels.attached
      ? 'attached'
      : `not attached: ${wasm.simdKernels.note ?? 'unknown'}`
    : undefined;
  const why = backend
    ? [
        `${backend.name}: ${backend.reason}`,
        ...(wasm
          ? [
              `WASM ${wasm.binary}, ${wasm.threads} thread(s); our kernels ${kernels}` +
                (wasm.simdKernels.threads !== undefined
                  ? ` (${wasm.simdKernels.threads} thread(s))`
                  : '') +
                `; XNNPACK ${wasm.xnnpackThreads} thread(s)`,
            ]
          : []),
        ...Object.entries(backend.notUsed).map(([n, r]) => `${n}: ${r}`),
      ].join('\n')
    : 'starting…';
  return (
    <span className="backend" title={why}>
      backend{' '}
      <strong
        data-testid="backend"
        data-wasm-kernels={kernels}
        data-wasm-kernel-threads={wasm?.simdKernels.threads}
      >
        {backend?.name ?? 'starting…'}
      </strong>
      {fallback ? <em> (software adapter)</em> : null}
    </span>
  );
}
