/**
 * The Prune view's state: the pruning settings (criterion, granularity, scope and the slider's
 * sparsity, all mirrored in the URL query), the prepared slider, the figures of the latest
 * evaluated sparsity, the accuracy-against-sparsity curves and fine-tuning.
 *
 * Flow: `prepare(modelVersion)` scores the model (engine.computeScores) and builds the slider's
 * evaluator (engine.prepareSlider); then each slider move calls `setSparsity`, which evaluates the
 * newest value once per animation frame (engine.evaluateSparsity). Stale work follows one rule,
 * "latest request wins" (lib/latest.ts): a new preparation aborts the old one's calls and its
 * evaluations, a new evaluation the older one, a slider move running curves; results, partial
 * figures and errors of a superseded request are dropped. Sparsity is a fraction removed
 * (hundredths: the slider's steps); only the slider's label shows percent.
 */
import { create } from 'zustand';
import {
  CRITERION_NAMES,
  sliderPosition,
  type Criterion,
  type EvaluateResult,
  type PathInfo,
  type Progress,
  type SliderInfo,
  type SliderPoint,
  type SparsityCurve,
  type TrainConfigInput,
  type TrainTick,
} from '../../workers/protocol';
import { callback, errorMessage, getEngine } from '../engine-client';
import { readNumber, readParam, writeParams } from '../url';
import { useCore } from './core';
import { CURVE_SPARSITIES, GRANULARITIES, SCOPES, type PruneSettings } from '../lib/prune-options';
import { latest } from '../lib/latest';
import { progressText, tickText } from '../lib/progress';

export interface PruneState extends PruneSettings {
  /** the slider's value: the fraction removed, in hundredths from 0 to 0.99 */
  sparsity: number;
  /** `${modelVersion}|${criterion}|${granularity}|${scope}` of the ready slider, else null */
  preparedKey: string | null;
  /** the key being prepared (null when idle) */
  preparingKey: string | null;
  /** the prepared slider: evaluation set, dense figures, attacks, limits */
  slider: SliderInfo | null;
  /** the fine-tuned paths shipped for the current model (empty unless it is the default one) */
  paths: PathInfo[];
  /** the latest figures received, and the slider value (fraction) they belong to */
  point: SliderPoint | null;
  pointSparsity: number | null;
  curves: SparsityCurve[] | null;
  curvesBusy: boolean;
  fineTuning: boolean;
  setSettings(settings: Partial<PruneSettings>): void;
  /** move the slider (fraction removed, rounded to hundredths); evaluation follows within a frame */
  setSparsity(sparsity: number): void;
  /** score the model and build the slider for the current settings (no-op when up to date) */
  prepare(modelVersion: number): Promise<void>;
  /** resolves when the running preparation (if any) has its first figures */
  settled(): Promise<void>;
  /** evaluate the slider's current value now */
  evaluate(): Promise<void>;
  /** accuracy-against-sparsity curves: the current criterion, magnitude and random */
  loadCurves(): Promise<void>;
  /**
   * Adversarial fine-tuning under the mask at the slider's sparsity. The worker keeps the slider's
   * ranking with that sparsity as its floor, so the slider is NOT re-prepared afterwards: it is
   * re-evaluated on the fine-tuned weights.
   */
  fineTune(config: TrainConfigInput): Promise<void>;
  /** stop a running fine-tuning (the weights so far are kept) */
  stopFineTune(): Promise<void>;
}

const WHITE_BOX_ATTACKS = ['fgsm', 'pgd-linf'] as const;

/** Hundredths in [0, 0.99]: the slider's steps. */
function toStep(sparsity: number): number {
  return Math.min(99, Math.max(0, Math.round(sparsity * 100))) / 100;
}

/** The app opens at 90% on the anomaly end-to-end path (docs/experiments.md, study 2). */
const initialSparsity = toStep(readNumber('sparsity', 0, 0.99) ?? 0.9);

const abortCall = (id: string) => getEngine().abort(id);

/** The store's requests (latest wins, lib/latest.ts) and timers: nothing here is rendered. */
const work = {
  prepare: latest('prepare', abortCall),
  evaluate: latest('evaluate', abortCall),
  curves: latest('curves', abortCall),
  /** the running preparation, if any (exports and fine-tuning wait for it) */
  preparation: null as Promise<void> | null,
  frame: null as number | null,
  curvesTimer: null as ReturnType<typeof setTimeout> | null,
  urlTimer: null as ReturnType<typeof setTimeout> | null,
};

/** Curves start once the slider has been still this long (ms), so they never slow a drag. */
const CURVES_IDLE_MS = 800;

