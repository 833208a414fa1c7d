/**
 * The model: a new one of a chosen architecture and seed (sized for the loaded dataset by the
 * worker), or the bundled default (adversarially trained, public/models/). Shows the live model's
 * parameter count, multiply-accumulates per image and its prunable layers.
 */
import { useCore } from '../../store/core';
import { ARCHITECTURE_NAMES, SETUP_FIELDS, useSetup } from '../../store/setup';
import { architectureLabel, type ModelInfo } from '../../../workers/protocol';
import { FieldCard, NumberField, SelectField } from './fields';

/** Each architecture's label, from the engine's catalog. */
const ARCH_NAMES = Object.fromEntries(ARCHITECTURE_NAMES.map((n) => [n, architectureLabel(n)]));

/** 1234567 → "1.23 M" */
export function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toPrecision(3)} G`;
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)} M`;
  if (n >= 1e3) return `${(n / 1e3).toPrecision(3)} k`;
  return String(n);
}

export function ModelCard() {
  const model = useCore((s) => s.model);
  const architecture = useSetup((s) => s.architecture);
  const modelSeed = useSetup((s) => s.modelSeed);
  const update = useSetup((s) => s.update);
  const loadModel = useCore((s) => s.loadModel);

  return (
    <FieldCard title="Model">
      <div className="field-row">
        <SelectField
          label="Architecture"
          value={architecture}
          options={ARCHITECTURE_NAMES}
          names={ARCH_NAMES}
          onChange={(v) => update({ architecture: v })}
        />
        <NumberField
          label="Model seed"
          value={modelSeed}
          spec={SETUP_FIELDS.modelSeed}
          title="seed of the initial weights: same seed, same model"
          onChange={(v) => update({ modelSeed: v ?? 0 })}
        />
        <button
          type="button"
          className="primary"
          onClick={() => void loadModel({ architecture, seed: modelSeed })}
        >
          New model
        </button>
        <button type="button" onClick={() => void loadModel('default')}>
          Load default model
        </button>
      </div>
      {model ? <ModelSummary model={model} /> : <p className="label">no model loaded yet</p>}
    </FieldCard>
  );
}

function ModelSummary({ model }: { model: ModelInfo }) {
  return (
    <>
      <p data-testid="model-info">
        <strong>{model.spec.name}</strong> ({model.source}): {model.params.toLocaleString()}{' '}
        parameters, {compact(model.macs)} MACs per image, input {model.spec.inputShape.join('×')},{' '}
        {model.spec.numClasses} classes
      </p>
      <table className="data" aria-label="Prunable layers">
        <thead>
          <tr>
            <th>layer</th>
            <th>kind</th>
            <th>neurons</th>
            <th>weights</th>
            <th>share of weights</th>
          </tr>
        </thead>
        <tbody>
          {model.layers.map((l) => (
            <tr key={l.layer}>
              <td>{l.layer}</td>
              <td>{l.kind}</td>
              <td>{l.neurons.toLocaleString()}</td>
              <td>{l.weights.toLocaleString()}</td>
              <td>{((100 * l.weights) / Math.max(1, model.params)).toFixed(1)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
