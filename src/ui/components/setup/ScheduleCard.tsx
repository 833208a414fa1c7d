/**
 * Optimizer, learning-rate schedule and run length. Schedules (src/engine/train/schedules):
 * constant; multistep (MultiStepLR, epoch milestones × γ); cosine (Loshchilov and Hutter 2017,
 * arXiv 1608.03983, optional warmup); cyclic (Smith 2017, arXiv 1506.01186; one-cycle as in Wong
 * et al. 2020); AccelAT (Nikfam et al. 2022, arXiv 2210.06888): cut lr by paLr when the moving
 * mean (window ftEp) of the adversarial validation accuracy rises by less than pw, at most every
 * sdEp epochs, never below fiLr. An empty learning rate means the schedule's default.
 */
import {
  CYCLIC_MODES,
  OPTIMIZERS,
  SCHEDULES,
  SETUP_FIELDS,
  parseMilestones,
  useSetup,
} from '../../store/setup';
import { defaultScheduleLr, scheduleLabel } from '../../../workers/protocol';
import { FieldCard, NumberField, SelectField } from './fields';

/** Each schedule's label, from the engine's catalog. */
const SCHEDULE_NAMES = Object.fromEntries(SCHEDULES.map((k) => [k, scheduleLabel(k)]));

export function ScheduleCard() {
  const s = useSetup();
  const F = SETUP_FIELDS;
  const milestonesBad = s.milestones.trim() !== '' && parseMilestones(s.milestones).length === 0;
  return (
    <FieldCard title="Optimizer and learning rate">
      <div className="field-row">
        <SelectField
          label="Optimizer"
          value={s.optimizer}
          options={OPTIMIZERS}
          names={{ sgd: 'SGD (momentum 0.9, wd 5e-4)', adam: 'Adam' }}
          onChange={(v) => s.update({ optimizer: v })}
        />
        <SelectField
          label="Schedule"
          value={s.schedule}
          options={SCHEDULES}
          names={SCHEDULE_NAMES}
          onChange={(v) => s.update({ schedule: v, lr: null })}
        />
        <NumberField
          label={s.schedule === 'cyclic' ? 'Peak learning rate' : 'Learning rate'}
          value={s.lr}
          spec={F.lr}
          placeholder={`default ${defaultScheduleLr(s.schedule)}`}
          onChange={(v) => s.update({ lr: v })}
        />
        {s.schedule === 'cosine' || s.schedule === 'cyclic' ? (
          <NumberField
            label="Minimum learning rate"
            value={s.minLr}
            spec={F.minLr}
            onChange={(v) => s.update({ minLr: v ?? F.minLr.def })}
          />
        ) : null}
      </div>
      {s.schedule === 'multistep' ? (
        <div className="field-row">
          <label className="field" title="epoch indices (from 0) where lr is multiplied by γ">
            <span>Milestones</span>
            <input
              type="text"
              value={s.milestones}
              placeholder="e.g. 5,8"
              aria-invalid={milestonesBad}
              onChange={(e) => s.update({ milestones: e.target.value.replace(/\s+/g, '') })}
            />
          </label>
          <NumberField
            label="γ"
            value={s.gamma}
            spec={F.gamma}
            onChange={(v) => s.update({ gamma: v ?? F.gamma.def })}
          />
        </div>
      ) : null}
      {s.schedule === 'cosine' ? (
        <div className="field-row">
          <NumberField
            label="Warmup epochs"
            value={s.warmupEpochs}
            spec={F.warmupEpochs}
            onChange={(v) => s.update({ warmupEpochs: v ?? 0 })}
          />
        </div>
      ) : null}
      {s.schedule === 'cyclic' ? (
        <div className="field-row">
          <SelectField
            label="Cycle"
            value={s.cyclicMode}
            options={CYCLIC_MODES}
            onChange={(v) => s.update({ cyclicMode: v })}
          />
          {s.cyclicMode === 'one-cycle' ? (
            <NumberField
              label="Peak at (fraction of run)"
              value={s.peakFraction}
              spec={F.peakFraction}
              onChange={(v) => s.update({ peakFraction: v ?? F.peakFraction.def })}
            />
          ) : (
            <NumberField
              label="Cycle length (epochs)"
              value={s.cycleEpochs}
              spec={F.cycleEpochs}
              onChange={(v) => s.update({ cycleEpochs: v ?? F.cycleEpochs.def })}
            />
          )}
        </div>
      ) : null}
      {s.schedule === 'accelat' ? <AccelatFields /> : null}
      <div className="field-row">
        <NumberField
          label="Epochs"
          value={s.epochs}
          spec={F.epochs}
          onChange={(v) => s.update({ epochs: v ?? F.epochs.def })}
        />
        <NumberField
          label="Batch size"
          value={s.batchSize}
          spec={F.batchSize}
          onChange={(v) => s.update({ batchSize: v ?? F.batchSize.def })}
        />
        <NumberField
          label="Training seed"
          value={s.trainSeed}
          spec={F.trainSeed}
          title="seed of batch orders and attack randomness: same seed, same run"
          onChange={(v) => s.update({ trainSeed: v ?? 0 })}
        />
      </div>
    </FieldCard>
  );
}

/** AccelAT's five parameters, named as in the paper's code. */
function AccelatFields() {
  const s = useSetup();
  const F = SETUP_FIELDS;
  return (
    <>
      <div className="field-row">
        <NumberField
          label="ftEp"
          value={s.ftEp}
          spec={F.ftEp}
          title="window of the moving mean of adversarial validation accuracy, epochs"
          onChange={(v) => s.update({ ftEp: v ?? F.ftEp.def })}
        />
        <NumberField
          label="sdEp"
          value={s.sdEp}
          spec={F.sdEp}
          title="epochs to wait after a cut"
          onChange={(v) => s.update({ sdEp: v ?? F.sdEp.def })}
        />
        <NumberField
          label="pw"
          value={s.pw}
          spec={F.pw}
          title="smallest rise of the moving mean that counts as progress (accuracy units)"
          onChange={(v) => s.update({ pw: v ?? F.pw.def })}
        />
        <NumberField
          label="paLr"
          value={s.paLr}
          spec={F.paLr}
          title="factor of a cut, in (0, 1)"
          onChange={(v) => s.update({ paLr: v ?? F.paLr.def })}
        />
        <NumberField
          label="fiLr"
          value={s.fiLr}
          spec={F.fiLr}
          title="floor of the learning rate"
          onChange={(v) => s.update({ fiLr: v ?? F.fiLr.def })}
        />
      </div>
      <p className="label">
        AccelAT measures PGD accuracy on the validation images after every epoch; the first cut can
        come at epoch ftEp + 2. {s.valSubset === 0 ? 'Set validation images above 0.' : ''}
      </p>
    </>
  );
}
