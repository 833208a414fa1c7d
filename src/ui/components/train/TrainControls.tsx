/**
 * Play, Pause, Step and Reset; the step counter (`data-testid="train-step"`, optimizer steps of
 * the current run); the run's status and the engine's message (divergence, catastrophic
 * overfitting); a progress bar with epoch, ETA and throughput (samples per second).
 */
import type { TrainConfigInput } from '../../../workers/protocol';
import { useCore } from '../../store/core';
import { useRuns } from '../../store/runs';
import { useTrain, type RunStatus } from '../../store/train';

/** 83 → "1 min 23 s" */
export function formatSeconds(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  const s = Math.round(sec);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const STATUS_TEXT: Record<RunStatus, string> = {
  idle: 'ready',
  running: 'training…',
  paused: 'paused',
  completed: 'completed',
  stopped: 'stopped',
  diverged: 'diverged',
  'catastrophic-overfitting': 'catastrophic overfitting',
};

export function TrainControls({ config }: { config: TrainConfigInput }) {
  const model = useCore((s) => s.model);
  const { status, busy, step, message, kind } = useTrain();
  const { play, pause, step1, reset } = useTrain.getState();
  const running = status === 'running';
  const bad = status === 'diverged' || status === 'catastrophic-overfitting';
  return (
    <div className="train-controls">
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={busy || !model}
          onClick={() => void play(config)}
        >
          Play
        </button>
        <button type="button" disabled={!running} onClick={() => void pause()}>
          Pause
        </button>
        <button type="button" disabled={busy || !model} onClick={() => void step1(config)}>
          Step
        </button>
        <button type="button" onClick={() => void reset()}>
          Reset
        </button>
        <span className="train-status" data-status={status}>
          {STATUS_TEXT[status]}
        </span>
        <span className="train-step-count">
          step <strong data-testid="train-step">{step}</strong>
        </span>
        <SavedAt />
      </div>
      {kind === 'finetune' ? (
        <p className="train-message">
          The worker's current run is the masked fine-tuning started in the Prune view; Play and
          Step start a new training run from the current weights.
        </p>
      ) : null}
      {message ? (
        <p className={bad ? 'train-message bad' : 'train-message'} data-testid="train-message">
          {message}
        </p>
      ) : null}
      <TrainProgress />
    </div>
  );
}

/** The live run's last save ("saved at step N"), from the worker's events. */
function SavedAt() {
  const runId = useTrain((s) => s.runId);
  const save = useRuns((s) => s.lastSave);
  const failed = useRuns((s) => s.lastError);
  if (failed) return <span className="train-saved bad">not saved: storage error</span>;
  if (!save || save.runId !== runId) return null;
  return (
    <span className="train-saved" title={`saved ${save.at} (${save.reason})`}>
      saved at step <strong data-testid="train-saved">{save.step}</strong>
    </span>
  );
}

function TrainProgress() {
  const last = useTrain((s) => s.last);
  const step = useTrain((s) => s.step);
  const total = useTrain((s) => s.totalSteps);
  const fraction = total > 0 ? Math.min(1, step / total) : 0;
  return (
    <div className="train-progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Training progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <div className="progress-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      <span className="label">
        {total > 0
          ? `step ${step} of ${total} · ${(fraction * 100).toFixed(1)}%` +
            (last
              ? ` · epoch ${Math.min(last.epoch + 1, last.epochs)} of ${last.epochs} · ` +
                `ETA ${formatSeconds(last.etaSec)} · ` +
                `${Math.round(last.samplesPerSec).toLocaleString()} samples/s`
              : '')
          : 'no run yet: press Play to train, or Step for one optimizer step'}
      </span>
    </div>
  );
}
