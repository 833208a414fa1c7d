/**
 * THE sparsity slider (stable end-to-end contract): an `<input type="range">` with role `slider`
 * and accessible name `Sparsity`, 0 to 99 step 1, its value the percentage of weights (or
 * neurons, structured) removed (the store holds the fraction: the label is the one place in percent). Every move evaluates the model at that sparsity in the worker.
 */
import { usePrune } from '../../store/prune';

export function SparsitySlider() {
  const value = usePrune((s) => Math.round(s.sparsity * 100));
  const setSparsity = usePrune((s) => s.setSparsity);
  const granularity = usePrune((s) => s.granularity);
  const ready = usePrune((s) => s.preparedKey !== null);
  return (
    <div className="sparsity-slider">
      <label htmlFor="sparsity-slider" className="label">
        Sparsity{' '}
        <span className="muted">
          ({granularity === 'structured' ? 'neurons' : 'weights'} removed
          {ready ? '' : '; preparing…'})
        </span>
      </label>
      <div className="sparsity-row">
        <input
          id="sparsity-slider"
          type="range"
          aria-label="Sparsity"
          min={0}
          max={99}
          step={1}
          value={value}
          aria-valuetext={`${value}%`}
          onChange={(e) => setSparsity(Number(e.target.value) / 100)}
        />
        <output htmlFor="sparsity-slider" className="sparsity-value">
          {value}%
        </output>
      </div>
    </div>
  );
}
