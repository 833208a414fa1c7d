/**
 * The compute backend: which tfjs backend runs the engine and why, and a choice that reloads the
 * page with `?backend=…` (a backend is fixed for the worker's lifetime). "automatic" removes the
 * parameter so the worker picks in its usual order.
 */
import { useCore } from '../../store/core';
import { readParam, writeParams } from '../../url';
import { FieldCard } from './fields';

const CHOICES = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
type Choice = (typeof CHOICES)[number];
const NAMES: Record<Choice, string> = {
  auto: 'automatic',
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly (SIMD)',
  cpu: 'CPU (plain JavaScript, slow)',
};

export function BackendCard() {
  const backend = useCore((s) => s.backend);
  const forced = readParam('backend', CHOICES.slice(1)) ?? 'auto';
  const fallback = backend?.details?.webgpu?.isFallbackAdapter === true;
  return (
    <FieldCard title="Backend">
      <div className="field-row">
        <label className="field">
          <span>Backend</span>
          <select
            value={forced}
            onChange={(e) => {
              const v = CHOICES.find((c) => c === e.target.value) ?? 'auto';
              writeParams({ backend: v === 'auto' ? undefined : v });
              window.location.reload();
            }}
          >
            {CHOICES.map((c) => (
              <option key={c} value={c}>
                {NAMES[c]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {backend ? (
        <>
          <p>
            Live: <strong>{backend.name}</strong>
            {fallback ? ' (software WebGPU adapter)' : ''}: {backend.reason}
          </p>
          {Object.keys(backend.notUsed).length > 0 ? (
            <ul className="label">
              {Object.entries(backend.notUsed).map(([name, why]) => (
                <li key={name}>
                  {name}: {why}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : (
        <p className="label">starting the engine…</p>
      )}
      <p className="label">Changing the backend reloads the page; the setup stays in the URL.</p>
    </FieldCard>
  );
}
