/**
 * The slider's figures (stable end-to-end contract): `clean-accuracy`, `robust-accuracy`
 * (white-box attack on the masked model) and `transfer-accuracy` (adversarial inputs crafted
 * once on the dense model), each a percentage with `data-state="ready"` once it belongs to the
 * slider's current value and `data-state="computing"` until then (the last known value stays
 * visible, greyed). The white-box figure is ready only once its full attack is in; until then
 * it shows the running estimate ("≈ 61.0%", its 95% interval beside it), and `robust-basis`
 * says what the figure stands on: attack, steps, images. Beside them, parameter and MAC counts,
 * dense against kept.
 */
import type { ReactNode } from 'react';
import type { SliderInfo, SliderPoint } from '../../../workers/protocol';
import { usePrune } from '../../store/prune';
import { count, formatPct } from '../../lib/format';

function Figure(props: {
  testId: string;
  label: string;
  value: number | null | undefined;
  ready: boolean;
  title: string;
  /** shown instead of the value (e.g. an estimate) */
  display?: ReactNode;
  /** a line under the figure */
  note?: ReactNode;
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
        {props.display ??
          (props.value === null || props.value === undefined ? '…' : formatPct(props.value))}
      </div>
      {props.note}
    </div>
  );
}

/** gradient steps per image of a resolved attack: steps × restarts (1 for one-step attacks) */
function stepsOf(options: Record<string, unknown>): number {
  const steps = typeof options.steps === 'number' ? options.steps : 1;
  const restarts = typeof options.restarts === 'number' ? options.restarts : 1;
  return steps * restarts;
}

/** What the white-box figure stands on, in words: the final figure's or the estimate's. */
export function whiteBoxBasis(point: SliderPoint, slider: SliderInfo | null): string | null {
  const e = point.estimate;
  if (point.whiteBox === null && e) {
    const attack = `${e.attack}, ${e.steps} step${e.steps === 1 ? '' : 's'}`;
    const sample = e.sampled > 0 ? `a random ${e.sampled}` : 'none';
    const exact = e.done > 0 ? `, ${e.done} attacked in full` : '';
    return `estimate (${attack}): ${formatPct(e.lo)}–${formatPct(e.hi)} at 95%, from ${sample} of ${e.targets} clean-correct images${exact}; refining`;
  }
  const a = slider?.whiteBoxAttack;
  if (point.whiteBox === null || !a || !slider) return null;
  const steps = stepsOf(a.options);
  const targets = Math.round(point.clean * slider.n);
  return `${a.name}, ${steps} step${steps === 1 ? '' : 's'}, on all ${targets} clean-correct of ${slider.n} images`;
}

export function AccuracyFigures() {
  const point = usePrune((s) => s.point);
  const slider = usePrune((s) => s.slider);
  const current = usePrune((s) => s.pointSparsity !== null && s.pointSparsity === s.sparsity);
  const g = point?.report.global;
  const estimate = point?.whiteBox === null ? point.estimate : undefined;
  const basis = point ? whiteBoxBasis(point, slider) : null;
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
        title="Accuracy under a white-box attack re-run on the pruned model; while the attack runs, an estimate with its 95% interval"
        display={estimate ? `≈ ${formatPct(estimate.value)}` : undefined}
        note={
          basis ? (
            <div className="label" data-testid="robust-basis">
              {basis}
            </div>
          ) : null
        }
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
              <td>{formatPct(1 - g.paramsAfter / Math.max(1, g.paramsBefore))}</td>
            </tr>
            <tr>
              <td>MACs / image</td>
              <td>{count(g.macsBefore)}</td>
              <td>{count(g.macsAfter)}</td>
              <td>{formatPct(1 - g.macsAfter / Math.max(1, g.macsBefore))}</td>
            </tr>
            <tr>
              <td>prunable weights</td>
              <td>{count(g.weights)}</td>
              <td>{count(g.weights - g.weightsRemoved)}</td>
              <td data-testid="global-sparsity">{formatPct(g.sparsity)}</td>
            </tr>
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
