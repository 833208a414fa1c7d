/**
 * Two whole-grid measurements over the session's scores, beside the slider rather than in it:
 * - `sparsityCurves`: clean and transfer accuracy against sparsity per criterion, under the
 *   slider's settings (its granularity, scope, evaluation images and transfer attack);
 * - `transferBenchmarkOf`: the base-to-pruned transfer benchmark (Vora et al. 2023, arXiv
 *   2308.08160; eval/transfer.ts): inputs crafted once on the current (dense) model, applied to
 *   its pruned versions, here WITHOUT fine-tuning them.
 * Both read scores through the session's cache (prune-state.ts) and never touch the slider.
 */
import { formatTransferTable, transferBenchmark } from '../eval/transfer';
import { rankScores } from '../prune/ranking';
import { SessionError } from './errors';
import type { PruneCtx, ScoreEntry } from './prune-state';
import { checkCriterion, DEFAULT_SCORE_SAMPLES, pgdAtBudget, resolveAttack } from './scoring';
import { isSparsity, sliderPosition } from './slider-limits';
import {
  buildEvaluator,
  DEFAULT_EVAL_N,
  EVAL_BATCH,
  evalData,
  maskSource,
  type SliderSettings,
} from './slider';
import type {
  Criterion,
  ScoreRequest,
  SparsityCurve,
  TransferRequest,
  TransferResult,
} from './types';

/** Test images of the transfer benchmark unless the request says. */
const DEFAULT_TRANSFER_N = 500;

/** What the measurements need of the pruning state: its score cache and the slider's settings. */
export interface ScoreSource {
  scores(ctx: PruneCtx, req: ScoreRequest): Promise<ScoreEntry>;
  readonly sliderSettings: SliderSettings | null;
}

/** Clean and transfer accuracy against sparsity, per criterion, under the slider's settings. */
export async function sparsityCurves(
  ctx: PruneCtx,
  state: ScoreSource,
  criteria: Criterion[],
  sparsities: number[],
): Promise<SparsityCurve[]> {
  const { model, test, budget } = ctx.get();
  checkSparsities(sparsities);
  const base = state.sliderSettings;
  const out: SparsityCurve[] = [];
  const total = criteria.length * sparsities.length;
  let done = 0;
  for (const c of criteria) {
    const settings: SliderSettings = {
      criterion: checkCriterion(c),
      granularity: base?.granularity ?? 'unstructured',
      scope: base?.scope ?? 'global',
      evalN: base?.evalN ?? DEFAULT_EVAL_N,
      samples: base?.samples ?? DEFAULT_SCORE_SAMPLES,
      transferAttack: base?.transferAttack ?? resolveAttack({ name: 'fgsm' }, budget),
      whiteBoxAttack: null,
    };
    const entry = await state.scores(ctx, settings);
    const ranking = rankScores(model.spec, entry.set, { scope: settings.scope });
    const ev = await buildEvaluator(
      model,
      test,
      settings,
      maskSource(ranking, () => ({ maxSparsity: ranking.maxSparsity, fineTunedSparsity: null })),
      false,
      ctx.signal,
    );
    const points: SparsityCurve['points'] = [];
    try {
      for (const s of [...sparsities].sort((a, b) => a - b)) {
        if (
          !sliderPosition(s, { maxSparsity: ranking.maxSparsity, fineTunedSparsity: null }).capped
        ) {
          const r = await ev.evaluate(s, { signal: ctx.signal });
          if (r.status !== 'done')
            throw Object.assign(new Error('curve cancelled'), { name: 'AbortError' });
          points.push({ sparsity: s, clean: r.point.clean, transfer: r.point.transfer });
        }
        ctx.onProgress?.({ stage: `curve: ${c}`, done: ++done, total });
      }
    } finally {
      await ev.dispose();
    }
    out.push({ criterion: settings.criterion, points });
  }
  return out;
}

/** The base-to-pruned transfer benchmark; variants are masked copies of the current weights. */
export async function transferBenchmarkOf(
  ctx: PruneCtx,
  state: ScoreSource,
  req: TransferRequest,
): Promise<TransferResult> {
  const { model, test, budget } = ctx.get();
  checkSparsities(req?.sparsities);
  if (!Array.isArray(req.criteria) || req.criteria.length === 0)
    throw new SessionError('choose at least one pruning criterion for the benchmark');
  const granularity = state.sliderSettings?.granularity ?? 'unstructured';
  const scope = state.sliderSettings?.scope ?? 'global';
  const attacks = (req.attacks ?? [{ name: 'fgsm' }, pgdAtBudget(budget)]).map((a, i, all) => {
    const r = resolveAttack(a, budget);
    const dup = all.filter((b) => b.name === a.name).length > 1;
    return { ...r, label: dup ? `${r.name}#${i + 1}` : r.name };
  });
  const variants = [];
  for (const c of req.criteria) {
    const entry = await state.scores(ctx, { criterion: c, granularity, scope });
    const ranking = rankScores(model.spec, entry.set, { scope });
    for (const s of req.sparsities)
      if (!sliderPosition(s, { maxSparsity: ranking.maxSparsity, fineTunedSparsity: null }).capped)
        variants.push({ method: c, sparsity: s, model, masks: ranking.masksAt(s) });
  }
  const report = await transferBenchmark({
    base: model,
    variants,
    attacks,
    data: evalData(test, req.n ?? DEFAULT_TRANSFER_N),
    batchSize: EVAL_BATCH,
    timing: { batch: 64, repeats: 3 },
    signal: ctx.signal,
    onProgress: (p) =>
      ctx.onProgress?.({ stage: 'transfer benchmark', done: p.done, total: p.total }),
  });
  return {
    ...report,
    table: formatTransferTable(report),
    note: `${granularity} ${scope} pruning of the current model by each criterion, WITHOUT fine-tuning; inputs crafted on the current (dense) model`,
  };
}

function checkSparsities(s: unknown): asserts s is number[] {
  if (!Array.isArray(s) || s.length === 0) throw new SessionError('give at least one sparsity');
  for (const v of s)
    if (!isSparsity(v))
      throw new SessionError(`each sparsity must be a number in [0, 1), got ${String(v)}`);
}
