/** What the app did on its own (e.g. restarted a dead worker and restored a checkpoint). */
import { useCore } from '../../store/core';

export function NoticeBanner() {
  const notice = useCore((s) => s.notice);
  const setNotice = useCore((s) => s.setNotice);
  if (!notice) return null;
  return (
    <div className="notice" role="status" data-testid="notice">
      <span>{notice}</span>
      <button type="button" onClick={() => setNotice(null)} aria-label="Dismiss notice">
        ×
      </button>
    </div>
  );
}
