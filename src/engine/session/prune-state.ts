/**
 * The session's pruning state: cached scores per (criterion, granularity), the sparsity slider
 * (ranking + evaluator, slider.ts), its current sparsity and masks, and the fine-tuned floor. The
 * curves and the transfer benchmark, which only read scores and the slider's settings, live in
 * benchmarks.ts.
 *
 * Staleness: scores and the slider remember the weights version they were computed on; a slider
 * whose version moved is rebuilt on its next use (scores recomputed unless cached for that
 * version) — except after fineTunePruned, where the ranking is kept and only the evaluator is
 * rebuilt (slider.ts explains the floor).
 */
import { isSparsity, sliderPosition, type SliderLimits } from './slider-limits';
import { SPARSITY_TARGETED } from '../prune/criteria';
import type { AbortFlag } from '../attacks/options';
import type { Dataset } from '../data/dataset';
import type { SparsityEvaluator } from '../eval/sparsity-evaluator';
import type { Model } from '../model/types';
import { rankScores, type ScoreRanking } from '../prune/ranking';
import type { PlainMasks, ScoreSet } from '../prune/types';
import { SessionError } from './errors';
import {
  disposePath,
  loadCheckpoints,
  parsePathManifest,
  pathInfo,
  pathSource,
  type PathCheckpoint,
} from './path';
import {
  checkCriterion,
  computeScoreSet,
  DEFAULT_SCORE_SAMPLES,
  pgdAtBudget,
  resolveAttack,
} from './scoring';
import { buildEvaluator, DEFAULT_EVAL_N, maskSource, type SliderSettings } from './slider';
import type {
  Criterion,
  EvaluateResult,
  PathInfo,
  Progress,
  ScoreRequest,
  ScoreSummary,
  SliderInfo,
  SliderPoint,
  SliderRequest,
} from './types';

/** What the session lends a pruning call: the model and data (checked at each use), flags. */
export interface PruneCtx {
  get(): {
    model: Model;
    train: Dataset;
    test: Dataset;
    budget: string;
    version: number;
    /** where the model came from ('default' for the bundled model) */
    source?: string;
  };
  /** reads a file of the app's public folder (the shipped paths); absent in bare contexts */
  read?: (path: string) => Promise<Uint8Array>;
  signal: AbortFlag;
  onProgress?: (p: Progress) => void;
}

export interface ScoreEntry {
  set: ScoreSet;
  summary: ScoreSummary;
  version: number;
  samples: number;
  learnedSparsity: number;
}

interface Slider {
  settings: SliderSettings;
  /** the fine-tuned path, when the slider moves along one */
  path: {
    info: PathInfo;
    /** criterion of the one-shot ranking of the dense base below the first checkpoint */
    below: Criterion;
    checkpoints: PathCheckpoint[];
    source: ReturnType<typeof pathSource> | null;
  } | null;
  scores: ScoreSet | null;
  ranking: ScoreRanking | null;
  source: ReturnType<typeof maskSource> | null;
  rankingVersion: number;
  evaluator: SparsityEvaluator | null;
  evaluatorVersion: number;
  seconds: number;
}

export class PruneState {
  private cache = new Map<string, ScoreEntry>();
  private slider: Slider | null = null;
  private building: Promise<Slider> | null = null;
  private fineTuned: { sparsity: number } | null = null;
  private lastPoint: SliderPoint | null = null;
  /** the slider's current position (fraction removed) */
  sparsity = 0;

