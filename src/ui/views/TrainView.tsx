/**
 * The Train view: trains the current model in the worker with the Setup view's configuration
 * (store/setup.ts `trainConfigFromSetup`). Play, Pause, Step, Reset; a progress bar with ETA and
 * samples per second; live charts of loss, clean and robust accuracy and learning rate, with
 * learning-rate drops (AccelAT) marked. The run lives in the worker and in store/train.ts, so it
 * goes on while another view is open.
 */
import { useEffect } from 'react';
import { EpochCharts, LrChangeList, StepCharts } from '../components/train/TrainCharts';
import { TrainControls } from '../components/train/TrainControls';
import { RunsPanel } from '../components/runs/RunsPanel';
import { useCore } from '../store/core';
import { pickSetup, trainConfigFromSetup, useSetup, type SetupConfig } from '../store/setup';
import { useTrain } from '../store/train';

/** One line naming the run: objective, ε, schedule, optimizer, epochs, batch size. */
function describe(c: SetupConfig): string {
  const objective =
    c.objective === 'standard'
      ? 'standard training'
      : `${c.objective} ε ${c.eps}` +
        (c.objective === 'fgsm-rs' ? '' : `, ${c.attackSteps} steps`) +
        (c.objective === 'trades' ? `, β ${c.beta}` : '');
  const schedule =
    c.schedule === 'accelat'
      ? `AccelAT (ftEp ${c.ftEp}, sdEp ${c.sdEp}, pw ${c.pw}, paLr ${c.paLr}, fiLr ${c.fiLr})`
      : c.schedule;
  const lr = c.lr === null ? 'default lr' : `lr ${c.lr}`;
  return `${objective} · ${c.optimizer}, ${schedule}, ${lr} · ${c.epochs} epochs of batch ${c.batchSize} · validation ${c.valSubset} images`;
}

export function TrainView() {
  const setup = useSetup();
  const settings = pickSetup(setup);
  const config = trainConfigFromSetup(settings);
  const model = useCore((s) => s.model);
  const modelVersion = useCore((s) => s.modelVersion);
  const setTab = useCore((s) => s.setTab);

  useEffect(() => {
    if (model) void useTrain.getState().sync();
  }, [model, modelVersion]);

  return (
    <div className="train">
      <section className="card" aria-label="Training run">
        <p className="train-config">
          <span className="label">Run: </span>
          {describe(settings)}
          {model ? (
            <span className="label">
              {' '}
              · model {model.spec.name} ({model.source})
            </span>
          ) : null}{' '}
          <button type="button" className="link" onClick={() => setTab('setup')}>
            change in Setup
          </button>
        </p>
        <TrainControls config={config} />
      </section>
      <StepCharts />
      <EpochCharts />
      <LrChangeList />
      <RunsPanel />
    </div>
  );
}
