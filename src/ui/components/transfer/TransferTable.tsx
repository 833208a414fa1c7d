/**
 * The base-to-pruned table of a transfer benchmark report: the dense base first (one row per
 * attack; its transfer figure is its own white-box one), then one row per (variant, attack).
 * Accuracies in percent of the report's n test images; params and MACs are effective counts after
 * pruning; ms is the median time of one forward of the timing batch.
 */
import type { TransferReport } from '../../../workers/protocol';
import { attackLabel } from '../../lib/attacks';
import { criterionLabel } from '../../../workers/protocol';
import { formatPct } from '../../lib/format';

const int = (v: number) => Math.round(v).toLocaleString('en-US');

export function TransferTable({ report }: { report: TransferReport }) {
  const b = report.base;
  return (
    <div className="table-scroll">
      <table className="data transfer-table" data-testid="transfer-table">
        <caption className="label">
          {report.n} test images · inference: median of {report.timing.repeats} forwards of{' '}
          {report.timing.batch} images · {report.seconds.toFixed(1)} s in all
        </caption>
        <thead>
          <tr>
            <th>method</th>
            <th>sparsity</th>
            <th>attack</th>
            <th>clean</th>
            <th title="correct on the base's adversarial images, over all n">transfer acc.</th>
            <th title="clean-correct and correct on the base's adversarial images">
              transfer robust
            </th>
            <th title="the same attack crafted on this model itself">white-box robust</th>
            <th>params</th>
            <th>MACs</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {b.perAttack.map((a) => (
            <tr key={`base-${a.attack}`} className="base-row">
              <td>base (dense)</td>
              <td>0.0%</td>
              <td>{attackLabel(a.attack)}</td>
              <td>{formatPct(b.clean)}</td>
              <td>—</td>
              <td>{formatPct(a.whiteBox)}</td>
              <td>{formatPct(a.whiteBox)}</td>
              <td>{int(b.params)}</td>
              <td>{int(b.macs)}</td>
              <td>{b.inferenceMs.toFixed(2)}</td>
            </tr>
          ))}
          {report.cells.map((c) => (
            <tr key={`${c.method}-${c.sparsity}-${c.attack}`}>
              <td>{criterionLabel(c.method)}</td>
              <td>{formatPct(c.sparsity)}</td>
              <td>{attackLabel(c.attack)}</td>
              <td>{formatPct(c.clean)}</td>
              <td>{formatPct(c.transferAccuracy)}</td>
              <td>{formatPct(c.transferRobust)}</td>
              <td>{formatPct(c.whiteBoxRobust)}</td>
              <td>{int(c.params)}</td>
              <td>{int(c.macs)}</td>
              <td>{c.inferenceMs.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
