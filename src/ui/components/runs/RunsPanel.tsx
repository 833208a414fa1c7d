/**
 * Past runs kept in the browser (IndexedDB): name, status, steps, last validation accuracies,
 * when saved; Open (load it, paused where it stopped), Delete, and a tick to compare runs' epoch
 * curves in one chart. Shows the storage used against the quota and the last failed save.
 */
import { useEffect } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { RunRecord } from '../../../workers/protocol';
import { checkpointEverySec } from '../../store/core';
import { useRuns } from '../../store/runs';
import { compareSeries, type EpochFields } from '../../report/series';
import { paletteColor, pctTick, pctTip } from '../chart-kit';
import { formatPct } from '../../lib/format';
import { useTrain } from '../../store/train';

const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

function lastVal(r: RunRecord): { clean: number | null; adv: number | null } {
  const e = r.history[r.history.length - 1];
  return { clean: e?.valCleanAcc ?? null, adv: e?.valAdvAcc ?? null };
}

export function RunsPanel() {
  const { runs, compare, usage, lastError, lastSave } = useRuns();
  const { refresh, open, remove, toggleCompare } = useRuns.getState();
  const liveId = useTrain((s) => s.runId);
  const busy = useTrain((s) => s.busy);
  useEffect(() => {
    void refresh();
  }, [refresh, lastSave?.reason, liveId]);

  const picked = runs.filter((r) => compare.includes(r.id));
  const data = compareSeries(
    picked.flatMap((r) => [
      { key: `${r.id}:adv`, epochs: r.history },
      { key: `${r.id}:clean`, epochs: r.history, pick: (e: EpochFields) => e.valCleanAcc },
    ]),
  );

  return (
    <section className="card runs" aria-label="Past runs" data-testid="runs-panel">
      <h2>Past runs</h2>
      <p className="label">
        Every run is saved in this browser at each epoch end, every{' '}
        <span data-testid="runs-checkpoint-every">{checkpointEverySec()} s</span> of training and on
        pause; a reload or a crash loses at most that much.
        {usage?.usage != null && usage.quota != null
          ? ` Storage: ${mb(usage.usage)} of ${mb(usage.quota)}.`
          : ''}
      </p>
      {lastError ? (
        <p className="train-message bad" data-testid="storage-error">
          {lastError}
        </p>
      ) : null}
      {runs.length === 0 ? (
        <p className="label">No stored runs yet.</p>
      ) : (
        <table className="runs-table">
          <thead>
            <tr>
              <th>compare</th>
              <th>run</th>
              <th>status</th>
              <th>steps</th>
              <th>val clean</th>
              <th>val adv</th>
              <th>saved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const v = lastVal(r);
              const live = r.id === liveId;
              return (
                <tr key={r.id} data-testid="run-row" className={live ? 'live' : undefined}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`compare ${r.name}`}
                      checked={compare.includes(r.id)}
                      onChange={() => toggleCompare(r.id)}
                    />
                  </td>
                  <td>
                    {r.name}
                    {live ? ' (current)' : ''}
                  </td>
                  <td>{r.status === 'running' && !live ? 'interrupted' : r.status}</td>
                  <td>
                    {r.checkpointStep ?? r.step} / {r.totalSteps}
                  </td>
                  <td>{formatPct(v.clean)}</td>
                  <td>{formatPct(v.adv)}</td>
                  <td>{new Date(r.updatedAt).toLocaleString()}</td>
                  <td className="button-row">
                    <button type="button" disabled={busy} onClick={() => void open(r.id)}>
                      Open
                    </button>
                    <button type="button" disabled={busy && live} onClick={() => void remove(r.id)}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {picked.length > 0 ? (
        <div className="chart" data-testid="runs-compare">
          <h3>Validation accuracy per epoch (solid: adversarial, dashed: clean)</h3>
          {data.length === 0 ? (
            <p className="label" data-testid="runs-compare-empty">
              No epoch of the ticked runs has finished yet: the curves start after the first.
            </p>
          ) : null}
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={data}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="x" label={{ value: 'epoch', position: 'insideBottom', dy: 8 }} />
              <YAxis domain={[0, 1]} tickFormatter={pctTick} />
              <Tooltip formatter={pctTip} labelFormatter={(e) => `epoch ${e}`} />
              <Legend />
              {picked.flatMap((r, i) => [
                <Line
                  key={`${r.id}:adv`}
                  dataKey={`${r.id}:adv`}
                  name={`${r.name} (adv)`}
                  stroke={paletteColor(i)}
                  dot
                  isAnimationActive={false}
                  connectNulls
                />,
                <Line
                  key={`${r.id}:clean`}
                  dataKey={`${r.id}:clean`}
                  name={`${r.name} (clean)`}
                  stroke={paletteColor(i)}
                  strokeDasharray="5 4"
                  dot={false}
                  isAnimationActive={false}
                  connectNulls
                />,
              ])}
            </LineChart>
          </ResponsiveContainer>
        </div>
      ) : null}
    </section>
  );
}
