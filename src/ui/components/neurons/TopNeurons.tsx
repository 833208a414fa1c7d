/**
 * The most anomalous neurons of a layer on this image: a list sorted by anomaly degree, largest
 * first, with the current criterion's score beside it when there is one and whether the current
 * mask removes the neuron.
 */
import { useMemo } from 'react';
import type { LayerActivations } from '../../../workers/protocol';
import { fmt, topK } from './stats';

export function TopNeurons({ layer, k = 10 }: { layer: LayerActivations; k?: number }) {
  const top = useMemo(() => topK(layer.anomaly, k), [layer, k]);
  const scores = layer.scores;
  return (
    <table className="data top-neurons" aria-label={`${layer.layer}: ${k} most anomalous neurons`}>
      <thead>
        <tr>
          <th>neuron</th>
          <th>anomaly</th>
          {scores ? <th>score</th> : null}
          <th>mask</th>
        </tr>
      </thead>
      <tbody>
        {top.map((j) => (
          <tr key={j} className={layer.removed[j] ? 'removed-row' : undefined}>
            <td>{j}</td>
            <td>{fmt(layer.anomaly[j])}</td>
            {scores ? <td>{fmt(scores[j])}</td> : null}
            <td>{layer.removed[j] ? 'removed' : 'kept'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
