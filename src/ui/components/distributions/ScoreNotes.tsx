/**
 * What a score histogram does not draw, said under it: its axis (log10 with log-spaced bins, or
 * linear) and range, the scores counted apart (exact zeros on a log axis), and the dead-unit
 * rule's ±∞ scores, the dead-path weights (units) that are pruned first whatever the criterion
 * says (engine: prune/scores/dead.ts).
 */
import type { ScoreHistogram } from '../../../workers/protocol';
import { count, short } from '../../lib/format';

export function ScoreNotes({
  h,
  unit = 'weights',
}: {
  h: ScoreHistogram;
  /** what one score belongs to: a weight (unstructured) or a unit (structured) */
  unit?: 'weights' | 'units';
}) {
  const binned = h.counts.reduce((a, b) => a + b, 0);
  const dead = h.negInf + h.posInf;
  const lo = h.edges[0];
  const hi = h.edges[h.edges.length - 1];
  return (
    <p className="muted score-notes" data-testid="score-notes">
      {binned > 0 ? (
        h.scale === 'log' ? (
          <>
            <strong>log10 axis</strong>: {h.counts.length} bins equally spaced in log10 from{' '}
            {short(lo)} to {short(hi)} (the scores span {Math.log10(hi / lo).toFixed(1)} decades)
          </>
        ) : (
          <>
            linear axis, {short(lo)} to {short(hi)}
          </>
        )
      ) : (
        'no finite scores to draw'
      )}
      {h.scale === 'log' && h.zeros > 0 ? (
        <>
          {' '}
          · <span data-testid="score-zeros">{count(h.zeros)}</span> {unit} score exactly 0 (not on
          the log axis)
        </>
      ) : null}
      {dead > 0 ? (
        <>
          {' '}
          ·{' '}
          <strong className="removed-count" data-testid="score-dead">
            {count(dead)} dead-path {unit}, pruned first
          </strong>{' '}
          (score {h.negInf > 0 && h.posInf > 0 ? '±∞' : h.negInf > 0 ? '−∞' : '+∞'}, not drawn)
        </>
      ) : null}
      {h.nan > 0 ? <> · {count(h.nan)} NaN scores (not drawn)</> : null}
    </p>
  );
}
