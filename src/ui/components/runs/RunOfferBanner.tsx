/**
 * The offer to continue a run that a reload, a crash or a lost GPU device interrupted: its name,
 * where it stands (the last checkpoint's step) and three buttons: Resume (continue from the
 * checkpoint, exactly), Open (load it paused) and Dismiss. Shown above every view.
 */
import { useRuns } from '../../store/runs';

export function RunOfferBanner() {
  const offer = useRuns((s) => s.offer);
  const { resume, open, setOffer } = useRuns.getState();
  if (!offer) return null;
  const r = offer.record;
  const at =
    r.checkpointStep !== null
      ? `its last checkpoint is at step ${r.checkpointStep} of ${r.totalSteps} (epoch ${r.epoch + 1})`
      : 'it has no checkpoint yet: Resume starts it again from its first step';
  const what =
    offer.why === 'recovered'
      ? `The run '${r.name}' was restored after the engine restarted`
      : `The run '${r.name}' was ${r.status === 'running' ? 'interrupted' : r.status} (saved ${new Date(r.updatedAt).toLocaleString()})`;
  return (
    <div className="run-offer" role="status" data-testid="run-offer">
      <span>
        {what}; {at}.
      </span>
      <span className="button-row">
        <button type="button" className="primary" onClick={() => void resume(r.id)}>
          Resume
        </button>
        {offer.opened ? null : (
          <button
            type="button"
            onClick={() => {
              setOffer(null);
              void open(r.id);
            }}
          >
            Open
          </button>
        )}
        <button type="button" onClick={() => setOffer(null)}>
          Dismiss
        </button>
      </span>
    </div>
  );
}
