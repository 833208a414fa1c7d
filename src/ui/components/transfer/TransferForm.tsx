/**
 * The Transfer benchmark form: pruning criteria, sparsities (percent), attacks crafted on the
 * dense model, ε and the number of test images; Run, and while running a progress bar and Cancel.
 */
import { formProblem, MAX_TRANSFER_N, useTransfer } from '../../store/transfer';
import { uiAttacks } from '../../lib/attacks';
import { TRANSFER_CRITERIA } from '../../lib/transfer-criteria';

/** `list` with `item` added (in `order`'s order) or removed. */
function toggle<T>(list: T[], item: T, on: boolean, order: readonly T[]): T[] {
  const next = on ? [...list, item] : list.filter((x) => x !== item);
  return order.filter((x) => next.includes(x));
}

export function TransferForm({ defaultEps, ready }: { defaultEps: number; ready: boolean }) {
  const state = useTransfer();
  const { criteria, sparsities, attacks, eps, n, running, progress } = state;
  const epsValue = eps ?? defaultEps;
  const problem = formProblem(state, epsValue);
  const fraction = progress && progress.total > 0 ? progress.done / progress.total : 0;

  return (
    <form
      className="transfer-form"
      onSubmit={(e) => {
        e.preventDefault();
        void state.run(epsValue);
      }}
    >
      <fieldset>
        <legend>Pruning criteria</legend>
        {TRANSFER_CRITERIA.map((c) => (
          <label key={c.name} className="check">
            <input
              type="checkbox"
              checked={criteria.includes(c.name)}
              onChange={(e) =>
                state.setCriteria(
                  toggle(
                    criteria,
                    c.name,
                    e.target.checked,
                    TRANSFER_CRITERIA.map((x) => x.name),
                  ),
                )
              }
            />
            {c.label}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Attacks (crafted on the dense model)</legend>
        {uiAttacks().map((a) => (
          <label key={a.name} className="check" title={a.hint}>
            <input
              type="checkbox"
              checked={attacks.includes(a.name)}
              onChange={(e) =>
                state.setAttacks(
                  toggle(
                    attacks,
                    a.name,
                    e.target.checked,
                    uiAttacks().map((x) => x.name),
                  ),
                )
              }
            />
            {a.label}
          </label>
        ))}
      </fieldset>
      <div className="controls">
        <label>
          Sparsities (%){' '}
          <input
            type="text"
            value={sparsities}
            onChange={(e) => state.setSparsities(e.target.value)}
            style={{ width: '12em' }}
          />
        </label>
        <label>
          ε (L∞){' '}
          <input
            type="number"
            min={0.001}
            max={1}
            step="any"
            value={Number.isFinite(epsValue) ? epsValue : ''}
            onChange={(e) => state.setEps(e.target.value === '' ? NaN : Number(e.target.value))}
            style={{ width: '5.5em' }}
          />
        </label>
        <label>
          Test images{' '}
          <input
            type="number"
            min={1}
            max={MAX_TRANSFER_N}
            step={1}
            value={Number.isFinite(n) ? n : ''}
            onChange={(e) => state.setN(e.target.value === '' ? NaN : Number(e.target.value))}
            style={{ width: '6em' }}
          />
        </label>
        <button type="submit" className="primary" disabled={!ready || running || problem !== null}>
          Run benchmark
        </button>
        <button type="button" onClick={() => void state.cancel()} disabled={!running}>
          Cancel
        </button>
      </div>
      {problem && !running ? <p className="label form-problem">{problem}</p> : null}
      {running ? (
        <div className="progress-line">
          <progress
            aria-label="Transfer benchmark progress"
            value={progress ? progress.done : undefined}
            max={progress && progress.total > 0 ? progress.total : undefined}
          />
          <span className="label">
            {progress ? `${progress.stage} · ${progress.done}/${progress.total}` : 'starting…'} (
            {Math.round(100 * fraction)}%)
          </span>
        </div>
      ) : null}
    </form>
  );
}
