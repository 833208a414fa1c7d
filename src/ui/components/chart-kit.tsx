/**
 * Shared pieces of the app's charts (recharts): a titled card figure, the line colours, percent
 * and short-number tick formatters, and a palette for overlaid series (compared runs, sweep
 * groups, pruning criteria). Used by the Train view, the past runs and the Reports tab.
 */
import type { ReactElement } from 'react';
import { formatPct } from '../lib/format';
import {
  CartesianGrid,
  ErrorBar,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export const COLORS = {
  loss: '#3b5bdb',
  clean: '#2b8a3e',
  adv: '#c92a2a',
  lr: '#e67700',
  mark: '#862e9c',
};

/** Distinguishable line colours for overlaid series, cycled. */
export const PALETTE = [
  '#3b5bdb',
  '#c92a2a',
  '#2b8a3e',
  '#e67700',
  '#862e9c',
  '#0c8599',
  '#c2255c',
  '#5c940d',
  '#868e96',
  '#1d2433',
];

export const paletteColor = (i: number) => PALETTE[i % PALETTE.length];

export const H = 220;

/** Axis tick: a fraction as a whole percentage. */
export const pctTick = (v: number) => `${Math.round(v * 100)}%`;
/** Tooltip value: a fraction as a percentage with one decimal ('–' when absent). */
export const pctTip = formatPct;
/** Axis tick / tooltip value: at most 3 significant digits. */
export const sci = (v: number) =>
  v === 0 ? '0' : Math.abs(v) < 0.01 ? v.toExponential(1) : String(+v.toPrecision(3));
export const numTip = (v: unknown) => (typeof v === 'number' ? sci(v) : '–');

/** A titled chart card; `testId` marks it for tests; `className` adds classes (e.g. report-chart). */
export function ChartCard({
  title,
  testId,
  height = H,
  className,
  children,
}: {
  title: string;
  testId?: string;
  height?: number;
  className?: string;
  children: ReactElement;
}) {
  return (
    <figure
      className={className ? `card train-chart ${className}` : 'card train-chart'}
      aria-label={title}
      data-testid={testId}
    >
      <figcaption className="label">{title}</figcaption>
      <ResponsiveContainer width="100%" height={height}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

/**
 * One coloured line per overlaid series (palette order), nulls bridged; with `stdBars`, an error
 * bar from each row's `<key>:std`. A function, since recharts wants its own children.
 */
export function overlayLines(
  series: readonly { key: string; label: string }[],
  stdBars = false,
): ReactElement[] {
  return series.map((s, i) => (
    <Line
      key={s.key}
      dataKey={s.key}
      name={s.label}
      stroke={paletteColor(i)}
      connectNulls
      isAnimationActive={false}
    >
      {stdBars ? <ErrorBar dataKey={`${s.key}:std`} width={4} stroke={paletteColor(i)} /> : null}
    </Line>
  ));
}

/**
 * Accuracies per epoch (x = epoch from 1, y in [0, 1]), one overlaid line per series, as a report
 * card: the Reports tab's run comparison and its sweep's mean curves (with std bars).
 */
export function EpochOverlayChart({
  title,
  testId,
  rows,
  series,
  stdBars = false,
}: {
  title: string;
  testId: string;
  rows: object[];
  series: readonly { key: string; label: string }[];
  stdBars?: boolean;
}) {
  return (
    <ChartCard className="report-chart" title={title} testId={testId} height={280}>
      <LineChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="x" type="number" domain={[1, 'dataMax']} allowDecimals={false} />
        <YAxis width={48} domain={[0, 1]} tickFormatter={pctTick} />
        <Tooltip formatter={pctTip} labelFormatter={(e) => `epoch ${e}`} />
        <Legend />
        {overlayLines(series, stdBars)}
      </LineChart>
    </ChartCard>
  );
}
