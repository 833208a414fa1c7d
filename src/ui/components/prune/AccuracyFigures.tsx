/**
 * The slider's figures (stable end-to-end contract): `clean-accuracy`, `robust-accuracy`
 * (white-box attack on the masked model) and `transfer-accuracy` (adversarial inputs crafted
 * once on the dense model), each a percentage with `data-state="ready"` once it belongs to the
 * slider's current value and `data-state="computing"` until then (the last known value stays
 * visible, greyed). Beside them, parameter and MAC counts, dense against kept.
 */
import { usePrune } from '../../store/prune';
import { count, pct } from './format';

function Figure(props: {
  testId: string;
  label: string;
  value: number | null | undefined;
  ready: boolean;
  title: string;
}) {
  return (
    <div className="figure-box" title={props.title}>
      <div className="label">{props.label}</div>
      <div
        className="figure"
        data-testid={props.testId}
        data-state={props.ready ? 'ready' : 'computing'}
        aria-busy={!props.ready}
      >
        {props.value === null || props.value === undefined ? '…' : pct(props.value)}
      </div>
    </div>
  );
}

export function AccuracyFigures() {
  const point = usePrune((s) => s.point);
  const current = usePrune((s) => s.pointPct !== null && s.pointPct === s.sparsityPct);
  const g = point?.report.global;
  return (
    <div className="accuracy-figures">
      <Figure
        testId="clean-accuracy"
        label="Clean accuracy"
        value={point?.clean}
        ready={current}
        title="Accuracy on the clean evaluation images"
      />
      <Figure
        testId="robust-accuracy"
        label="Robust accuracy (white-box)"
        value={point?.whiteBox}
        ready={current && point?.whiteBox !== null && point?.whiteBox !== undefined}
        title="Accuracy under a white-box attack re-run on the pruned model"
      />
      <Figure
        testId="transfer-accuracy"
        label="Transfer robust accuracy"
        value={point?.transfer}
        ready={current}
        title="Accuracy on adversarial images crafted once on the dense model (transfer)"
      />
      {g ? (
        <table className="data counts">
          <thead>
            <tr>
              <th />
              <th>dense</th>
              <th>kept</th>
              <th>removed</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>parameters</td>
              <td>{count(g.paramsBefore)}</td>
              <td data-testid="params-kept">{count(g.paramsAfter)}</td>
              <td>{pct(1 - g.paramsAfter / Math.max(1, g.paramsBefore))}</td>
            </tr>
            <tr>
              <td>MACs / image</td>
              <td>{count(g.macsBefore)}</td>
              <td>{count(g.macsAfter)}</td>
              <td>{pct(1 - g.macsAfter / Math.max(1, g.macsBefore))}</td>
            </tr>
            <tr>
              <td>prunable weights</td>
              <td>{count(g.weights)}</td>
              <td>{count(g.weights - g.weightsRemoved)}</td>
              <td data-testid="global-sparsity">{pct(g.sparsity)}</td>
            </tr>
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
