/**
 * The Setup view's state: model architecture and seed, training objective and its attack, the
 * optimizer, the learning-rate schedule (AccelAT included), epochs, batch size and validation.
 * It lives in the URL query (only values that differ from the defaults are written), so a setup
 * can be shared and reloaded. `trainConfigFromSetup` turns it into the engine's TrainConfigInput
 * (src/engine/train/config.ts); defaults the engine derives (PGD step size 2.5·ε/steps, TRADES
 * ε/4, FGSM-RS α 1.25·ε, each schedule's own lr) are left to the engine when a field is empty.
 */
import { create } from 'zustand';
import type { ArchitectureName } from '../../workers/protocol';
import type { TrainConfigInput } from '../../workers/protocol';
import {
  ARCHITECTURE_NAMES as ARCHITECTURE_CATALOG_NAMES,
  CYCLIC_MODES,
  OBJECTIVE_KINDS,
  SCHEDULE_KINDS,
  numberDefault,
  objectiveInfo,
  scheduleInfo,
  type ObjectiveKind,
  type ScheduleKind,
} from '../../workers/protocol';
import { readNumber, readParam, writeParams } from '../url';

export type { ObjectiveKind, ScheduleKind };
export type OptimizerKind = 'sgd' | 'adam';
export type CyclicMode = (typeof CYCLIC_MODES)[number];

/** The choices of the Setup view's lists: the engine's catalogs, in catalog order. */
export const ARCHITECTURE_NAMES = ARCHITECTURE_CATALOG_NAMES;
export const OBJECTIVES = OBJECTIVE_KINDS;
export const OPTIMIZERS: readonly OptimizerKind[] = ['sgd', 'adam'];
export const SCHEDULES = SCHEDULE_KINDS;
export { CYCLIC_MODES };

/** Every setting of the Setup view (plain data). `null` = the engine's (derived) default. */
export interface SetupConfig {
  architecture: ArchitectureName;
  /** seed of a new model's initial weights, integer ≥ 0 */
  modelSeed: number;
  objective: ObjectiveKind;
  /** L∞ radius ε of the training attack and of the validation PGD, pixel units in [0, 1] */
  eps: number;
  /** PGD / TRADES inner iterations */
  attackSteps: number;
  /** PGD / TRADES step size α, pixel units (null: 2.5·ε/steps for PGD, ε/4 for TRADES) */
  stepSize: number | null;
  /** TRADES weight β of the KL term */
  beta: number;
  /** FGSM-RS step α (null: 1.25·ε) */
  alpha: number | null;
  optimizer: OptimizerKind;
  schedule: ScheduleKind;
  /** initial / peak learning rate (cyclic: maxLr); null: the schedule's default */
  lr: number | null;
  /** multistep: comma-separated epoch indices, e.g. "5,8" */
  milestones: string;
  /** multistep factor γ */
  gamma: number;
  /** cosine / cyclic floor */
  minLr: number;
  /** cosine warmup, epochs */
  warmupEpochs: number;
  cyclicMode: CyclicMode;
  /** cyclic one-cycle: where the peak sits, fraction of the run */
  peakFraction: number;
  /** cyclic triangular: cycle length in epochs */
  cycleEpochs: number;
  /** AccelAT (Nikfam et al. 2022): moving-mean window, wait after a cut, progress threshold, cut factor, floor */
  ftEp: number;
  sdEp: number;
  pw: number;
  paLr: number;
  fiLr: number;
  epochs: number;
  batchSize: number;
  /** seed of batch orders and attack randomness */
  trainSeed: number;
  /** validation subset size (0: no validation; AccelAT needs it) */
  valSubset: number;
  /** PGD iterations of the validation robust accuracy */
  valSteps: number;
}

/** How one setting reads from the URL: its query name, default and accepted range. */
export interface FieldSpec<V> {
  param: string;
  def: V;
  read(): V | undefined;
  min?: number;
  max?: number;
  int?: boolean;
}

function num(param: string, def: number, min: number, max: number, int = false): FieldSpec<number> {
  return {
    param,
    def,
    min,
    max,
    int,
    read: () => {
      const v = readNumber(param, min, max);
      return v !== undefined && (!int || Number.isInteger(v)) ? v : undefined;
    },
  };
}

function optNum(param: string, min: number, max: number): FieldSpec<number | null> {
  return { param, def: null, min, max, read: () => readNumber(param, min, max) };
}

function choice<T extends string>(param: string, def: T, values: readonly T[]): FieldSpec<T> {
  return { param, def, read: () => readParam(param, values) };
}

const MILESTONES = /^\d+(,\d+)*$/;

/** The engine's default of an objective's or a schedule's number field (its catalog). */
const objectiveDefault = (kind: ObjectiveKind, field: string): number =>
  numberDefault(objectiveInfo(kind), field) ?? NaN;
const scheduleDefault = (kind: ScheduleKind, field: string): number =>
  numberDefault(scheduleInfo(kind), field) ?? NaN;

