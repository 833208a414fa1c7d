/**
 * The Setup view: dataset, model, training objective and attack, optimizer and learning-rate
 * schedule (AccelAT included), run length, backend. Every setting lives in the URL query (see
 * store/setup.ts), so a setup can be shared and reloaded; the Train view trains with it.
 */
import { BackendCard } from '../components/setup/BackendCard';
import { DatasetCard } from '../components/setup/DatasetCard';
import { ModelCard } from '../components/setup/ModelCard';
import { ObjectiveCard } from '../components/setup/ObjectiveCard';
import { ScheduleCard } from '../components/setup/ScheduleCard';
import { useCore } from '../store/core';
import { useSetup } from '../store/setup';

export function SetupView() {
  const resetDefaults = useSetup((s) => s.resetDefaults);
  const setTab = useCore((s) => s.setTab);
  return (
    <div className="setup">
      <div className="grid">
        <DatasetCard />
        <BackendCard />
      </div>
      <ModelCard />
      <div className="grid">
        <ObjectiveCard />
        <ScheduleCard />
      </div>
      <div className="setup-actions">
        <button type="button" className="primary" onClick={() => setTab('train')}>
          Go to training
        </button>
        <button type="button" onClick={resetDefaults}>
          Reset training settings to defaults
        </button>
        <span className="label">The settings are saved in the page address: copy it to share.</span>
      </div>
    </div>
  );
}
