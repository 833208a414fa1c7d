/**
 * What the slider's figures are measured on: evaluation images, the dense model's figures, the
 * transfer and white-box attacks, and the slider's limits (largest sparsity the per-layer caps
 * allow; the fine-tuned sparsity floor).
 */
import { usePrune } from '../../store/prune';
import { pct } from './format';

function attackText(a: { name: string; options: Record<string, unknown> } | null): string {
  if (!a) return 'none';
  const eps = a.options.eps;
  const steps = a.options.steps;
  return [
    a.name,
    typeof eps === 'number' ? `ε ${eps}` : '',
    typeof steps === 'number' ? `${steps} steps` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export function SliderNotes() {
  const slider = usePrune((s) => s.slider);
  const sparsityPct = usePrune((s) => s.sparsityPct);
  if (!slider) return null;
  const overCap = sparsityPct / 100 > slider.maxSparsity + 1e-9;
  return (
    <p className="muted slider-notes">
      {slider.n} test images · dense model: clean {pct(slider.base.clean)}, transfer{' '}
      {pct(slider.base.transfer)} · transfer attack {attackText(slider.transferAttack)} (crafted
      once on the dense model) · white-box {attackText(slider.whiteBoxAttack)}
      {overCap ? (
        <strong>
          {' '}
          · the per-layer caps allow at most {pct(slider.maxSparsity)}: figures are for that
        </strong>
      ) : null}
      {slider.fineTunedSparsity !== null ? (
        <> · fine-tuned at {pct(slider.fineTunedSparsity)} (lower values keep that mask)</>
      ) : null}
    </p>
  );
}
