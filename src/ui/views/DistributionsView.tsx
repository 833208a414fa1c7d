/**
 * The Distributions view: per prunable layer, the histogram of kernel weights before pruning,
 * split into the weights kept and removed by the mask at the slider's sparsity, or the histogram of
 * the current criterion's scores; and the scores over the whole model. The thesis argues from
 * these why robust models need pruning. Heavy-tailed scores (anomaly degree) are drawn on
 * log-spaced bins (a log10 axis); zeros and the dead-unit rule's ±∞ (dead paths, pruned first)
 * are counted under the chart, not drawn.
 *
 * The mask is the Prune view's (criterion, granularity, scope, sparsity): if the slider is not
 * prepared yet (the app opened on this tab), it is prepared here first.
 */
import { useEffect, useState } from 'react';
import { HistogramChart } from '../components/distributions/HistogramChart';
import {
  LayerDistributionCard,
  type Shown,
} from '../components/distributions/LayerDistributionCard';
import { ScoreNotes } from '../components/distributions/ScoreNotes';
import { useCore } from '../store/core';
import { useDistributions } from '../store/distributions';
import { usePrune } from '../store/prune';

export function DistributionsView() {
  const hasModel = useCore((s) => s.model !== null);
  const modelVersion = useCore((s) => s.modelVersion);
  const prepare = usePrune((s) => s.prepare);
  const preparedKey = usePrune((s) => s.preparedKey);
  const pointSparsity = usePrune((s) => s.pointSparsity);
  const preparing = usePrune((s) => s.preparingKey !== null);
  const criterion = usePrune((s) => s.criterion);
  const granularity = usePrune((s) => s.granularity);
  const dist = useDistributions((s) => s.dist);
  const load = useDistributions((s) => s.load);
  const [shown, setShown] = useState<Shown>('weights');
  const [logCounts, setLogCounts] = useState(false);

  useEffect(() => {
    if (hasModel) void prepare(modelVersion);
  }, [hasModel, modelVersion, prepare]);

  useEffect(() => {
    if (!hasModel || preparing) return;
    void load(preparedKey === null ? null : pointSparsity);
  }, [hasModel, modelVersion, preparing, preparedKey, pointSparsity, load]);

  if (!dist) return <p className="muted">Computing the distributions…</p>;
  const scoreUnit = granularity === 'structured' ? 'units' : 'weights';
  return (
    <div className="distributions-view">
      <section className="card">
        <div className="dist-controls">
          <p>
            {dist.sparsity === null ? (
              'Dense model (the mask appears once the slider is ready).'
            ) : (
              <>
                Mask: <strong>{criterion}</strong>, {granularity}, at{' '}
                <strong>{Math.round(dist.sparsity * 100)}%</strong> sparsity. Removed weights in{' '}
                <span className="removed-count">red</span>, stacked on the kept ones.
              </>
            )}
          </p>
          <fieldset className="segmented">
            <legend className="label">Per-layer histograms of</legend>
            {(['weights', 'scores'] as const).map((v) => (
              <label key={v}>
                <input
                  type="radio"
                  name="dist-shown"
                  value={v}
                  checked={shown === v}
                  onChange={() => setShown(v)}
                />
                {v === 'weights' ? 'weights (before / after)' : `${criterion} scores`}
              </label>
            ))}
          </fieldset>
          <label>
            <input
              type="checkbox"
              checked={logCounts}
              onChange={(e) => setLogCounts(e.target.checked)}
            />{' '}
            log counts
          </label>
        </div>
        {dist.scores ? (
          <>
            <h2>
              {criterion} scores, all layers <span className="muted">({granularity})</span>
            </h2>
            <HistogramChart
              before={dist.scores}
              color="#7048e8"
              label="Scores of all layers"
              logCounts={logCounts}
            />
            <ScoreNotes h={dist.scores} unit={scoreUnit} />
          </>
        ) : (
          <p className="muted">No scores yet: they are computed on the Prune view.</p>
        )}
      </section>
      <div className="grid">
        {dist.layers.map((d) => (
          <LayerDistributionCard
            key={d.kernelName}
            d={d}
            shown={shown}
            logCounts={logCounts}
            scoreUnit={scoreUnit}
          />
        ))}
      </div>
    </div>
  );
}
