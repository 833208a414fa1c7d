/**
 * The pruning settings: criterion, structured or unstructured, global or layer-wise ranking.
 * Each change is written to the URL query and re-prepares the slider.
 */
import type { Criterion, Granularity } from '../../../workers/protocol';
import { usePrune } from '../../store/prune';
import { CRITERIA } from '../../../workers/protocol';
import { GRANULARITIES, SCOPES, type Scope } from '../../lib/prune-options';

const SCOPE_LABELS: Record<Scope, string> = { global: 'global ranking', layer: 'layer-wise' };

export function PruneSettings() {
  const criterion = usePrune((s) => s.criterion);
  const granularity = usePrune((s) => s.granularity);
  const scope = usePrune((s) => s.scope);
  const setSettings = usePrune((s) => s.setSettings);
  const path = usePrune((s) => s.path);
  const shipped = usePrune((s) => s.paths.find((p) => p.criterion === s.criterion) ?? null);
  // the worker refuses to re-score while fine-tuning
  const locked = usePrune((s) => s.fineTuning);
  return (
    <div className="prune-settings">
      <label>
        <span className="label">Criterion</span>
        <select
          disabled={locked}
          value={criterion}
          onChange={(e) => setSettings({ criterion: e.target.value as Criterion })}
        >
          {CRITERIA.map((c) => (
            <option key={c.name} value={c.name}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="label">Granularity</span>
        <select
          disabled={locked}
          value={granularity}
          onChange={(e) => setSettings({ granularity: e.target.value as Granularity })}
        >
          {GRANULARITIES.map((g) => (
            <option key={g} value={g}>
              {g === 'structured' ? 'structured (neurons / channels)' : 'unstructured (weights)'}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="label">Scope</span>
        <select
          disabled={locked}
          value={scope}
          onChange={(e) => setSettings({ scope: e.target.value as Scope })}
        >
          {SCOPES.map((s) => (
            <option key={s} value={s}>
              {SCOPE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      {shipped ? (
        <label
          className="path-toggle"
          title={`checkpoints made by: ${shipped.command}. Untick for one-shot masks of the current weights.`}
        >
          <input
            type="checkbox"
            disabled={locked || granularity !== 'unstructured' || scope !== 'global'}
            checked={path && granularity === 'unstructured' && scope === 'global'}
            onChange={(e) => setSettings({ path: e.target.checked })}
          />
          <span>
            fine-tuned path ({shipped.checkpoints.map((c) => `${Math.round(c * 100)}%`).join(', ')})
          </span>
        </label>
      ) : null}
    </div>
  );
}