  /** Scores of the current model, from the cache when computed on the same weights. */
  async scores(ctx: PruneCtx, req: ScoreRequest): Promise<ScoreEntry> {
    const { model, train, budget, version } = ctx.get();
    const criterion = checkCriterion(req?.criterion);
    const samples = req.samples ?? DEFAULT_SCORE_SAMPLES;
    const targeted = SPARSITY_TARGETED.includes(criterion);
    const learnedSparsity = targeted ? (this.sparsity > 0 ? this.sparsity : 0.9) : 0;
    const key = `${criterion}|${req.granularity}|${targeted ? (req.scope ?? 'global') : ''}`;
    const hit = this.cache.get(key);
    if (
      hit &&
      hit.version === version &&
      hit.samples === samples &&
      hit.learnedSparsity === learnedSparsity
    )
      return hit;
    const { set, summary } = await computeScoreSet(
      { ...req, criterion, samples },
      { model, train, budget, learnedSparsity, signal: ctx.signal, onProgress: ctx.onProgress },
    );
    const entry = { set, summary, version, samples, learnedSparsity };
    this.cache.set(key, entry);
    return entry;
  }

  /** A new slider (drops the old one and the fine-tuned floor); returns the dense figures. */
  async prepare(ctx: PruneCtx, req: SliderRequest): Promise<SliderInfo> {
    const { budget } = ctx.get();
    const settings: SliderSettings = {
      criterion: checkCriterion(req?.criterion),
      granularity: req.granularity,
      scope: req.scope ?? 'global',
      evalN: req.evalN ?? DEFAULT_EVAL_N,
      samples: req.samples ?? DEFAULT_SCORE_SAMPLES,
      transferAttack: resolveAttack(req.transferAttack ?? { name: 'fgsm' }, budget),
      whiteBoxAttack:
        req.whiteBoxAttack === null
          ? null
          : resolveAttack(req.whiteBoxAttack ?? pgdAtBudget(budget), budget),
    };
    if (settings.scope !== 'global' && settings.scope !== 'layer')
      throw new SessionError(`scope must be 'global' or 'layer', got '${String(settings.scope)}'`);
    await this.reset(false);
    const path = req.path ? await this.loadPath(ctx, settings) : null;
    this.slider = {
      settings,
      path,
      scores: null,
      ranking: null,
      source: null,
      rankingVersion: -1,
      evaluator: null,
      evaluatorVersion: -1,
      seconds: 0,
    };
    const t0 = performance.now();
    const sl = await this.ensureEvaluator(ctx);
    sl.seconds = (performance.now() - t0) / 1000;
    return this.info(sl);
  }

  private info(sl: Slider): SliderInfo {
    const s = sl.settings;
    const ev = sl.evaluator as SparsityEvaluator;
    return {
      criterion: s.criterion,
      granularity: s.granularity,
      scope: s.scope,
      n: ev.n,
      maxSparsity: sl.ranking?.maxSparsity ?? 0,
      base: { ...ev.base },
      transferAttack: s.transferAttack,
      whiteBoxAttack: s.whiteBoxAttack,
      fineTunedSparsity: this.fineTuned?.sparsity ?? null,
      seconds: sl.seconds,
      path: sl.path?.info ?? null,
      deadUnits: typeof sl.scores?.meta.deadUnits === 'string' ? sl.scores.meta.deadUnits : null,
    };
  }

  /**
   * The shipped fine-tuned paths that apply to the current model (none unless it is the bundled
   * default model, or when the app has no paths/index.json).
   */
  async shippedPaths(ctx: PruneCtx): Promise<PathInfo[]> {
    const { source } = ctx.get();
    if (source !== 'default' || !ctx.read) return [];
    let text: string;
    try {
      text = new TextDecoder().decode(await ctx.read('models/paths/index.json'));
    } catch {
      return [];
    }
    // a missing file may come back as the app's index.html (a static server's SPA fallback)
    if (text.trimStart().startsWith('<')) return [];
    return parsePathManifest(JSON.parse(text)).paths.map(pathInfo);
  }

