/**
 * A plain status page until the dashboard lands: it starts the engine worker, shows which backend
 * is live and why, and loads the bundled Fashion-MNIST test split in the worker.
 */
import { useEffect, useState } from 'react';
import type { BackendChoice, BackendName } from '../engine/backend';
import { startEngine } from './engine-client';

const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

function requestedBackend(): BackendName | undefined {
  const b = new URLSearchParams(window.location.search).get('backend');
  return BACKENDS.find((name) => name === b);
}

export function App() {
  const [backend, setBackend] = useState<BackendChoice | null>(null);
  const [dataset, setDataset] = useState<string>('loading…');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const engine = startEngine();
    let cancelled = false;
    (async () => {
      const choice = await engine.init(requestedBackend());
      if (cancelled) return;
      setBackend(choice);
      const info = await engine.loadFashionMnist('test');
      if (!cancelled)
        setDataset(
          `Fashion-MNIST test: ${info.n} images of ${info.shape.join('×')}, ${info.classes} classes`,
        );
    })().catch((e: unknown) => {
      if (!cancelled) setError(e instanceof Error ? e.message : String(e));
    });
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '2rem auto' }}>
      <h1>AdvPrune Lab</h1>
      <p>Adversarially robust and sparse neural networks, in the browser.</p>
      <p>
        Backend: <strong data-testid="backend">{backend?.name ?? 'starting…'}</strong>
        {backend ? ` (${backend.reason})` : null}
      </p>
      {backend ? (
        <ul>
          {Object.entries(backend.notUsed).map(([name, why]) => (
            <li key={name}>
              {name}: {why}
            </li>
          ))}
        </ul>
      ) : null}
      <p data-testid="dataset">{dataset}</p>
      {error ? <p role="alert">{error}</p> : null}
    </main>
  );
}
