/**
 * A plain status page until the dashboard lands: it starts the engine worker, shows which backend
 * is live and why, loads the bundled Fashion-MNIST in the worker, and can run the smoke
 * experiment (configs/smoke.json) in the worker: the same runner as the CLI.
 */
import * as Comlink from 'comlink';
import { useEffect, useRef, useState } from 'react';
import type { Remote } from 'comlink';
import smokeConfig from '../../configs/smoke.json';
import type { BackendChoice, BackendDescription, BackendName } from '../engine/backend';
import type { ExperimentReport } from '../engine/experiment';
import type { EngineApi } from '../workers/engine.worker';
import { startEngine } from './engine-client';

const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

function requestedBackend(): BackendName | undefined {
  const b = new URLSearchParams(window.location.search).get('backend');
  return BACKENDS.find((name) => name === b);
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function describeDetails(d: BackendDescription | null): string {
  if (!d) return '';
  if (d.webgpu)
    return d.webgpu.isFallbackAdapter
      ? 'software WebGPU adapter (isFallbackAdapter): correct but slow'
      : `GPU adapter ${d.webgpu.vendor ?? ''} ${d.webgpu.architecture ?? ''}`.trim();
  if (d.wasm) return `WASM, SIMD ${d.wasm.simd ? 'on' : 'off'}, ${d.wasm.threads} thread(s)`;
  return '';
}

export function App() {
  const engine = useRef<Remote<EngineApi> | null>(null);
  const [backend, setBackend] = useState<BackendChoice | null>(null);
  const [details, setDetails] = useState<BackendDescription | null>(null);
  const [dataset, setDataset] = useState<string>('loading…');
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<string>('');
  const [report, setReport] = useState<ExperimentReport | null>(null);
  const [running, setRunning] = useState(false);

  useEffect(() => {
    const e = startEngine();
    engine.current = e;
    let cancelled = false;
    (async () => {
      const choice = await e.init(requestedBackend());
      if (cancelled) return;
      setBackend(choice);
      setDetails(await e.describe());
      const info = await e.loadFashionMnist('test');
      if (!cancelled)
        setDataset(
          `Fashion-MNIST test: ${info.n} images of ${info.shape.join('×')}, ${info.classes} classes`,
        );
    })().catch((err: unknown) => {
      if (!cancelled) setError(err instanceof Error ? err.message : String(err));
    });
    return () => {
      cancelled = true;
    };
  }, []);

  async function runSmoke() {
    if (!engine.current) return;
    setRunning(true);
    setReport(null);
    setError(null);
    try {
      const r = await engine.current.runExperiment(
        smokeConfig,
        Comlink.proxy((stage: string, done: number, total: number) =>
          setProgress(`${stage}: ${done}/${total}`),
        ),
      );
      setReport(r);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setRunning(false);
    }
  }

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 760, margin: '2rem auto' }}>
      <h1>AdvPrune Lab</h1>
      <p>Adversarially robust and sparse neural networks, in the browser.</p>
      <p>
        Backend: <strong data-testid="backend">{backend?.name ?? 'starting…'}</strong>
        {backend ? ` (${backend.reason})` : null}
      </p>
      {details ? <p data-testid="backend-details">{describeDetails(details)}</p> : null}
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
      <h2>Smoke experiment</h2>
      <p>
        PGD adversarial training of a LeNet on a small synthetic dataset, then FGSM and PGD
        evaluation: the CLI&apos;s <code>configs/smoke.json</code>, run in the worker.
      </p>
      <button type="button" onClick={() => void runSmoke()} disabled={!backend || running}>
        Run smoke experiment
      </button>{' '}
      <span data-testid="smoke-progress">{running ? progress : ''}</span>
      {report ? (
        <table data-testid="smoke-report">
          <tbody>
            <tr>
              <td>training</td>
              <td data-testid="smoke-status">{report.training?.status ?? 'not trained'}</td>
            </tr>
            <tr>
              <td>clean accuracy</td>
              <td data-testid="smoke-clean">{pct(report.evaluation.cleanAccuracy)}</td>
            </tr>
            {report.evaluation.attacks.map((a) => (
              <tr key={a.name}>
                <td>{a.name}</td>
                <td data-testid={`smoke-${a.name}`}>{pct(a.robustAccuracy)}</td>
              </tr>
            ))}
            <tr>
              <td>worst case</td>
              <td>{pct(report.evaluation.worstCaseAccuracy)}</td>
            </tr>
            <tr>
              <td>wall time</td>
              <td>{report.wallSeconds.toFixed(1)} s</td>
            </tr>
          </tbody>
        </table>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
    </main>
  );
}