  /** Load the shipped path of the slider's criterion (checks model, granularity and scope). */
  private async loadPath(ctx: PruneCtx, s: SliderSettings): Promise<NonNullable<Slider['path']>> {
    const { model, source } = ctx.get();
    if (!ctx.read) throw new SessionError('this session cannot read the shipped paths');
    if (source !== 'default')
      throw new SessionError(
        'the fine-tuned path starts from the default model: load it to move along the path',
      );
    if (s.granularity !== 'unstructured' || s.scope !== 'global')
      throw new SessionError('the shipped paths are global unstructured pruning');
    const text = new TextDecoder().decode(await ctx.read('models/paths/index.json'));
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new SessionError(`models/paths/index.json is not JSON: ${(e as Error).message}`);
    }
    const p = parsePathManifest(raw).paths.find((q) => q.criterion === s.criterion);
    if (!p) throw new SessionError(`no fine-tuned path is shipped for '${s.criterion}'`);
    const read = ctx.read;
    const files = [];
    for (const c of p.checkpoints)
      files.push({ sparsity: c.sparsity, name: c.file, bytes: await read(`models/${c.file}`) });
    const checkpoints = await loadCheckpoints(model, files);
    return { info: pathInfo(p), below: p.below, checkpoints, source: null };
  }

  private requireSlider(): Slider {
    if (!this.slider)
      throw new SessionError('the slider is not prepared: choose a pruning criterion first');
    return this.slider;
  }

  /** Scores and ranking of the slider on the current weights (kept as is after fine-tuning). */
  private async ensureRanking(ctx: PruneCtx, sl: Slider): Promise<void> {
    const { model, version } = ctx.get();
    if (sl.ranking && (this.fineTuned || sl.rankingVersion === version)) return;
    const s = sl.settings;
    const entry = await this.scores(
      ctx,
      sl.path ? { ...s, criterion: sl.path.below } : s, // a path ranks the dense base one-shot
    );
    sl.scores = entry.set;
    sl.ranking = rankScores(model.spec, entry.set, { scope: s.scope });
    if (sl.path) {
      sl.path.source = pathSource(model, sl.ranking, sl.path.checkpoints);
      const along = sl.path.source;
      sl.source = { last: null, masksAt: (x) => along.masksAt(x), modelAt: along.modelAt };
    } else sl.source = maskSource(sl.ranking, () => this.limits(sl.ranking));
    sl.rankingVersion = version;
  }

  private async ensureEvaluator(ctx: PruneCtx): Promise<Slider> {
    const sl = this.requireSlider();
    const { version } = ctx.get();
    if (sl.evaluator && sl.evaluatorVersion === version && sl.ranking) return sl;
    this.building ??= (async () => {
      try {
        await this.ensureRanking(ctx, sl);
        const { model, test } = ctx.get();
        const old = sl.evaluator;
        sl.evaluator = null;
        await old?.dispose();
        sl.evaluator = await buildEvaluator(
          model,
          test,
          sl.settings,
          sl.source as NonNullable<Slider['source']>,
          true,
          ctx.signal,
          ctx.onProgress,
        );
        sl.evaluatorVersion = version;
        if (this.slider !== sl) await sl.evaluator.dispose(); // replaced meanwhile
        return sl;
      } finally {
        this.building = null;
      }
    })();
    return this.building;
  }

  /** One slider position; resolves 'superseded' when a newer call arrives. */
  async evaluate(
    ctx: PruneCtx,
    sparsity: number,
    onPartial?: (p: SliderPoint) => void,
  ): Promise<EvaluateResult> {
    // validated at the Session boundary (session.ts evaluateSparsity)
    if (!isSparsity(sparsity)) throw new Error(`internal: unchecked sparsity ${String(sparsity)}`);
    const sl = await this.ensureEvaluator(ctx);
    const ranking = sl.ranking as ScoreRanking;
    if (sliderPosition(sparsity, this.limits(ranking)).capped)
      throw new SessionError(
        `sparsity ${(100 * sparsity).toFixed(1)}% is above the ${(100 * ranking.maxSparsity).toFixed(1)}% the per-layer caps allow for ${sl.settings.granularity} pruning`,
      );
    this.sparsity = sparsity;
    // the partial point carries the evaluator's own report: nothing is recomputed for it
    const res = await (sl.evaluator as SparsityEvaluator).evaluate(sparsity, {
      signal: ctx.signal,
      onPartial: (p) =>
        onPartial?.({ ...p, whiteBox: null, path: sl.path?.source?.describe(sparsity) ?? null }),
    });
    if (res.status !== 'done') return res;
    const { ms: _ms, ...rest } = res.point;
    const point: SliderPoint = { ...rest, path: sl.path?.source?.describe(sparsity) ?? null };
    this.lastPoint = point;
    return { status: 'done', point };
  }

  /**
   * The slider's masks (null when dense), its criterion's scores (null without a slider) and, on
   * a path, the checkpoint's weights the masks apply to (else null: the current model).
   */
  async viewState(
    ctx: PruneCtx,
  ): Promise<{ masks: PlainMasks | null; scores: ScoreSet | null; model: Model | null }> {
    const sl = this.slider;
    if (!sl) return { masks: null, scores: null, model: null };
    await this.ensureRanking(ctx, sl);
    const { masked } = sliderPosition(this.sparsity, this.limits(sl.ranking));
    const masks =
      masked > 0 ? (sl.source as NonNullable<Slider['source']>).masksAt(this.sparsity) : null;
    const model = sl.path?.source?.modelAt?.(this.sparsity) ?? null;
    return { masks, scores: sl.scores, model };
  }

  /** What fineTunePruned fine-tunes: the slider's masks at its sparsity (must be > 0). */
  async fineTuneTarget(ctx: PruneCtx): Promise<{ sparsity: number; masks: PlainMasks }> {
    if (this.slider?.path)
      throw new SessionError(
        "the path's checkpoints are fine-tuned already; choose the one-shot slider to fine-tune your own",
      );
    const { masks } = await this.viewState(ctx);
    if (!masks)
      throw new SessionError('move the sparsity slider above 0% to choose what to fine-tune');
    return {
      sparsity: sliderPosition(this.sparsity, this.limits(this.slider?.ranking)).masked,
      masks,
    };
  }

  /** The slider's cap and fine-tuned floor (slider-limits.ts). */
  private limits(ranking: ScoreRanking | null | undefined): SliderLimits {
    return {
      maxSparsity: ranking?.maxSparsity ?? 1,
      fineTunedSparsity: this.fineTuned?.sparsity ?? null,
    };
  }

  /** After a fine-tuning run: keep the ranking, set the floor, rebuild the evaluator on next use. */
  async afterFineTune(sparsity: number | undefined): Promise<void> {
    if (sparsity !== undefined) this.fineTuned = { sparsity };
    await this.dropEvaluator();
  }

  /** Forget the fine-tuned floor (reset, or a plain training run). */
  async clearFineTune(): Promise<void> {
    this.fineTuned = null;
    await this.dropEvaluator();
  }

  private async dropEvaluator(): Promise<void> {
    const ev = this.slider?.evaluator;
    if (this.slider) this.slider.evaluator = null;
    await ev?.dispose();
  }

  /** The slider's settings (the curves and the benchmark follow them), or null without one. */
  get sliderSettings(): SliderSettings | null {
    return this.slider?.settings ?? null;
  }

  /** Scores, slider and point for report.json. */
  reportPart(): Record<string, unknown> {
    return {
      scores: [...this.cache.values()].map((e) => e.summary),
      slider: this.slider?.evaluator ? this.info(this.slider) : null,
      sparsity: this.sparsity,
      point: this.lastPoint,
      fineTunedSparsity: this.fineTuned?.sparsity ?? null,
    };
  }

  /** Drop everything (scores too unless `keepScores`). */
  async reset(clearScores = true): Promise<void> {
    const sl = this.slider;
    this.slider = null;
    if (sl?.path) disposePath(sl.path.checkpoints);
    this.building = null;
    this.fineTuned = null;
    this.lastPoint = null;
    this.sparsity = 0;
    if (clearScores) this.cache.clear();
    await sl?.evaluator?.dispose();
  }
}
