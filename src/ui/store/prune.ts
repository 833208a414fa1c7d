/**
 * The Prune view's state: the pruning settings (criterion, granularity, scope and the slider's
 * sparsity, all mirrored in the URL query), the prepared slider, the figures of the latest
 * evaluated sparsity, the accuracy-against-sparsity curves and fine-tuning.
 *
 * Flow: `prepare(modelVersion)` scores the model (engine.computeScores) and builds the slider's
 * evaluator (engine.prepareSlider); then each slider move calls `setSparsity`, which evaluates the
 * newest value once per animation frame (engine.evaluateSparsity; the worker supersedes stale
 * calls). A figure is "ready" only when it was computed for the slider's CURRENT value under the
 * current preparation (`generation`): results of older preparations or older requests are dropped.
 */
import { create } from 'zustand';
import type {
  Criterion,
  PathInfo,
  Progress,
  SliderInfo,
  SliderPoint,
  SparsityCurve,
  TrainConfigInput,
  TrainTick,
} from '../../workers/protocol';
import { callback, errorMessage, getEngine } from '../engine-client';
import { readNumber, readParam, writeParams } from '../url';
import { useCore } from './core';
import {
  CRITERIA,
  CURVE_SPARSITIES,
  GRANULARITIES,
  SCOPES,
  type PruneSettings,
} from '../components/prune/options';
import { progressText, tickText } from '../components/prune/progress';

