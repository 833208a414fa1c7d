/** Which tfjs backend is live, why, and why the others were not used. */
import { useCore } from '../store/core';

export function BackendBadge() {
  const backend = useCore((s) => s.backend);
  const fallback = backend?.details.webgpu?.isFallbackAdapter === true;
  const why = backend
    ? [
        `${backend.name}: ${backend.reason}`,
        ...Object.entries(backend.notUsed).map(([n, r]) => `${n}: ${r}`),
      ].join('\n')
    : 'starting…';
  return (
    <span className="backend" title={why}>
      backend <strong data-testid="backend">{backend?.name ?? 'starting…'}</strong>
      {fallback ? <em> (software adapter)</em> : null}
    </span>
  );
}
