/**
 * Charts of a sweep report: mean ± std over seeds of a chosen summary metric against a numeric
 * axis (an axis of the grid, or the sparsity in the variants' `<method>@<sparsity>` labels), one
 * line per value of the other axes and variant, with error bars; and the mean validation
 * adversarial accuracy per epoch of each group of runs that differ only in their seed.
 */
import { useState } from 'react';
import { CartesianGrid, Legend, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { isAccuracyMetric } from '../../../workers/protocol';
import type { SweepView } from '../../report/sweep-schema';
import {
  meanTrainingCurves,
  metricSeries,
  numericAxes,
  summaryMetrics,
  VARIANT_SPARSITY,
} from '../../report/sweep-series';
import {
  ChartCard,
  EpochOverlayChart,
  numTip,
  overlayLines,
  pctTick,
  pctTip,
  sci,
} from '../../components/chart-kit';

const axisName = (x: string) => (x === VARIANT_SPARSITY ? 'sparsity (variant)' : x);

function MetricChart({ sweep }: { sweep: SweepView }) {
  const metrics = summaryMetrics(sweep);
  const axes = numericAxes(sweep);
  const [metric, setMetric] = useState(metrics[0] ?? '');
  const [x, setX] = useState(axes[0] ?? '');
  if (metrics.length === 0 || axes.length === 0) {
    return (
      <p className="label">
        No numeric axis with several values besides the seed: the summary table holds the figures.
      </p>
    );
  }
  const m = metrics.includes(metric) ? metric : metrics[0];
  const xa = axes.includes(x) ? x : axes[0];
  const { series, rows } = metricSeries(sweep, m, xa);
  const frac = isAccuracyMetric(m);
  return (
    <div className="card" data-testid="report-sweep-metric">
      <div className="field-row">
        <label className="field">
          metric
          <select value={m} onChange={(e) => setMetric(e.target.value)} aria-label="Metric">
            {metrics.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <label className="field">
          against
          <select value={xa} onChange={(e) => setX(e.target.value)} aria-label="Axis">
            {axes.map((n) => (
              <option key={n} value={n}>
                {axisName(n)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ChartCard
        className="report-chart"
        title={`${m}: mean ± std over seeds against ${axisName(xa)}`}
        height={300}
      >
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tickFormatter={sci} />
          <YAxis
            width={56}
            domain={frac ? [0, 1] : ['auto', 'auto']}
            tickFormatter={frac ? pctTick : sci}
          />
          <Tooltip
            formatter={frac ? pctTip : numTip}
            labelFormatter={(l) => `${axisName(xa)} ${l}`}
          />
          <Legend />
          {overlayLines(series, true)}
        </LineChart>
      </ChartCard>
    </div>
  );
}

function MeanCurves({ sweep }: { sweep: SweepView }) {
  const { series, rows } = meanTrainingCurves(sweep);
  if (series.length === 0) return null;
  return (
    <EpochOverlayChart
      title="Validation adversarial (PGD) accuracy per epoch: mean ± std over seeds"
      testId="report-sweep-curves"
      rows={rows}
      series={series}
      stdBars
    />
  );
}

export function SweepCharts({ sweep }: { sweep: SweepView }) {
  return (
    <section aria-label="Sweep charts">
      <h3>Charts</h3>
      <MetricChart sweep={sweep} />
      <MeanCurves sweep={sweep} />
    </section>
  );
}
