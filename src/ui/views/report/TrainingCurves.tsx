/**
 * A report's training curves, drawn exactly as on the Train view (components/train/TrainCharts.tsx
 * `EpochChartsView`): per epoch (from 1) the training loss and learning rate, the training clean
 * and adversarial accuracy and the validation clean and PGD accuracy, each learning-rate change
 * marked, and the list of changes with the engine's reason.
 */
import { EpochChartsView, LrChangeItems } from '../../components/train/TrainCharts';
import type { ReportView } from '../../report/schema';

type Training = NonNullable<ReportView['training']>;

export function TrainingCurves({ training }: { training: Training }) {
  if (training.epochs.length === 0)
    return <p className="label">The run recorded no finished epoch.</p>;
  return (
    <>
      <EpochChartsView
        history={training.epochs}
        lrChanges={training.lrChanges}
        testId="report-training-charts"
      />
      {training.lrChanges.length > 0 ? <LrChangeItems lrChanges={training.lrChanges} /> : null}
    </>
  );
}