function keyOf(s: PruneSettings, modelVersion: number): string {
  return `${modelVersion}|${s.criterion}|${s.granularity}|${s.scope}|${s.path ? 'path' : 'one-shot'}`;
}

function fail(e: unknown): void {
  useCore.getState().setError(errorMessage(e));
  useCore.getState().setActivity('');
}

/**
 * A progress callback for the activity line that goes quiet once `end()` is called: the worker
 * throttles progress and may send the last event after the call's result.
 */
function activityFeed<T>(text: (event: T) => string, live: () => boolean = () => true) {
  let ended = false;
  return {
    cb: callback((event: T) => {
      if (!ended && live()) useCore.getState().setActivity(text(event));
    }),
    end() {
      ended = true;
    },
  };
}

type Set = (partial: Partial<PruneState>) => void;

/**
 * Score the model, build the slider's evaluator and evaluate the slider's value; the curves are
 * then started without being awaited. Resolves once the slider's first figures are in.
 */
async function runPreparation(key: string, s: PruneSettings, set: Set, get: () => PruneState) {
  // the old preparation's calls, its evaluations and any curves stop in the worker
  const req = work.prepare.begin();
  work.evaluate.abort();
  work.curves.abort();
  const live = () => req.live();
  set({
    preparingKey: key,
    preparedKey: null,
    slider: null,
    point: null,
    pointSparsity: null,
    curves: null,
    curvesBusy: false,
  });
  const engine = getEngine();
  const core = useCore.getState();
  // ?evalN= sets the slider's evaluation images (default 1000) and ?whitebox= its white-box
  // attack (default PGD-10; 'fgsm' is ten times cheaper): for slow (software) backends
  const evalN = readNumber('evalN', 50, 10000);
  const whiteBox = readParam('whitebox', WHITE_BOX_ATTACKS);
  const settings = {
    criterion: s.criterion,
    granularity: s.granularity,
    scope: s.scope,
    ...(evalN !== undefined ? { evalN: Math.round(evalN) } : {}),
    ...(whiteBox !== undefined ? { whiteBoxAttack: { name: whiteBox } } : {}),
  };
  try {
    const paths = await req.call((t) => engine.shippedPaths(t));
    if (!live()) return;
    set({ paths });
    const onPath =
      s.path &&
      s.granularity === 'unstructured' &&
      s.scope === 'global' &&
      paths.some((p) => p.criterion === s.criterion);
    if (!onPath) {
      core.setActivity(`scoring weights: ${s.criterion}, ${s.granularity}…`);
      const scoring = activityFeed((p: Progress) => `scoring: ${progressText(p)}`, live);
      await req.call((t) => engine.computeScores(settings, scoring.cb, t)).finally(scoring.end);
      if (!live()) return;
    }
    core.setActivity('preparing the slider (transfer set on the dense model)…');
    const preparing = activityFeed(
      (p: Progress) => `preparing the slider: ${progressText(p)}`,
      live,
    );
    const slider = await req
      .call((t) => engine.prepareSlider({ ...settings, path: onPath }, preparing.cb, t))
      .finally(preparing.end);
    if (!live()) return;
    req.end();
    set({ preparedKey: key, preparingKey: null, slider });
    core.setActivity('');
    await get().evaluate();
  } catch (e) {
    if (!live()) return;
    req.end();
    set({ preparingKey: null });
    fail(e);
  }
}

