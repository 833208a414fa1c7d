/**
 * One run's report as a card: the header (name, start and end, wall time, backend and
 * environment, model, params and MACs, data sizes, training status), then each section the
 * report holds: training curves, the evaluation table, the pruning table and chart, and the
 * transfer benchmark (heat maps and table, rendered from its data, not from its markdown).
 */
import { count } from '../../lib/format';
import { TransferHeatmap } from '../../components/transfer/TransferHeatmap';
import { TransferTable } from '../../components/transfer/TransferTable';
import { duration, when } from '../../report/format';
import type { ReportView } from '../../report/schema';
import { EvalTable } from './EvalTable';
import { PruneChart, PruneTable } from './PruneSection';
import { TrainingCurves } from './TrainingCurves';

function backendText(env: ReportView['environment']): string {
  const d = env.backendDetails;
  const wasm = d?.wasm
    ? ` (SIMD ${d.wasm.simd ? 'on' : 'off'}, ${d.wasm.threads} thread${d.wasm.threads === 1 ? '' : 's'})`
    : '';
  const fp = d?.floatPrecision ? `, float${d.floatPrecision}` : '';
  return `${env.backend.name}${wasm}${fp}`;
}

function Header({ report: r }: { report: ReportView }) {
  const env = r.environment;
  const cpus = env.cpus !== undefined ? `, ${env.cpus} CPUs` : '';
  const items: [string, string][] = [
    ['started', when(r.startedAt)],
    ['finished', when(r.finishedAt)],
    ['wall time', duration(r.wallSeconds)],
    ['backend', backendText(env)],
    ['environment', `${env.platform}: ${env.runtime}${cpus} · tfjs ${env.tfjsVersion}`],
    ['model', `${r.model.architecture}${r.modelSource ? ` (${r.modelSource})` : ''}`],
    ['params / MACs', `${count(r.model.params)} / ${count(r.model.macs)}`],
    [
      'data',
      `${r.data.train} train · ${r.data.val} val · ${r.data.test} test · ${r.data.shape.join('×')} · ${r.data.numClasses} classes`,
    ],
  ];
  if (r.config.seed !== undefined) items.push(['seed', String(r.config.seed)]);
  const t = r.training;
  if (t) {
    const same = t.message.startsWith(t.status);
    items.push(['training', same ? t.message : `${t.status} · ${t.message}`]);
  }
  return (
    <dl className="report-meta">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function SingleReport({ report: r }: { report: ReportView }) {
  return (
    <>
      <Header report={r} />
      {r.training && r.training.epochs.length > 0 ? (
        <section aria-label="Training">
          <h3>Training</h3>
          <TrainingCurves training={r.training} />
        </section>
      ) : null}
      <section aria-label="Evaluation">
        <h3>Evaluation</h3>
        <EvalTable evaluation={r.evaluation} />
      </section>
      {r.pruning && r.pruning.length > 0 ? (
        <section aria-label="Pruning">
          <h3>Pruning</h3>
          <PruneTable
            pruning={r.pruning}
            base={r.evaluation}
            params={r.model.params}
            macs={r.model.macs}
          />
          <PruneChart pruning={r.pruning} base={r.evaluation} />
        </section>
      ) : null}
      {r.transfer ? (
        <section aria-label="Transfer benchmark" data-testid="report-transfer">
          <h3>
            Transfer benchmark{r.transfer.compacted ? ' (structured variants compacted)' : ''}
          </h3>
          <TransferHeatmap report={r.transfer} />
          <TransferTable report={r.transfer} />
        </section>
      ) : null}
    </>
  );
}
