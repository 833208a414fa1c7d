/**
 * Compare runs: the validation adversarial (PGD) accuracy per epoch of every open single report
 * that trained, overlaid on one chart, one colour per report (named by its file).
 */
import { CartesianGrid, Legend, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { compareSeries } from '../../report/series';
import type { OpenReport } from '../../store/report';
import { ChartCard, overlayLines, pctTick, pctTip } from '../../components/chart-kit';

export function CompareChart({ reports }: { reports: OpenReport[] }) {
  const runs = reports.flatMap((r) =>
    r.kind === 'single' && r.report.training && r.report.training.epochs.length > 0
      ? [
          {
            key: `r${r.id}`,
            name: `${r.source} (${r.report.name})`,
            epochs: r.report.training.epochs,
          },
        ]
      : [],
  );
  if (runs.length < 2) return null;
  const rows = compareSeries(runs);
  return (
    <ChartCard
      className="report-chart"
      title="Compare: validation adversarial (PGD) accuracy per epoch"
      testId="report-compare-chart"
      height={280}
    >
      <LineChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="x" type="number" domain={[1, 'dataMax']} allowDecimals={false} />
        <YAxis width={48} domain={[0, 1]} tickFormatter={pctTick} />
        <Tooltip formatter={pctTip} labelFormatter={(e) => `epoch ${e}`} />
        <Legend />
        {overlayLines(runs.map((r) => ({ key: r.key, label: r.name })))}
      </LineChart>
    </ChartCard>
  );
}
