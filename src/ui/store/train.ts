/**
 * The Train view's state: the run's status and step count, the live per-step points (loss, clean
 * and adversarial batch accuracy, learning rate), per-epoch metrics and learning-rate changes.
 * Training runs in the worker (`train`, `step`, `resume`, `pause`, `resetTraining`); ticks arrive
 * at most ~10 per second and the point list stays bounded (older points are thinned). When a run
 * resolves (completed, paused, diverged, ...) the other views are told the weights changed.
 */
import { create } from 'zustand';
import type { TrainConfigInput } from '../../workers/protocol';
import type { EpochMetrics, LrChangeRecord } from '../../workers/protocol';
import type { TrainState, TrainTick } from '../../workers/protocol';
import { callback, errorMessage, getEngine } from '../engine-client';
import { useCore } from './core';

/** One chart point per tick. Accuracies in [0, 1]; loss in nats. */
export interface TickPoint {
  step: number;
  epoch: number;
  loss: number;
  clean: number;
  adv: number | null;
  lr: number;
}

/** At most this many tick points are kept; beyond it the older part is thinned by half. */
export const MAX_POINTS = 2000;
/** The newest points that thinning never touches. */
const KEEP_RECENT = 500;

/** Append `p`, thinning older points (every other one) when the list exceeds MAX_POINTS. */
export function appendBounded(points: readonly TickPoint[], p: TickPoint): TickPoint[] {
  const next = [...points, p];
  if (next.length <= MAX_POINTS) return next;
  const cut = next.length - KEEP_RECENT;
  const older = next.slice(0, cut).filter((_, i) => i % 2 === 0);
  return [...older, ...next.slice(cut)];
}

export type RunStatus = TrainState['status'];

export interface TrainStore {
  /** the run's id in the worker's run store (null without a run) */
  runId: string | null;
  status: RunStatus;
  /** 'train', 'finetune' (started by the Prune view) or null without a run */
  kind: TrainState['kind'];
  /** total optimizer steps of the run (0 before one starts) */
  totalSteps: number;
  /** optimizer steps the current run has done */
  step: number;
  /** the latest tick (progress, ETA, throughput), null before the first */
  last: TrainTick | null;
  points: TickPoint[];
  history: EpochMetrics[];
  /** the engine's logged changes (authoritative once a run resolves) */
  lrChanges: LrChangeRecord[];
  /** 'diverged' / 'catastrophic-overfitting' / error explanation from the engine ('' if none) */
  message: string;
  /** a worker call (train, step, resume, reset) is in flight */
  busy: boolean;
  play(config: TrainConfigInput): Promise<void>;
  pause(): Promise<void>;
  step1(config: TrainConfigInput): Promise<void>;
  reset(): Promise<void>;
  /** read the worker's training state (after a model change or on opening the view) */
  sync(): Promise<void>;
  /** take the state of a run the worker reopened (stored run, recovery) */
  adopt(st: TrainState): void;
  /** continue the worker's current (paused or reopened) run */
  continueRun(): Promise<void>;
  /** the worker died: nothing is in flight any more (its calls will never answer) */
  engineLost(): void;
  /** no run at all (a restarted worker without the old run) */
  forget(): void;
}

const EMPTY = {
  step: 0,
  totalSteps: 0,
  last: null,
  points: [] as TickPoint[],
  history: [] as EpochMetrics[],
  lrChanges: [] as LrChangeRecord[],
  message: '',
};

/** The store's fields that mirror the worker's TrainState. */
function fromState(st: TrainState) {
  return {
    runId: st.runId,
    status: st.status,
    kind: st.kind,
    step: st.step,
    totalSteps: st.totalSteps,
    history: st.history,
    lrChanges: st.lrChanges,
    message: st.message,
  };
}

/** Schedules whose changes are discrete drops (marked live); cosine and cyclic anneal smoothly. */
const DISCRETE: readonly string[] = ['accelat', 'multistep'];

/** Statuses from which Play and Step continue the same run (it keeps a checkpoint). */
const RESUMABLE: readonly RunStatus[] = ['paused', 'stopped'];

/** Whether the worker's current run is a training run that Play / Step continue. */
function resumable(s: { status: RunStatus; kind: TrainState['kind'] }): boolean {
  return s.kind === 'train' && RESUMABLE.includes(s.status);
}

