/**
 * One prunable layer's distributions: its kernel weights before pruning, split into kept and
 * removed at the current sparsity (removed drawn apart, in red, with their count), or the current
 * criterion's scores of the layer (log10 axis when heavy-tailed; zeros and dead paths counted
 * under it).
 */
import type { LayerDistribution } from '../../../workers/protocol';
import { count, formatPct } from '../../lib/format';
import { HistogramChart } from './HistogramChart';
import { ScoreNotes } from './ScoreNotes';

export type Shown = 'weights' | 'scores';

export function LayerDistributionCard({
  d,
  shown,
  logCounts,
  scoreUnit = 'weights',
}: {
  d: LayerDistribution;
  shown: Shown;
  logCounts: boolean;
  /** what one score belongs to: a weight (unstructured) or a unit (structured) */
  scoreUnit?: 'weights' | 'units';
}) {
  const total = d.before.counts.reduce((a, b) => a + b, 0);
  return (
    <section className="card layer-dist" data-testid={`distribution-${d.layer}`}>
      <h3>
        {d.layer}{' '}
        <span className="muted">
          {count(total)} weights · <span className="removed-count">{count(d.pruned)} removed</span>{' '}
          ({formatPct(total > 0 ? d.pruned / total : 0)})
        </span>
      </h3>
      {shown === 'weights' ? (
        <HistogramChart
          before={d.before}
          after={d.after}
          label={`${d.layer} weights`}
          logCounts={logCounts}
        />
      ) : d.scores ? (
        <>
          <HistogramChart
            before={d.scores}
            color="#7048e8"
            label={`${d.layer} scores`}
            logCounts={logCounts}
          />
          <ScoreNotes h={d.scores} unit={scoreUnit} />
        </>
      ) : (
        <p className="muted">No scores for this layer.</p>
      )}
    </section>
  );
}
