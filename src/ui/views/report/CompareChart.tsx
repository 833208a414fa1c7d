/**
 * Compare runs: the validation adversarial (PGD) accuracy per epoch of every open single report
 * that trained, overlaid on one chart, one colour per report (named by its file).
 */
import { compareSeries } from '../../report/series';
import type { OpenReport } from '../../store/report';
import { EpochOverlayChart } from '../../components/chart-kit';

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
    <EpochOverlayChart
      title="Compare: validation adversarial (PGD) accuracy per epoch"
      testId="report-compare-chart"
      rows={rows}
      series={runs.map((r) => ({ key: r.key, label: r.name }))}
    />
  );
}
