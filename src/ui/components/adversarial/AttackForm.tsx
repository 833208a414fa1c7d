/** The Adversarial examples view's controls: attack, L∞ radius ε, number of images, Generate. */
import { MAX_EXAMPLES, useAdversarial } from '../../store/adversarial';
import { uiAttacks, validEps } from '../../lib/attacks';

export interface AttackFormProps {
  /** the ε shown when the user has not chosen one (the dataset's budget) */
  defaultEps: number;
  /** false while no model is loaded */
  ready: boolean;
}

export function AttackForm({ defaultEps, ready }: AttackFormProps) {
  const { attack, eps, count, running, setAttack, setEps, setCount, generate } = useAdversarial();
  const epsValue = eps ?? defaultEps;
  const okEps = validEps(epsValue);
  const okCount = Number.isInteger(count) && count >= 1 && count <= MAX_EXAMPLES;
  const attacks = uiAttacks();
  const hint = attacks.find((a) => a.name === attack)?.hint ?? '';

  return (
    <form
      className="controls"
      onSubmit={(e) => {
        e.preventDefault();
        void generate(epsValue);
      }}
    >
      <label>
        Attack{' '}
        <select value={attack} onChange={(e) => setAttack(e.target.value)}>
          {attacks.map((a) => (
            <option key={a.name} value={a.name}>
              {a.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        ε (L∞){' '}
        <input
          type="number"
          min={0.001}
          max={1}
          step="any"
          value={Number.isFinite(epsValue) ? epsValue : ''}
          aria-invalid={!okEps}
          onChange={(e) => setEps(e.target.value === '' ? NaN : Number(e.target.value))}
          style={{ width: '5.5em' }}
        />
      </label>
      <label>
        Images{' '}
        <input
          type="number"
          min={1}
          max={MAX_EXAMPLES}
          step={1}
          value={Number.isFinite(count) ? count : ''}
          aria-invalid={!okCount}
          onChange={(e) => setCount(e.target.value === '' ? NaN : Number(e.target.value))}
          style={{ width: '4.5em' }}
        />
      </label>
      <button type="submit" className="primary" disabled={!ready || running || !okEps || !okCount}>
        {running ? 'Crafting…' : 'Generate'}
      </button>
      <span className="label">{hint}</span>
    </form>
  );
}
