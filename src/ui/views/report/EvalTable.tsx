/**
 * The evaluation table of a report: clean accuracy, each attack's robust accuracy (with its
 * settings, the cumulative worst case up to that attack, the images it ran on and its time) and
 * the worst case per sample over all attacks. Accuracies in percent of the n test images.
 */
import { attackLabel } from '../../lib/attacks';
import { formatPct } from '../../lib/format';
import type { EvaluationView } from '../../report/schema';

/** `eps 0.1, steps 10` from an attack's options (scalar values only, as text). */
export function optionsText(options: Record<string, unknown>): string {
  return Object.entries(options)
    .filter(([, v]) => ['number', 'string', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}

export function EvalTable({ evaluation: e }: { evaluation: EvaluationView }) {
  return (
    <div className="table-scroll">
      <table className="data report-eval-table" data-testid="report-eval-table">
        <caption className="label">
          {e.n} test images · {e.wallSeconds.toFixed(1)} s
        </caption>
        <thead>
          <tr>
            <th>attack</th>
            <th>settings</th>
            <th>accuracy</th>
            <th title="worst case per sample over this attack and those above">cumulative</th>
            <th title="images the attack ran on (those still robust, or all when standalone)">
              evaluated
            </th>
            <th>s</th>
          </tr>
        </thead>
        <tbody>
          <tr data-row="clean">
            <td>clean</td>
            <td />
            <td>{formatPct(e.cleanAccuracy)}</td>
            <td />
            <td>{e.n}</td>
            <td />
          </tr>
          {e.attacks.map((a, i) => (
            <tr key={`${a.name}-${i}`} data-row={a.name}>
              <td>{attackLabel(a.name)}</td>
              <td className="settings">{optionsText(a.options)}</td>
              <td>{formatPct(a.robustAccuracy)}</td>
              <td>{formatPct(a.cumulativeAccuracy)}</td>
              <td>{a.evaluated}</td>
              <td>{a.seconds.toFixed(1)}</td>
            </tr>
          ))}
          <tr data-row="worst-case" className="base-row">
            <td>worst case per sample</td>
            <td />
            <td>{formatPct(e.worstCaseAccuracy)}</td>
            <td />
            <td />
            <td />
          </tr>
        </tbody>
      </table>
    </div>
  );
}
