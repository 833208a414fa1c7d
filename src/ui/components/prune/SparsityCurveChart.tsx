/**
 * Accuracy against sparsity for the chosen criterion and the magnitude and random baselines
 * (engine.sparsityCurve: clean as solid lines, transfer-adversarial as dashed lines), with the
 * slider's position marked by a vertical reference line.
 */
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Criterion, SparsityCurve } from '../../../workers/protocol';
import { usePrune } from '../../store/prune';
import { formatPct } from '../../lib/format';

const COLORS: Record<Criterion, string> = {
  'anomaly-activation': '#3b5bdb',
  'anomaly-gradient': '#7048e8',
  'anp-vs': '#0c8599',
  magnitude: '#e8590c',
  random: '#868e96',
  snip: '#2b8a3e',
  learned: '#c2255c',
  'anomaly-learned': '#1864ab',
};

type Row = Record<string, number>;

/** One row per sparsity percent, with `<criterion> clean` and `<criterion> transfer` columns. */
function rows(curves: SparsityCurve[]): Row[] {
  const byPct = new Map<number, Row>();
  for (const c of curves) {
    for (const p of c.points) {
      const x = Math.round(p.sparsity * 1000) / 10;
      const row = byPct.get(x) ?? { x };
      row[`${c.criterion} clean`] = p.clean;
      row[`${c.criterion} transfer`] = p.transfer;
      byPct.set(x, row);
    }
  }
  return [...byPct.values()].sort((a, b) => a.x - b.x);
}

export function SparsityCurveChart() {
  const curves = usePrune((s) => s.curves);
  const busy = usePrune((s) => s.curvesBusy);
  const sparsityPct = usePrune((s) => Math.round(s.sparsity * 100));
  const point = usePrune((s) => (s.pointSparsity === s.sparsity ? s.point : null));
  const path = usePrune((s) => s.slider?.path ?? null);
  if (!curves) {
    return (
      <p className="muted">
        {busy ? 'Computing accuracy curves…' : 'Accuracy curves appear once the slider is ready.'}
      </p>
    );
  }
  return (
    <>
      <div className="chart" role="img" aria-label="Accuracy against sparsity">
        <ResponsiveContainer width="100%" height={300}>
          <LineChart data={rows(curves)} margin={{ top: 20, right: 16, bottom: 16, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="x"
              type="number"
              domain={[0, 100]}
              ticks={[0, 20, 40, 60, 80, 90, 100]}
              tickFormatter={(v: number) => `${v}%`}
              label={{ value: 'sparsity (removed)', position: 'insideBottom', offset: -8 }}
            />
            <YAxis domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
            <Tooltip
              formatter={(v) => formatPct(Number(v))}
              labelFormatter={(l) => `sparsity ${l}%`}
            />
            {curves.flatMap((c) => [
              <Line
                key={`${c.criterion} clean`}
                dataKey={`${c.criterion} clean`}
                stroke={COLORS[c.criterion]}
                dot={false}
                isAnimationActive={false}
              />,
              <Line
                key={`${c.criterion} transfer`}
                dataKey={`${c.criterion} transfer`}
                stroke={COLORS[c.criterion]}
                strokeDasharray="5 4"
                dot={false}
                isAnimationActive={false}
              />,
            ])}
            <ReferenceLine
              x={sparsityPct}
              stroke="#1d2433"
              label={{ value: `slider ${sparsityPct}%`, position: 'top', fontSize: 11 }}
            />
            {(path?.figures ?? []).flatMap((f) =>
              (['clean', 'robust'] as const).map((k) => (
                <ReferenceDot
                  key={`path ${k} ${f.sparsity}`}
                  x={Math.round(f.sparsity * 1000) / 10}
                  y={f[k]}
                  r={4}
                  fill={k === 'clean' ? '#1d2433' : '#fff'}
                  stroke={k === 'clean' ? 'none' : '#1d2433'}
                />
              )),
            )}
            {point?.whiteBox !== null && point?.whiteBox !== undefined ? (
              <ReferenceDot
                x={sparsityPct}
                y={point.whiteBox}
                r={5}
                fill="#c92a2a"
                stroke="none"
                label={{ value: 'white-box', position: 'right', fontSize: 11 }}
              />
            ) : null}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <ul className="curve-legend" aria-label="Legend">
        {curves.map((c) => (
          <li key={c.criterion}>
            <span className="swatch" style={{ background: COLORS[c.criterion] }} />
            {c.criterion}
          </li>
        ))}
        <li className="muted">
          one-shot, not fine-tuned · solid: clean · dashed: transfer-adversarial · dot: white-box
        </li>
        {path && path.figures.length > 0 ? (
          <li className="muted" data-testid="path-figures">
            ● / ○ the fine-tuned path ({path.label}): clean and worst-case robust accuracy as the
            CLI measured them
          </li>
        ) : null}
      </ul>
    </>
  );
}
