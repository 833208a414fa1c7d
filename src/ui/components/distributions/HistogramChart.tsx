/**
 * One histogram as a recharts BarChart. With `after` (same edges as `before`), each bin is split
 * into the weights the mask keeps and the weights it removes (stacked: kept + removed = before),
 * so the pruned weights are shown apart from the survivors. A score histogram on log-spaced bins
 * (`scale: 'log'`) draws its bins equally wide, i.e. a log10 axis, each labelled by its geometric
 * centre (the tooltip gives its edges).
 */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Histogram, ScoreHistogram } from '../../../workers/protocol';
import { count, short } from '../../lib/format';

interface Props {
  /** all values (e.g. every kernel weight, or every score) */
  before: Histogram | ScoreHistogram;
  /** the values the mask keeps, on the same edges; omit for a plain histogram */
  after?: Histogram;
  height?: number;
  color?: string;
  label: string;
  /** draw bar heights as log10(1 + count), so rare bins stay visible */
  logCounts?: boolean;
}

const lg = (c: number) => Math.log10(1 + c);

/** Tick label of log10 height k: 0, 10, 100, 1k, … (the count is 10^k − 1, close enough). */
function powerOfTen(k: number): string {
  if (k <= 0) return '0';
  const units = ['', 'k', 'M', 'G'];
  const u = Math.min(3, Math.floor(k / 3));
  return `${10 ** (k - 3 * u)}${units[u]}`;
}

function sameEdges(a: Histogram, b: Histogram): boolean {
  return a.edges.length === b.edges.length && a.edges.every((e, i) => e === b.edges[i]);
}

export function HistogramChart({
  before,
  after,
  height = 180,
  color = '#3b5bdb',
  label,
  logCounts = false,
}: Props) {
  const split = after !== undefined && sameEdges(before, after);
  const log = 'scale' in before && before.scale === 'log';
  const data = before.counts.map((c, i) => {
    const lo = before.edges[i];
    const hi = before.edges[i + 1];
    const kept = split ? after.counts[i] : c;
    const removed = split ? Math.max(0, c - kept) : 0;
    return {
      bin: short(log ? Math.sqrt(lo * hi) : (lo + hi) / 2),
      range: `[${short(lo)}, ${short(hi)})`,
      counts: { kept, removed },
      // log scale: the stack's total is log10(1 + all); kept keeps its own log height
      kept: logCounts ? lg(kept) : kept,
      removed: logCounts ? lg(kept + removed) - lg(kept) : removed,
    };
  });
  // log scale: one tick per power of ten, labelled with the count it stands for
  const top = Math.max(1, Math.ceil(Math.max(...data.map((d) => d.kept + d.removed))));
  const logTicks = Array.from({ length: top + 1 }, (_, k) => k);
  return (
    <div
      className="chart"
      role="img"
      aria-label={log ? `${label} (log10 axis)` : label}
      data-scale={log ? 'log' : 'linear'}
    >
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={data} barCategoryGap={0} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="bin"
            tick={{ fontSize: 11 }}
            interval="preserveStartEnd"
            minTickGap={24}
          />
          <YAxis
            tick={{ fontSize: 11 }}
            width={44}
            allowDecimals={false}
            domain={logCounts ? [0, top] : [0, 'auto']}
            ticks={logCounts ? logTicks : undefined}
            tickFormatter={(v: number) => (logCounts ? powerOfTen(v) : count(v))}
          />
          <Tooltip
            labelFormatter={(_l, items) =>
              (items?.[0]?.payload as { range?: string } | undefined)?.range ?? ''
            }
            formatter={(_v, name, item) => {
              const c = (item.payload as { counts: { kept: number; removed: number } }).counts;
              return [name === 'removed' ? c.removed : c.kept, name];
            }}
          />
          <Bar
            dataKey="kept"
            name={split ? 'kept' : 'count'}
            stackId="w"
            fill={color}
            isAnimationActive={false}
          />
          {split ? (
            <Bar
              dataKey="removed"
              name="removed"
              stackId="w"
              fill="#fa5252"
              isAnimationActive={false}
            />
          ) : null}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
