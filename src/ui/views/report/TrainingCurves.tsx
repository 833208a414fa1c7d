/**
 * A report's training curves, as on the Train view: per epoch (from 1) the training loss and
 * learning rate, the training clean and adversarial accuracy and the validation clean and PGD
 * accuracy, with each learning-rate change marked between the epochs where the new rate starts,
 * and the list of changes with the engine's reason.
 */
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ReportView } from '../../report/schema';
import { epochSeries } from '../../report/series';
import { ChartCard, COLORS, numTip, pctTick, pctTip, sci } from './charts';

type Training = NonNullable<ReportView['training']>;

/** Reference lines at each change (a change first used in epoch e sits at e + 0.5, from 1). */
function marks(changes: Training['lrChanges'], maxX: number, yAxisId?: string) {
  return changes.map((c, i) =>
    c.epoch + 0.5 > maxX ? null : (
      <ReferenceLine
        key={`${c.step}-${i}`}
        x={c.epoch + 0.5}
        yAxisId={yAxisId}
        stroke={COLORS.mark}
        strokeDasharray="4 3"
        ifOverflow="hidden"
        label={{ value: `#${i + 1}`, position: 'insideTopLeft', fill: COLORS.mark, fontSize: 10 }}
      />
    ),
  );
}

export function TrainingCurves({ training }: { training: Training }) {
  const data = epochSeries(training.epochs);
  if (data.length === 0) return <p className="label">The run recorded no finished epoch.</p>;
  const last = data[data.length - 1].epoch;
  const hasTrainAdv = data.some((d) => d.trainAdv !== null);
  const x = <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} />;
  return (
    <>
      <div className="grid train-charts" data-testid="report-training-charts">
        <ChartCard title="Accuracy per epoch: validation (clean, PGD) and training">
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            {x}
            <YAxis width={48} domain={[0, 1]} tickFormatter={pctTick} />
            <Tooltip formatter={pctTip} labelFormatter={(e) => `epoch ${e}`} />
            <Legend />
            <Line
              dataKey="valClean"
              name="val clean"
              stroke={COLORS.clean}
              isAnimationActive={false}
            />
            <Line dataKey="valAdv" name="val PGD" stroke={COLORS.adv} isAnimationActive={false} />
            <Line
              dataKey="trainClean"
              name="train clean"
              stroke={COLORS.clean}
              strokeDasharray="5 4"
              isAnimationActive={false}
            />
            {hasTrainAdv ? (
              <Line
                dataKey="trainAdv"
                name="train adversarial"
                stroke={COLORS.adv}
                strokeDasharray="5 4"
                isAnimationActive={false}
              />
            ) : null}
            {marks(training.lrChanges, last)}
          </LineChart>
        </ChartCard>
        <ChartCard title="Training loss and learning rate per epoch">
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            {x}
            <YAxis yAxisId="loss" width={48} tickFormatter={sci} />
            <YAxis yAxisId="lr" orientation="right" width={56} tickFormatter={sci} />
            <Tooltip formatter={numTip} labelFormatter={(e) => `epoch ${e}`} />
            <Legend />
            <Line
              yAxisId="loss"
              dataKey="loss"
              name="train loss"
              stroke={COLORS.loss}
              isAnimationActive={false}
            />
            <Line
              yAxisId="lr"
              dataKey="lr"
              name="learning rate"
              type="stepAfter"
              stroke={COLORS.lr}
              isAnimationActive={false}
            />
            {marks(training.lrChanges, last, 'loss')}
          </LineChart>
        </ChartCard>
      </div>
      {training.lrChanges.length > 0 ? (
        <ol className="lr-changes" aria-label="Learning-rate changes">
          {training.lrChanges.map((c, i) => (
            <li key={`${c.step}-${i}`}>
              <strong>#{i + 1}</strong> from epoch {c.epoch + 1} (step {c.step + 1}): lr{' '}
              {sci(c.from)} → {sci(c.to)}
              <span className="label"> · {c.reason}</span>
            </li>
          ))}
        </ol>
      ) : null}
    </>
  );
}