/** The URL name, default and range of every setting. */
export const SETUP_FIELDS: { [K in keyof SetupConfig]: FieldSpec<SetupConfig[K]> } = {
  architecture: choice('arch', 'lenet', ARCHITECTURE_NAMES),
  modelSeed: num('mseed', 0, 0, 4294967295, true),
  objective: choice('objective', 'pgd-at', OBJECTIVES),
  eps: num('eps', objectiveDefault('pgd-at', 'eps'), 0, 1),
  attackSteps: num('asteps', 5, 1, 1000, true),
  stepSize: optNum('astep', 1e-6, 1),
  beta: num('beta', objectiveDefault('trades', 'beta'), 0, 1000),
  alpha: optNum('alpha', 1e-6, 1),
  optimizer: choice('opt', 'adam', OPTIMIZERS),
  schedule: choice('schedule', 'accelat', SCHEDULES),
  lr: optNum('lr', 1e-8, 10),
  milestones: {
    param: 'milestones',
    def: '',
    read: () => {
      const v = new URLSearchParams(window.location.search).get('milestones') ?? '';
      return MILESTONES.test(v) ? v : undefined;
    },
  },
  gamma: num('gamma', scheduleDefault('multistep', 'gamma'), 1e-6, 1),
  minLr: num('minlr', scheduleDefault('cosine', 'minLr'), 0, 10),
  warmupEpochs: num('warmup', scheduleDefault('cosine', 'warmupEpochs'), 0, 1000),
  cyclicMode: choice('cmode', 'one-cycle', CYCLIC_MODES),
  peakFraction: num('peak', scheduleDefault('cyclic', 'peakFraction'), 0.01, 0.99),
  cycleEpochs: num('cycle', scheduleDefault('cyclic', 'cycleEpochs'), 0.01, 1000),
  ftEp: num('ftEp', scheduleDefault('accelat', 'ftEp'), 1, 1000, true),
  sdEp: num('sdEp', scheduleDefault('accelat', 'sdEp'), 0, 1000, true),
  pw: num('pw', scheduleDefault('accelat', 'pw'), -1, 1),
  paLr: num('paLr', scheduleDefault('accelat', 'paLr'), 0.01, 0.99),
  fiLr: num('fiLr', scheduleDefault('accelat', 'fiLr'), 1e-12, 1),
  epochs: num('epochs', 10, 1, 1000, true),
  batchSize: num('batch', 128, 1, 4096, true),
  trainSeed: num('tseed', 0, 0, 4294967295, true),
  valSubset: num('valn', 500, 0, 100000, true),
  valSteps: num('valsteps', 10, 1, 1000, true),
};

const KEYS = Object.keys(SETUP_FIELDS) as (keyof SetupConfig)[];

/** The settings in the URL, defaults for the rest. */
export function readSetupFromUrl(): SetupConfig {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) out[k] = SETUP_FIELDS[k].read() ?? SETUP_FIELDS[k].def;
  return out as unknown as SetupConfig;
}

/** Write every setting that differs from its default; remove the others. */
export function writeSetupToUrl(c: SetupConfig): void {
  const params: Record<string, string | number | undefined> = {};
  for (const k of KEYS) {
    const v = c[k];
    params[SETUP_FIELDS[k].param] = v === SETUP_FIELDS[k].def || v === null ? undefined : v;
  }
  writeParams(params);
}

/** The milestones text as epoch indices (invalid tokens are dropped). */
export function parseMilestones(text: string): number[] {
  return text
    .split(',')
    .map((t) => Number(t.trim()))
    .filter((v) => Number.isInteger(v) && v >= 1);
}

function objectiveInput(c: SetupConfig): NonNullable<TrainConfigInput['objective']> {
  const stepSize = c.stepSize ?? undefined;
  switch (c.objective) {
    case 'standard':
      return { kind: 'standard' };
    case 'pgd-at':
      return { kind: 'pgd-at', eps: c.eps, steps: c.attackSteps, stepSize };
    case 'trades':
      return { kind: 'trades', eps: c.eps, steps: c.attackSteps, stepSize, beta: c.beta };
    case 'fgsm-rs':
      return { kind: 'fgsm-rs', eps: c.eps, alpha: c.alpha ?? undefined };
  }
}

function scheduleInput(c: SetupConfig): NonNullable<TrainConfigInput['schedule']> {
  const lr = c.lr ?? undefined;
  switch (c.schedule) {
    case 'constant':
      return { kind: 'constant', lr };
    case 'multistep':
      return { kind: 'multistep', lr, milestones: parseMilestones(c.milestones), gamma: c.gamma };
    case 'cosine':
      return { kind: 'cosine', lr, minLr: c.minLr, warmupEpochs: c.warmupEpochs };
    case 'cyclic':
      return {
        kind: 'cyclic',
        mode: c.cyclicMode,
        maxLr: lr,
        minLr: c.minLr,
        peakFraction: c.peakFraction,
        cycleEpochs: c.cycleEpochs,
      };
    case 'accelat':
      return {
        kind: 'accelat',
        lr,
        ftEp: c.ftEp,
        sdEp: c.sdEp,
        pw: c.pw,
        paLr: c.paLr,
        fiLr: c.fiLr,
      };
  }
}

/** The engine's training config for these settings (validated by the engine, which names bad fields). */
export function trainConfigFromSetup(c: SetupConfig): TrainConfigInput {
  return {
    epochs: c.epochs,
    batchSize: c.batchSize,
    seed: c.trainSeed,
    objective: objectiveInput(c),
    optimizer: { kind: c.optimizer },
    schedule: scheduleInput(c),
    validation: { subsetSize: c.valSubset, steps: c.valSteps, eps: c.eps },
  };
}

/** Only the settings of a store state (drops the actions). */
export function pickSetup(s: SetupConfig): SetupConfig {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) out[k] = s[k];
  return out as unknown as SetupConfig;
}

export interface SetupState extends SetupConfig {
  /** change some settings; the URL follows */
  update(patch: Partial<SetupConfig>): void;
  /** every setting back to its default */
  resetDefaults(): void;
}

function defaults(): SetupConfig {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) out[k] = SETUP_FIELDS[k].def;
  return out as unknown as SetupConfig;
}

export const useSetup = create<SetupState>()((set, get) => ({
  ...readSetupFromUrl(),
  update(patch) {
    set(patch);
    writeSetupToUrl(pickSetup(get()));
  },
  resetDefaults() {
    set(defaults());
    writeSetupToUrl(defaults());
  },
}));