export const useTrain = create<TrainStore>()((set, get) => {
  /** whether the run's schedule changes lr in discrete drops (marked live from the ticks) */
  let discrete = false;
  /** the in-flight train / step / resume call, awaited by reset */
  let inflight: Promise<void> | null = null;
  const onTick = (t: TrainTick) => {
    const s = get();
    const prev = s.points[s.points.length - 1];
    // a drop seen live; the engine's record replaces it when the run resolves. Discrete drops
    // start at an epoch's first step (AccelAT, multistep), or else at this tick's step.
    const first =
      prev !== undefined && prev.epoch !== t.epoch ? t.epoch * t.batchesPerEpoch : t.step - 1;
    const live: LrChangeRecord[] =
      discrete && prev !== undefined && prev.lr !== t.lr
        ? [
            ...s.lrChanges,
            { from: prev.lr, to: t.lr, epoch: t.epoch, step: first, reason: 'seen live' },
          ]
        : s.lrChanges;
    set({
      step: t.step,
      totalSteps: t.epochs * t.batchesPerEpoch,
      last: t,
      lrChanges: live,
      points: appendBounded(s.points, {
        step: t.step,
        epoch: t.epoch,
        loss: t.loss,
        clean: t.cleanAcc,
        adv: t.advAcc,
        lr: t.lr,
      }),
    });
  };
  const onEpoch = (e: EpochMetrics) => {
    set({ history: [...get().history.filter((h) => h.epoch !== e.epoch), e] });
  };

  /** Apply a resolved TrainState and tell the other views the weights changed. */
  const settle = (st: TrainState) => {
    set({ ...fromState(st), busy: false });
    useCore.getState().modelChanged();
  };

  const run = async (call: () => Promise<TrainState>, fresh: boolean, config: TrainConfigInput) => {
    if (get().busy) return;
    if (fresh) discrete = DISCRETE.includes(config.schedule?.kind ?? 'constant');
    set({ busy: true, status: 'running', message: '', ...(fresh ? EMPTY : {}) });
    const done = (async () => {
      try {
        settle(await call());
      } catch (e) {
        set({ busy: false, status: 'idle' });
        useCore.getState().setError(errorMessage(e));
        await get().sync();
      }
    })();
    inflight = done;
    await done;
    if (inflight === done) inflight = null;
  };

  return {
    runId: null,
    status: 'idle',
    kind: null,
    busy: false,
    ...EMPTY,

    adopt(st) {
      discrete = false;
      inflight = null;
      set({ ...EMPTY, ...fromState(st), busy: false });
    },

    forget() {
      inflight = null;
      set({ ...EMPTY, runId: null, status: 'idle', kind: null, busy: false });
    },

    async continueRun() {
      const engine = getEngine();
      await run(() => engine.resume(callback(onTick), callback(onEpoch)), false, {});
    },

    engineLost() {
      inflight = null;
      set({ busy: false, status: get().status === 'running' ? 'paused' : get().status });
    },

    async play(config) {
      const engine = getEngine();
      const resume = resumable(get());
      await run(
        () =>
          resume
            ? engine.resume(callback(onTick), callback(onEpoch))
            : engine.train(config, callback(onTick), callback(onEpoch)),
        !resume,
        config,
      );
    },

    async pause() {
      try {
        await getEngine().pause();
      } catch (e) {
        useCore.getState().setError(errorMessage(e));
      }
    },

    async step1(config) {
      const fresh = !resumable(get());
      await run(() => getEngine().step(config, callback(onTick), callback(onEpoch)), fresh, config);
    },

    async reset() {
      if (inflight) {
        // the worker resets only a run that is not running: pause it and wait for it to settle
        await get().pause();
        await inflight;
      }
      try {
        const had = get().kind !== null;
        const st = await getEngine().resetTraining();
        set({
          ...EMPTY,
          runId: st.runId,
          status: st.status,
          kind: st.kind,
          step: st.step,
          busy: false,
        });
        // the run's starting weights are restored
        if (had) useCore.getState().modelChanged();
      } catch (e) {
        useCore.getState().setError(errorMessage(e));
      }
    },

    async sync() {
      if (get().busy) return;
      try {
        const st = await getEngine().trainState();
        if (get().busy) return;
        if (st.step === 0)
          set({ ...EMPTY, runId: st.runId, status: st.status, kind: st.kind, message: st.message });
        else set(fromState(st));
      } catch (e) {
        useCore.getState().setError(errorMessage(e));
      }
    },
  };
});
