/**
 * What the slider's figures are measured on: evaluation images, the dense model's figures, the
 * transfer and white-box attacks, and the slider's limits (largest sparsity the per-layer caps
 * allow; the fine-tuned sparsity floor).
 */
import { usePrune } from '../../store/prune';
import { formatPct } from '../../lib/format';
import { sliderPosition } from '../../../workers/protocol';

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

/** Where the figures come from on a fine-tuned path (data-testid="path-position"). */
function PathPosition() {
  const slider = usePrune((s) => s.slider);
  const point = usePrune((s) => s.point);
  const pointSparsity = usePrune((s) => s.pointSparsity);
  if (!slider?.path) return null;
  const pos = point?.path ?? null;
  const at = Math.round((pointSparsity ?? 0) * 100);
  let text = 'locating the slider on the path…';
  if (pos && pos.checkpoint === 0)
    text = pos.fineTuned
      ? 'the dense model'
      : `one-shot from the dense model to ${at}% (below the first checkpoint; not fine-tuned)`;
  else if (pos && pos.fineTuned) text = `fine-tuned checkpoint at ${formatPct(pos.checkpoint)}`;
  else if (pos)
    text = `checkpoint ${formatPct(pos.checkpoint)} (fine-tuned), pruned one-shot by |w| to ${at}% (not fine-tuned beyond it)`;
  return (
    <p className="path-notes" data-testid="path-position" data-fine-tuned={pos?.fineTuned ?? ''}>
      <strong>{slider.path.label}</strong>, fine-tuned path (checkpoints{' '}
      {slider.path.checkpoints.map((c) => formatPct(c)).join(', ')}): {text}
    </p>
  );
}

export function SliderNotes() {
  const slider = usePrune((s) => s.slider);
  const sparsity = usePrune((s) => s.sparsity);
  if (!slider) return null;
  const overCap = sliderPosition(sparsity, slider).capped;
  return (
    <>
      <PathPosition />
      <p className="muted slider-notes">
        {slider.n} test images · dense model: clean {formatPct(slider.base.clean)}, transfer{' '}
        {formatPct(slider.base.transfer)} · transfer attack {attackText(slider.transferAttack)}{' '}
        (crafted once on the dense model) · white-box {attackText(slider.whiteBoxAttack)}
        {overCap ? (
          <strong>
            {' '}
            · the per-layer caps allow at most {formatPct(slider.maxSparsity)}: figures are for that
          </strong>
        ) : null}
        {slider.deadUnits !== null ? (
          <span data-testid="dead-units">
            {' '}
            · dead units (silent on every clean and adversarial scoring sample): {slider.deadUnits}
          </span>
        ) : null}
        {slider.fineTunedSparsity !== null ? (
          <> · fine-tuned at {formatPct(slider.fineTunedSparsity)} (lower values keep that mask)</>
        ) : null}
      </p>
    </>
  );
}
