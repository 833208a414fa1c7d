/**
 * The pruning stages of a report: one row per criterion × sparsity after adversarial fine-tuning
 * (target and achieved global sparsity as the fraction removed, effective params and MACs, the
 * fine-tuning run and its last validation figures, test clean, per-attack and worst-case
 * accuracy), under the dense base model's row; and, when the run pruned to several sparsities,
 * worst-case robust (solid) and clean (dashed) accuracy against sparsity per criterion.
 */
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { attackLabel } from '../../lib/attacks';
import { count } from '../../lib/format';
import { criterionLabel } from '../../../workers/protocol';
import { formatPct } from '../../lib/format';
import type { EvaluationView, PruneVariantView } from '../../report/schema';
import { lastValidation, pruneCurves, sparsities } from '../../report/series';
import { ChartCard, paletteColor, pctTick, pctTip } from '../../components/chart-kit';

const maybePct = (v: number | null) => (v === null ? '—' : formatPct(v));

function attackCells(names: string[], e: EvaluationView) {
  return names.map((n) => {
    const a = e.attacks.find((x) => x.name === n);
    return <td key={n}>{a ? formatPct(a.robustAccuracy) : '—'}</td>;
  });
}

export function PruneTable({
  pruning,
  base,
  params,
  macs,
}: {
  pruning: PruneVariantView[];
  base: EvaluationView;
  params: number;
  macs: number;
}) {
  const names = [
    ...new Set(
      [base, ...pruning.map((v) => v.evaluation)].flatMap((e) => e.attacks.map((a) => a.name)),
    ),
  ];
  return (
    <div className="table-scroll">
      <table className="data report-prune-table" data-testid="report-prune-table">
        <thead>
          <tr>
            <th>method</th>
            <th>schedule</th>
            <th title="target: fraction of weights removed">sparsity</th>
            <th title="achieved over all prunable kernels">achieved</th>
            <th>params</th>
            <th>MACs</th>
            <th title="fine-tuning: status, epochs and seconds">fine-tune</th>
            <th title="validation accuracy after the last fine-tuning epoch">val clean / PGD</th>
            <th>clean</th>
            {names.map((n) => (
              <th key={n}>{attackLabel(n)}</th>
            ))}
            <th>worst case</th>
          </tr>
        </thead>
        <tbody>
          <tr className="base-row" data-row="base">
            <td>base (dense)</td>
            <td />
            <td>0.0%</td>
            <td />
            <td>{count(params)}</td>
            <td>{count(macs)}</td>
            <td />
            <td />
            <td>{formatPct(base.cleanAccuracy)}</td>
            {attackCells(names, base)}
            <td>{formatPct(base.worstCaseAccuracy)}</td>
          </tr>
          {pruning.map((v, i) => {
            const g = v.sparsityReport.global;
            const val = lastValidation(v.fineTune.epochs);
            return (
              <tr key={`${v.method}-${v.sparsity}-${i}`} data-row={`${v.method}@${v.sparsity}`}>
                <td title={v.criterion}>{criterionLabel(v.method)}</td>
                <td>{v.schedule}</td>
                <td>{formatPct(v.sparsity)}</td>
                <td>{formatPct(g.sparsity)}</td>
                <td>{count(g.paramsAfter)}</td>
                <td>{count(g.macsAfter)}</td>
                <td title={v.fineTune.message}>
                  {v.fineTune.status}, {v.fineTune.epochs.length} ep,{' '}
                  {v.fineTune.seconds.toFixed(0)} s
                </td>
                <td>
                  {maybePct(val.clean)} / {maybePct(val.adv)}
                </td>
                <td>{formatPct(v.evaluation.cleanAccuracy)}</td>
                {attackCells(names, v.evaluation)}
                <td>{formatPct(v.evaluation.worstCaseAccuracy)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Robust (worst case) and clean accuracy against sparsity, one colour per criterion. */
export function PruneChart({
  pruning,
  base,
}: {
  pruning: PruneVariantView[];
  base: EvaluationView;
}) {
  if (sparsities(pruning).length < 2) return null;
  const { methods, rows } = pruneCurves(pruning, {
    clean: base.cleanAccuracy,
    robust: base.worstCaseAccuracy,
  });
  return (
    <ChartCard
      className="report-chart"
      title="Accuracy against sparsity: worst-case robust (solid), clean (dashed)"
      testId="report-prune-chart"
      height={280}
    >
      <LineChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="x" type="number" domain={[0, 100]} tickFormatter={(v: number) => `${v}%`} />
        <YAxis width={48} domain={[0, 1]} tickFormatter={pctTick} />
        <Tooltip formatter={pctTip} labelFormatter={(l) => `sparsity ${l}%`} />
        <Legend />
        {methods.flatMap((m, i) => [
          <Line
            key={`${m} robust`}
            dataKey={`${m} robust`}
            name={`${criterionLabel(m)} robust`}
            stroke={paletteColor(i)}
            connectNulls
            isAnimationActive={false}
          />,
          <Line
            key={`${m} clean`}
            dataKey={`${m} clean`}
            name={`${criterionLabel(m)} clean`}
            stroke={paletteColor(i)}
            strokeDasharray="5 4"
            connectNulls
            legendType="none"
            isAnimationActive={false}
          />,
        ])}
      </LineChart>
    </ChartCard>
  );
}
