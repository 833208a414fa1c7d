/**
 * The dashboard shell: header (backend, activity), the error alert, tabs, and the active view.
 * All ML runs in the engine worker; this thread only renders plain data.
 */
import { useEffect } from 'react';
import { BackendBadge } from './components/BackendBadge';
import { ErrorAlert } from './components/ErrorAlert';
import { NoticeBanner } from './components/runs/NoticeBanner';
import { RunOfferBanner } from './components/runs/RunOfferBanner';
import { useCore } from './store/core';
import { boot } from './store/lifecycle';
import { TABS } from './url';
import { AdversarialView } from './views/AdversarialView';
import { DistributionsView } from './views/DistributionsView';
import { ExportView } from './views/ExportView';
import { NeuronsView } from './views/NeuronsView';
import { PruneView } from './views/PruneView';
import { ReportsView } from './views/ReportsView';
import { SetupView } from './views/SetupView';
import { TrainView } from './views/TrainView';
import { TransferView } from './views/TransferView';

const VIEWS = {
  setup: SetupView,
  train: TrainView,
  prune: PruneView,
  neurons: NeuronsView,
  distributions: DistributionsView,
  examples: AdversarialView,
  transfer: TransferView,
  export: ExportView,
  reports: ReportsView,
} as const;

export function App() {
  const tab = useCore((s) => s.tab);
  const setTab = useCore((s) => s.setTab);
  const activity = useCore((s) => s.activity);
  useEffect(() => {
    void boot();
  }, []);

  const View = VIEWS[tab];
  return (
    <div className="app">
      <header className="app-header">
        <h1>AdvPrune Lab</h1>
        <span className="tagline">adversarially robust and sparse neural networks</span>
        <BackendBadge />
      </header>
      <nav className="tabs" role="tablist" aria-label="Views">
        {TABS.map((t) => (
          <button
            key={t.name}
            type="button"
            role="tab"
            aria-selected={tab === t.name}
            className={tab === t.name ? 'tab active' : 'tab'}
            onClick={() => setTab(t.name)}
          >
            {t.label}
          </button>
        ))}
      </nav>
      <ErrorAlert />
      <NoticeBanner />
      <RunOfferBanner />
      <p className="activity" aria-live="polite" data-testid="activity">
        {activity}
      </p>
      <main className="view">
        <View />
      </main>
    </div>
  );
}
