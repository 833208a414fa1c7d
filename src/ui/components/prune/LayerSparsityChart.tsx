/**
 * Per-layer sparsity bars: the fraction of each prunable layer's kernel weights removed at the
 * slider's sparsity (SparsityReport.layers; dead inputs of structured pruning included).
 */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { usePrune } from '../../store/prune';
import { formatPct } from '../../lib/format';

export function LayerSparsityChart() {
  const layers = usePrune((s) => s.point?.report.layers);
  if (!layers) return <p className="muted">Per-layer sparsity appears once the slider is ready.</p>;
  const data = layers.map((l) => ({
    layer: l.layer,
    removed: l.sparsity,
    detail: `${l.weightsRemoved} of ${l.weights} weights${
      l.neuronsRemoved > 0 ? `, ${l.neuronsRemoved} of ${l.neurons} neurons` : ''
    }`,
  }));
  return (
    <div className="chart" aria-label="Per-layer sparsity" role="img">
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="layer" tick={{ fontSize: 12 }} />
          <YAxis domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
          <Tooltip
            formatter={(v, _n, item) => [
              `${formatPct(Number(v))} (${(item.payload as { detail: string }).detail})`,
              'removed',
            ]}
          />
          <Bar dataKey="removed" name="fraction removed" fill="#3b5bdb" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