export interface PruneState extends PruneSettings {
  /** the slider's value: percent removed, integer in [0, 99] */
  sparsityPct: number;
  /** `${modelVersion}|${criterion}|${granularity}|${scope}` of the ready slider, else null */
  preparedKey: string | null;
  /** the key being prepared (null when idle) */
  preparingKey: string | null;
  /** the prepared slider: evaluation set, dense figures, attacks, limits */
  slider: SliderInfo | null;
  /** the fine-tuned paths shipped for the current model (empty unless it is the default one) */
  paths: PathInfo[];
  /** the latest figures received, and the slider value (percent) they belong to */
  point: SliderPoint | null;
  pointPct: number | null;
  curves: SparsityCurve[] | null;
  curvesBusy: boolean;
  fineTuning: boolean;
  setSettings(settings: Partial<PruneSettings>): void;
  /** move the slider (percent); evaluation follows within an animation frame */
  setSparsity(pct: number): void;
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

/** The app opens at 90% on the anomaly end-to-end path (docs/experiments.md, study 2). */
const initialPct = Math.round((readNumber('sparsity', 0, 0.99) ?? 0.9) * 100);

/** bumped by every preparation: results of an older one are dropped */
let generation = 0;
/**
 * bumped by every evaluation request; `shownSeq` is the request the shown point came from, and
 * `finalSeq` the last request whose final point was shown (its late partials are dropped: the
 * worker's callbacks and results travel on different message ports)
 */
let requestSeq = 0;
let shownSeq = 0;
let finalSeq = 0;
let frame: number | null = null;
/** the running preparation, if any (exports wait for it) */
let preparation: Promise<void> | null = null;
/** bumped when a curve computation is started or abandoned: only the newest one is shown */
let curvesRun = 0;
let curvesTimer: ReturnType<typeof setTimeout> | null = null;
/** a cancel() on its way to the worker: our calls wait for it, or it would abort them too */
let cancelling: Promise<void> = Promise.resolve();

/** Curves start once the slider has been still this long (ms), so they never slow a drag. */
const CURVES_IDLE_MS = 800;

/**
 * Abort the worker's running calls (stale curves, scoring, evaluations: the worker's cancel()
 * aborts every running call), unless a training run is among them.
 */
function cancelWorkerCalls(): Promise<void> {
  cancelling = cancelling
    .then(async () => {
      const engine = getEngine();
      const t = await engine.trainState();
      if (t.status !== 'running') await engine.cancel();
    })
    .catch(() => undefined);
  return cancelling;
}
let urlTimer: ReturnType<typeof setTimeout> | null = null;

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
  const gen = ++generation;
  const live = () => gen === generation;
  const stale = get().curvesBusy || get().preparingKey !== null;
  set({
    preparingKey: key,
    preparedKey: null,
    slider: null,
    point: null,
    pointPct: null,
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
    // stop the worker's work for the old settings (curves, scoring): it would slow this down
    await (stale ? cancelWorkerCalls() : cancelling);
    const paths = await engine.shippedPaths();
    if (gen !== generation) return;
    set({ paths });
    const onPath =
      s.path &&
      s.granularity === 'unstructured' &&
      s.scope === 'global' &&
      paths.some((p) => p.criterion === s.criterion);
    if (!onPath) {
      core.setActivity(`scoring weights: ${s.criterion}, ${s.granularity}…`);
      const scoring = activityFeed((p: Progress) => `scoring: ${progressText(p)}`, live);
      await engine.computeScores(settings, scoring.cb).finally(scoring.end);
      if (gen !== generation) return;
    }
    core.setActivity('preparing the slider (transfer set on the dense model)…');
    const preparing = activityFeed(
      (p: Progress) => `preparing the slider: ${progressText(p)}`,
      live,
    );
    const slider = await engine
      .prepareSlider({ ...settings, path: onPath }, preparing.cb)
      .finally(preparing.end);
    if (gen !== generation) return;
    set({ preparedKey: key, preparingKey: null, slider });
    core.setActivity('');
    await get().evaluate();
  } catch (e) {
    if (gen !== generation) return;
    set({ preparingKey: null });
    fail(e);
  }
}

export const usePrune = create<PruneState>()((set, get) => ({
  criterion:
    readParam(
      'criterion',
      CRITERIA.map((c) => c.value),
    ) ?? 'anomaly-learned',
  granularity: readParam('granularity', GRANULARITIES) ?? 'unstructured',
  scope: readParam('scope', SCOPES) ?? 'global',
  path: readParam('path', ['on', 'off'] as const) !== 'off',
  paths: [],
  sparsityPct: initialPct,
  preparedKey: null,
  preparingKey: null,
  slider: null,
  point: null,
  pointPct: null,
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

  setSparsity(pct) {
    const value = Math.min(99, Math.max(0, Math.round(pct)));
    set({ sparsityPct: value });
    // the slider has priority: running curves are abandoned and restarted when it is still
    if (curvesTimer !== null) clearTimeout(curvesTimer);
    if (get().curvesBusy) {
      curvesRun++;
      set({ curvesBusy: false });
      void cancelWorkerCalls();
    }
    if (urlTimer !== null) clearTimeout(urlTimer);
    urlTimer = setTimeout(() => {
      urlTimer = null;
      writeParams({ sparsity: get().sparsityPct / 100 });
    }, 250);
    if (frame === null) {
      frame = requestAnimationFrame(() => {
        frame = null;
        void get().evaluate();
      });
    }
  },

  prepare(modelVersion) {
    const s = get();
    const key = keyOf(s, modelVersion);
    if (key === s.preparedKey || key === s.preparingKey) return preparation ?? Promise.resolve();
    const run = runPreparation(key, s, set, get);
    preparation = run;
    void run.finally(() => {
      if (preparation === run) preparation = null;
    });
    return run;
  },

  settled() {
    return preparation ?? Promise.resolve();
  },

  async evaluate() {
    const { preparedKey, fineTuning, slider } = get();
    // while fine-tuning the worker refuses model reads: evaluated when it ends
    if (preparedKey === null || fineTuning || !slider) return;
    const gen = generation;
    const seq = ++requestSeq;
    const pct = get().sparsityPct;
    // above the per-layer caps the ranking cannot remove more: the figures are those of the cap
    const sparsity = Math.min(pct / 100, slider.maxSparsity);
    // partials: clean + transfer, then white-box estimates (point.estimate), then the final
    const show = (point: SliderPoint, final = false) => {
      if (gen !== generation || seq < shownSeq || seq === finalSeq) return;
      shownSeq = seq;
      if (final) finalSeq = seq;
      set({ point, pointPct: pct });
    };
    try {
      await cancelling;
      const res = await getEngine().evaluateSparsity(
        sparsity,
        callback((p: SliderPoint) => show(p)),
      );
      if (res.status !== 'done' || gen !== generation) return;
      show(res.point, true);
      if (get().curves || get().curvesBusy) return;
      if (curvesTimer !== null) clearTimeout(curvesTimer);
      curvesTimer = setTimeout(() => {
        curvesTimer = null;
        const now = get();
        if (gen === generation && !now.curves && !now.curvesBusy) void now.loadCurves();
      }, CURVES_IDLE_MS);
    } catch (e) {
      if (gen === generation) fail(e);
    }
  },

  async loadCurves() {
    const s = get();
    const gen = generation;
    const run = ++curvesRun;
    const current = () => gen === generation && run === curvesRun;
    const criteria = [...new Set<Criterion>([s.criterion, 'magnitude', 'random'])];
    set({ curvesBusy: true });
    const core = useCore.getState();
    try {
      await cancelling;
      const feed = activityFeed((p: Progress) => `accuracy ${progressText(p)}`, current);
      const curves = await getEngine()
        .sparsityCurve(criteria, CURVE_SPARSITIES, feed.cb)
        .finally(feed.end);
      if (!current()) return;
      set({ curves, curvesBusy: false });
      core.setActivity('');
    } catch (e) {
      if (!current()) return;
      set({ curvesBusy: false });
      fail(e);
    }
  },

  async fineTune(config) {
    const core = useCore.getState();
    if (get().fineTuning || get().preparedKey === null) return;
    // the worker fine-tunes the mask of the last evaluated sparsity: make it the slider's
    await get().settled();
    if (get().pointPct !== get().sparsityPct) await get().evaluate();
    const before = get();
    if (before.preparedKey === null || !before.slider) return;
    const oldKey = keyOf(before, useCore.getState().modelVersion);
    const floor = Math.min(before.sparsityPct / 100, before.slider.maxSparsity);
    set({ fineTuning: true });
    let ran = false;
    try {
      core.setActivity('fine-tuning the pruned model…');
      await cancelling;
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
    generation++;
    set({
      preparedKey: keyOf(now, useCore.getState().modelVersion),
      slider: {
        ...now.slider,
        fineTunedSparsity: Math.max(floor, now.slider.fineTunedSparsity ?? 0),
      },
      point: null,
      pointPct: null,
      curves: null,
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
