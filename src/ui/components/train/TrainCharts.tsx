/**
 * Live training charts (recharts): per step, the batch loss, the batch's clean and adversarial
 * accuracy (the objective's own attack) and the learning rate; per epoch, the validation clean and
 * PGD accuracy beside the training accuracies. Learning-rate changes (AccelAT cuts, multistep
 * milestones) are marked with labelled reference lines at the step, and between the epochs, where
 * the new rate starts.
 */
import type { ReactElement } from 'react';
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
import type { LrChangeRecord } from '../../../workers/protocol';
import { epochSeries, type EpochFields } from '../../report/series';
import { useTrain } from '../../store/train';
import { ChartCard, COLORS, numTip, pctTick, pctTip, sci } from '../chart-kit';

/** Chart height here (the Train view's charts are a little shorter than the reports'). */
const H = 190;

/** Reference lines at each change, labelled #1, #2, … as in LrChangeList (x from `at`); a function, since recharts wants its own children. */
function lrMarks(
  changes: readonly LrChangeRecord[],
  at: (c: LrChangeRecord) => number,
  maxX: number,
  yAxisId?: string,
): (ReactElement | null)[] {
  return changes.map((c, i) =>
    at(c) > maxX ? null : (
      <ReferenceLine
        key={`${c.step}-${i}`}
        x={at(c)}
        yAxisId={yAxisId}
        stroke={COLORS.mark}
        strokeDasharray="4 3"
        ifOverflow="hidden"
        label={{
          value: `#${i + 1}`,
          position: 'insideTopLeft',
          fill: COLORS.mark,
          fontSize: 10,
        }}
      />
    ),
  );
}

function Chart({ title, children }: { title: string; children: ReactElement }) {
  return (
    <ChartCard title={title} height={H}>
      {children}
    </ChartCard>
  );
}

export function StepCharts() {
  const points = useTrain((s) => s.points);
  const lrChanges = useTrain((s) => s.lrChanges);
  const hasAdv = points.some((p) => p.adv !== null);
  const lastStep = points[points.length - 1]?.step ?? 0;
  // points sit at steps done (from 1); a change first used by step index c.step (from 0) lies
  // between the points c.step and c.step + 1
  const atStep = (c: LrChangeRecord) => c.step + 0.5;
  const x = (
    <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
  );
  return (
    <div className="grid train-charts" data-testid="step-charts" data-points={points.length}>
      <Chart title="Training loss per step (nats)">
        <LineChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          {x}
          <YAxis width={48} tickFormatter={sci} />
          <Tooltip formatter={numTip} labelFormatter={(s) => `step ${s}`} />
          <Line
            dataKey="loss"
            name="loss"
            stroke={COLORS.loss}
            dot={false}
            isAnimationActive={false}
          />
          {lrMarks(lrChanges, atStep, lastStep)}
        </LineChart>
      </Chart>
      <Chart title="Batch accuracy per step: clean and adversarial">
        <LineChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          {x}
          <YAxis width={48} domain={[0, 1]} tickFormatter={pctTick} />
          <Tooltip formatter={pctTip} labelFormatter={(s) => `step ${s}`} />
          <Legend />
          <Line
            dataKey="clean"
            name="clean"
            stroke={COLORS.clean}
            dot={false}
            isAnimationActive={false}
          />
          {hasAdv ? (
            <Line
              dataKey="adv"
              name="adversarial"
              stroke={COLORS.adv}
              dot={false}
              isAnimationActive={false}
            />
          ) : null}
          {lrMarks(lrChanges, atStep, lastStep)}
        </LineChart>
      </Chart>
      <Chart title="Learning rate per step">
        <LineChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          {x}
          <YAxis width={56} tickFormatter={sci} />
          <Tooltip formatter={numTip} labelFormatter={(s) => `step ${s}`} />
          <Line
            dataKey="lr"
            name="learning rate"
            type="stepAfter"
            stroke={COLORS.lr}
            dot={false}
            isAnimationActive={false}
          />
          {lrMarks(lrChanges, atStep, lastStep)}
        </LineChart>
      </Chart>
    </div>
  );
}

export function EpochCharts() {
  const history = useTrain((s) => s.history);
  const lrChanges = useTrain((s) => s.lrChanges);
  if (history.length === 0) {
    return (
      <p className="card label" data-testid="epoch-charts">
        Per-epoch validation accuracy (clean and PGD), loss and learning rate appear here after the
        first epoch.
      </p>
    );
  }
  return <EpochChartsView history={history} lrChanges={lrChanges} testId="epoch-charts" />;
}

/**
 * The per-epoch charts of a run (at least one epoch): validation and training accuracy, loss and
 * learning rate, learning-rate changes marked. Shared by the Train view and the Reports tab.
 */
export function EpochChartsView({
  history,
  lrChanges,
  testId,
}: {
  history: readonly EpochFields[];
  lrChanges: readonly LrChangeRecord[];
  testId: string;
}) {
  const data = epochSeries(history);
  const hasTrainAdv = data.some((d) => d.trainAdv !== null);
  // a change first used in epoch e (from 0) sits between the ends of epochs e and e + 1 (from 1)
  const between = (c: LrChangeRecord) => c.epoch + 0.5;
  return (
    <div className="grid train-charts" data-testid={testId}>
      <Chart title="Accuracy per epoch: validation (clean, PGD) and training">
        <LineChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} />
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
          {lrMarks(lrChanges, between, data[data.length - 1].epoch)}
        </LineChart>
      </Chart>
      <Chart title="Loss and learning rate per epoch">
        <LineChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} />
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
          {lrMarks(lrChanges, between, data[data.length - 1].epoch, 'loss')}
        </LineChart>
      </Chart>
    </div>
  );
}

/** The learning-rate changes of the run, numbered as on the charts, with the engine's reason. */
export function LrChangeList() {
  const lrChanges = useTrain((s) => s.lrChanges);
  if (lrChanges.length === 0) return null;
  return (
    <section className="card" aria-label="Learning-rate changes">
      <h2>Learning-rate changes</h2>
      <LrChangeItems lrChanges={lrChanges} testId="lr-changes" />
    </section>
  );
}

/** The numbered list of learning-rate changes (as marked on EpochChartsView). */
export function LrChangeItems({
  lrChanges,
  testId,
}: {
  lrChanges: readonly LrChangeRecord[];
  testId?: string;
}) {
  return (
    <ol className="lr-changes" data-testid={testId} aria-label="Learning-rate changes">
      {lrChanges.map((c, i) => (
        <li key={`${c.step}-${i}`}>
          <strong>#{i + 1}</strong> from epoch {c.epoch + 1} (step {c.step + 1}): lr {sci(c.from)} →{' '}
          {sci(c.to)}
          {c.reason === 'seen live' ? null : <span className="label"> · {c.reason}</span>}
        </li>
      ))}
    </ol>
  );
}
