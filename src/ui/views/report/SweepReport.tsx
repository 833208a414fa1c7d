/**
 * A sweep report as a card: the grid's axes (values and how many cells), finished and missing
 * cells, the finished cells (click one to open its run as a single report), the summary table
 * (mean ± sample std over seeds per params × variant × metric, with n) and the charts.
 */
import { useState } from 'react';
import { formatPct } from '../../lib/format';
import { meanStdText } from '../../report/format';
import type { SweepView } from '../../report/sweep-schema';
import { cellParams, formatParams, summaryMetrics } from '../../report/sweep-series';
import { SweepCharts } from './SweepCharts';

/** Rows of the summary table rendered at most (the rest is counted in the caption). */
const MAX_SUMMARY_ROWS = 2000;

function Cells({ sweep, onOpen }: { sweep: SweepView; onOpen(index: number): void }) {
  const order = sweep.axes.map((a) => a.name);
  return (
    <div className="table-scroll">
      <table className="data report-cells-table" data-testid="report-cells-table">
        <caption className="label">Click a cell to open its run as a single report.</caption>
        <thead>
          <tr>
            <th>cell</th>
            <th>params</th>
            <th>clean</th>
            <th>worst case</th>
            <th>pruned variants</th>
            <th>epochs</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sweep.runs.map((c) => (
            <tr key={c.index} className="clickable" onClick={() => onOpen(c.index)}>
              <td>{c.index}</td>
              <td>{formatParams(c.params, order)}</td>
              <td>{formatPct(c.report.evaluation.cleanAccuracy)}</td>
              <td>{formatPct(c.report.evaluation.worstCaseAccuracy)}</td>
              <td>{c.report.pruning?.length ?? 0}</td>
              <td>{c.report.training?.epochs.length ?? 0}</td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={(e) => (e.stopPropagation(), onOpen(c.index))}
                >
                  open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Summary({ sweep }: { sweep: SweepView }) {
  const order = sweep.axes.map((a) => a.name);
  const metrics = summaryMetrics(sweep);
  const [metric, setMetric] = useState('');
  const shown = metric === '' ? sweep.summary : sweep.summary.filter((r) => r.metric === metric);
  const rows = shown.slice(0, MAX_SUMMARY_ROWS);
  return (
    <div className="table-scroll">
      <label className="field summary-filter">
        metric
        <select
          value={metric}
          onChange={(e) => setMetric(e.target.value)}
          aria-label="Summary metric"
        >
          <option value="">all</option>
          {metrics.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </label>
      <table className="data report-summary-table" data-testid="report-summary-table">
        <caption className="label">
          mean ± sample std over seeds
          {shown.length > rows.length ? ` · first ${rows.length} of ${shown.length} rows` : ''}
        </caption>
        <thead>
          <tr>
            <th>params</th>
            <th>variant</th>
            <th>metric</th>
            <th>mean ± std</th>
            <th>n</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>{formatParams(r.params, order)}</td>
              <td>{r.variant}</td>
              <td>{r.metric}</td>
              <td>{meanStdText(r.metric, r.mean, r.std)}</td>
              <td>{r.n}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SweepReport({ sweep, onOpen }: { sweep: SweepView; onOpen(index: number): void }) {
  return (
    <>
      <dl className="report-meta">
        <div>
          <dt>cells</dt>
          <dd>
            {sweep.runs.length} finished of {sweep.cells}
            {sweep.shards && sweep.shards.length > 0
              ? ` · ${sweep.shards.length} shards merged`
              : ''}
          </dd>
        </div>
        {sweep.axes.map((a) => (
          <div key={a.name}>
            <dt>
              {a.name} <span className="label">({a.path})</span>
            </dt>
            <dd>
              {a.labels.map(String).join(', ')} · {a.labels.length} values
            </dd>
          </div>
        ))}
      </dl>
      {sweep.missing.length > 0 ? (
        <div className="report-missing" data-testid="report-missing">
          <p>
            Missing cells ({sweep.missing.length} of {sweep.cells}): not in the merged shards.
          </p>
          <ul>
            {sweep.missing.slice(0, 200).map((i) => {
              const p = cellParams(sweep, i);
              return (
                <li key={i}>
                  cell {i}
                  {p
                    ? `: ${formatParams(
                        p,
                        sweep.axes.map((a) => a.name),
                      )}`
                    : ''}
                </li>
              );
            })}
            {sweep.missing.length > 200 ? <li>… {sweep.missing.length - 200} more</li> : null}
          </ul>
        </div>
      ) : null}
      <section aria-label="Cells">
        <h3>Cells</h3>
        <Cells sweep={sweep} onOpen={onOpen} />
      </section>
      <section aria-label="Summary">
        <h3>Summary</h3>
        <Summary sweep={sweep} />
      </section>
      <SweepCharts sweep={sweep} />
    </>
  );
}
