/** The last error, readable and dismissible; the app keeps working behind it. */
import { useCore } from '../store/core';

export function ErrorAlert() {
  const error = useCore((s) => s.error);
  const setError = useCore((s) => s.setError);
  if (!error) return null;
  return (
    <div role="alert" className="alert">
      <span>{error}</span>
      <button type="button" onClick={() => setError(null)} aria-label="Dismiss error">
        ×
      </button>
    </div>
  );
}
