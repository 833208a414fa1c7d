/**
 * Readable text for the activity line from the worker's progress events: a `Progress`
 * (`{ stage, done, total }`) or a training tick (step, epoch, loss, ETA).
 */
import type { Progress, TrainTick } from '../../workers/protocol';

/** e.g. "curve: magnitude 12/36 (33%)". */
export function progressText(p: Progress): string {
  const share =
    p.total > 0 ? ` ${p.done}/${p.total} (${Math.round((100 * p.done) / p.total)}%)` : '';
  return `${p.stage}${share}`;
}

/** e.g. "step 120, epoch 1/1, loss 0.812, 210 samples/s, ETA 14 s". */
export function tickText(t: TrainTick): string {
  const total = t.epochs * t.batchesPerEpoch;
  return [
    `step ${t.step}${total > 0 ? `/${total}` : ''}`,
    `epoch ${t.epoch + 1}/${t.epochs}`,
    `loss ${t.loss.toFixed(3)}`,
    `${Math.round(t.samplesPerSec)} samples/s`,
    `ETA ${Math.round(t.etaSec)} s`,
  ].join(', ');
}
