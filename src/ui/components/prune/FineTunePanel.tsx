/**
 * Adversarial fine-tuning of the pruned model (the thesis's step 3): the Setup view's training
 * config (objective, attack, optimizer, schedule), for a chosen number of epochs, under the mask
 * at the slider's sparsity. When it ends the model has changed, so every view refreshes.
 */
import { useState } from 'react';
import { pickSetup, trainConfigFromSetup, useSetup } from '../../store/setup';
import { usePrune } from '../../store/prune';

export function FineTunePanel() {
  const [epochs, setEpochs] = useState(1);
  const fineTuning = usePrune((s) => s.fineTuning);
  const ready = usePrune((s) => s.preparedKey !== null);
  const sparsityPct = usePrune((s) => Math.round(s.sparsity * 100));
  const fineTune = usePrune((s) => s.fineTune);
  const stop = usePrune((s) => s.stopFineTune);
  const objective = useSetup((s) => s.objective);

  const start = () => {
    const config = trainConfigFromSetup(pickSetup(useSetup.getState()));
    void fineTune({ ...config, epochs });
  };

  return (
    <div className="fine-tune">
      <label>
        <span className="label">Fine-tune epochs</span>
        <input
          type="number"
          min={1}
          max={100}
          step={1}
          value={epochs}
          onChange={(e) =>
            setEpochs(Math.max(1, Math.min(100, Math.round(Number(e.target.value)) || 1)))
          }
        />
      </label>
      <button
        type="button"
        className="primary"
        disabled={!ready || fineTuning}
        onClick={start}
        title={`Train the model pruned at ${sparsityPct}% with the Setup view's config (${objective})`}
      >
        Fine-tune
      </button>
      {fineTuning ? (
        <button type="button" className="secondary" onClick={() => void stop()}>
          Stop fine-tuning
        </button>
      ) : null}
      <span className="muted">
        {fineTuning ? 'fine-tuning… ' : ''}objective <strong>{objective}</strong> from Setup, mask
        at {sparsityPct}%
      </span>
    </div>
  );
}