export const usePrune = create<PruneState>()((set, get) => ({
  criterion: readParam('criterion', CRITERION_NAMES) ?? 'anomaly-learned',
  granularity: readParam('granularity', GRANULARITIES) ?? 'unstructured',
  scope: readParam('scope', SCOPES) ?? 'global',
  path: readParam('path', ['on', 'off'] as const) !== 'off',
  paths: [],
  sparsity: initialSparsity,
  preparedKey: null,
  preparingKey: null,
  slider: null,
  point: null,
  pointSparsity: null,
  curves: null,
  curvesBusy: false,
  fineTuning: false,

  setSettings(settings) {
    const { path, ...rest } = settings;
    writeParams({
      ...(rest as Record<string, string | undefined>),
      ...(path !== undefined ? { path: path ? undefined : 'off' } : {}),
    });
    set(settings);
  },

  setSparsity(sparsity) {
    set({ sparsity: toStep(sparsity) });
    // the slider has priority: running curves are abandoned and restarted when it is still
    if (work.curvesTimer !== null) clearTimeout(work.curvesTimer);
    if (get().curvesBusy) {
      work.curves.abort();
      set({ curvesBusy: false });
    }
    if (work.urlTimer !== null) clearTimeout(work.urlTimer);
    work.urlTimer = setTimeout(() => {
      work.urlTimer = null;
      writeParams({ sparsity: get().sparsity });
    }, 250);
    if (work.frame === null) {
      work.frame = requestAnimationFrame(() => {
        work.frame = null;
        void get().evaluate();
      });
    }
  },

  prepare(modelVersion) {
    const s = get();
    const key = keyOf(s, modelVersion);
    if (key === s.preparedKey || key === s.preparingKey)
      return work.preparation ?? Promise.resolve();
    const run = runPreparation(key, s, set, get);
    work.preparation = run;
    void run.finally(() => {
      if (work.preparation === run) work.preparation = null;
    });
    return run;
  },

  settled() {
    return work.preparation ?? Promise.resolve();
  },

  async evaluate() {
    const { preparedKey, fineTuning, slider } = get();
    // while fine-tuning the worker refuses model reads: evaluated when it ends
    if (preparedKey === null || fineTuning || !slider) return;
    const req = work.evaluate.begin();
    const asked = get().sparsity;
    // above the per-layer caps the ranking cannot remove more: the figures are those of the cap
    const { sparsity } = sliderPosition(asked, slider);
    // partials: clean + transfer, then white-box estimates (point.estimate), then the final
    const show = (point: SliderPoint) => {
      if (req.live()) set({ point, pointSparsity: asked });
    };
    try {
      const res = await req.call<EvaluateResult>((t) =>
        getEngine().evaluateSparsity(
          sparsity,
          callback((p: SliderPoint) => show(p)),
          t,
        ),
      );
      if (res.status !== 'done' || !req.live()) return;
      show(res.point);
      req.end();
      if (get().curves || get().curvesBusy) return;
      if (work.curvesTimer !== null) clearTimeout(work.curvesTimer);
      const prepared = get().preparedKey;
      work.curvesTimer = setTimeout(() => {
        work.curvesTimer = null;
        const now = get();
        if (now.preparedKey === prepared && !now.curves && !now.curvesBusy) void now.loadCurves();
      }, CURVES_IDLE_MS);
    } catch (e) {
      if (req.live()) fail(e);
    }
  },

  async loadCurves() {
    const s = get();
    const req = work.curves.begin();
    const current = () => req.live();
    const criteria = [...new Set<Criterion>([s.criterion, 'magnitude', 'random'])];
    set({ curvesBusy: true });
    const core = useCore.getState();
    try {
      const feed = activityFeed((p: Progress) => `accuracy ${progressText(p)}`, current);
      const curves = await req
        .call((t) => getEngine().sparsityCurve(criteria, CURVE_SPARSITIES, feed.cb, t))
        .finally(feed.end);
      if (!current()) return;
      req.end();
      set({ curves, curvesBusy: false });
      core.setActivity('');
    } catch (e) {
      if (!current()) return;
      req.end();
      set({ curvesBusy: false });
      fail(e);
    }
  },

  async fineTune(config) {
    const core = useCore.getState();
    if (get().fineTuning || get().preparedKey === null) return;
    // the worker fine-tunes the mask of the last evaluated sparsity: make it the slider's
    await get().settled();
    if (get().pointSparsity !== get().sparsity) await get().evaluate();
    const before = get();
    if (before.preparedKey === null || !before.slider) return;
    const oldKey = keyOf(before, useCore.getState().modelVersion);
    const floor = sliderPosition(before.sparsity, before.slider).masked;
    set({ fineTuning: true });
    let ran = false;
    try {
      core.setActivity('fine-tuning the pruned model…');
      const feed = activityFeed((t: TrainTick) => `fine-tuning: ${tickText(t)}`);
      const state = await getEngine().fineTunePruned(config, feed.cb).finally(feed.end);
      ran = state.step > 0;
      core.setActivity(
        state.status === 'completed' ? '' : `fine-tuning ${state.status}: ${state.message}`,
      );
    } catch (e) {
      fail(e);
    } finally {
      set({ fineTuning: false });
    }
    if (!ran) return;
    core.modelChanged();
    const now = get();
    if (now.preparedKey !== oldKey || !now.slider) return;
    // same slider, new weights: keep the ranking (the worker does), re-evaluate everything
    work.evaluate.abort();
    work.curves.abort();
    set({
      preparedKey: keyOf(now, useCore.getState().modelVersion),
      slider: { ...now.slider, fineTunedSparsity: floor },
      point: null,
      pointSparsity: null,
      curves: null,
      curvesBusy: false,
    });
    await get().evaluate();
  },

  async stopFineTune() {
    try {
      await getEngine().pause();
    } catch (e) {
      fail(e);
    }
  },
}));
