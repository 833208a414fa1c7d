/**
 * Choosing the test image of the Neurons view (index input, previous / next) and what the models
 * make of it: its true class, and the dense and the pruned model's predictions on the clean and
 * the attacked image, wrong ones marked.
 */
import { useState } from 'react';
import type { NeuronView } from '../../../workers/protocol';

export interface ImagePickerProps {
  index: number;
  /** test-set size */
  test: number;
  view: NeuronView | null;
  classNames: string[];
  loading: boolean;
  onPick(index: number): void;
}

function Pred({ label, pred, names }: { label: number; pred: number; names: string[] }) {
  const wrong = pred !== label;
  return (
    <span className={wrong ? 'pred wrong' : 'pred right'}>
      {wrong ? '✗ ' : '✓ '}
      {names[pred] ?? `class ${pred}`}
    </span>
  );
}

export function ImagePicker({ index, test, view, classNames, loading, onPick }: ImagePickerProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const shown = view && view.index === index ? view : null;
  const commit = () => {
    if (draft !== null && draft.trim() !== '' && Number.isFinite(Number(draft)))
      onPick(Number(draft));
    setDraft(null);
  };
  return (
    <div className="image-picker">
      <div className="controls">
        <button type="button" onClick={() => onPick(index - 1)} disabled={index <= 0}>
          ◀ Previous
        </button>
        <label>
          Test image{' '}
          <input
            type="number"
            min={0}
            max={test - 1}
            step={1}
            value={draft ?? index}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={commit}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit();
            }}
            style={{ width: '6em' }}
          />
        </label>
        <span className="label">of {test.toLocaleString('en-US')}</span>
        <button type="button" onClick={() => onPick(index + 1)} disabled={index >= test - 1}>
          Next ▶
        </button>
        {loading ? <span className="label">computing…</span> : null}
      </div>
      {shown ? (
        <dl className="predictions" data-testid="neuron-predictions">
          <dt>true class</dt>
          <dd>{classNames[shown.label] ?? `class ${shown.label}`}</dd>
          <dt>dense, clean</dt>
          <dd>
            <Pred label={shown.label} pred={shown.cleanPred} names={classNames} />
          </dd>
          <dt>dense, adversarial</dt>
          <dd>
            <Pred label={shown.label} pred={shown.advPred} names={classNames} />
          </dd>
          <dt>pruned, clean</dt>
          <dd>
            <Pred label={shown.label} pred={shown.prunedCleanPred} names={classNames} />
          </dd>
          <dt>pruned, adversarial</dt>
          <dd>
            <Pred label={shown.label} pred={shown.prunedAdvPred} names={classNames} />
          </dd>
        </dl>
      ) : null}
    </div>
  );
}
