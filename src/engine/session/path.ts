/**
 * A fine-tuned pruning path: the base model pruned by one criterion to several sparsities, each
 * fine-tuned (checkpoints made by the CLI, shipped in public/models/paths/, described by
 * `paths/index.json`), so the sparsity slider shows what the method really achieves instead of
 * the one-shot masks of the dense weights.
 *
 * At slider sparsity s the path evaluates the nearest checkpoint AT OR BELOW s (the dense base
 * when s is below the first one): at exactly its sparsity, the checkpoint as fine-tuned; above
 * it, the checkpoint pruned further ONE-SHOT to s by |w| of its own weights (its pruned weights
 * are exactly 0 and go first, so the masks contain the checkpoint's: nested), not fine-tuned.
 * `describe(s)` says which, for the UI. Masks are fractions of the same eligible weights as the
 * slider's (unstructured, global, the per-layer cap of masks.ts).
 */
import type { MaskSource } from '../eval/sparsity-evaluator';
import { disposeModel } from '../model/init';
import { loadModelSafetensors } from '../model/serialize/model-io';
import type { Model } from '../model/types';
import { disposeMasks } from '../prune/masks';
import { rankScores, type ScoreRanking } from '../prune/ranking';
import { magnitudeScores } from '../prune/scores/magnitude';
import type { PlainMasks } from '../prune/types';
import { SessionError } from './errors';
import type { Criterion, PathInfo, PathPosition } from './types';

/** `public/models/paths/index.json`: the shipped paths. */
export interface PathManifest {
  paths: {
    criterion: Criterion;
    label: string;
    /** the base model file the path starts from, e.g. 'models/default.safetensors' */
    base: string;
    /** the CLI command and config that made it (for the docs and the UI) */
    command: string;
    /** criterion of the one-shot ranking of the dense base below the first checkpoint */
    below: Criterion;
    /**
     * each checkpoint's file and, optionally, its figures as the CLI measured them (clean on the
     * whole test set, robust = worst case of the CLI's attacks on its first `n` images)
     */
    checkpoints: { sparsity: number; file: string; clean?: number; robust?: number; n?: number }[];
  }[];
}

export interface PathCheckpoint {
  sparsity: number;
  model: Model;
  masks: PlainMasks;
  /** |w| ranking of the checkpoint's weights (pruned weights, exactly 0, rank first) */
  ranking: ScoreRanking;
}

/** Tolerance when comparing a slider sparsity with a checkpoint's. */
const EPS = 1e-9;

/** Parse and check a manifest read from JSON. */
export function parsePathManifest(raw: unknown): PathManifest {
  const bad = (why: string): never => {
    throw new SessionError(`models/paths/index.json: ${why}`);
  };
  const r = raw as PathManifest;
  if (!r || typeof r !== 'object' || !Array.isArray(r.paths)) bad('expected { paths: [...] }');
  for (const [i, p] of r.paths.entries()) {
    if (typeof p.criterion !== 'string' || typeof p.base !== 'string')
      bad(`paths[${i}] needs a criterion and a base`);
    if (typeof p.below !== 'string') bad(`paths[${i}] needs 'below', a one-shot criterion`);
    if (!Array.isArray(p.checkpoints) || p.checkpoints.length === 0)
      bad(`paths[${i}].checkpoints must be a non-empty list`);
    let last = 0;
    for (const c of p.checkpoints) {
      if (!(typeof c.sparsity === 'number' && c.sparsity > last && c.sparsity < 1))
        bad(`paths[${i}]: checkpoint sparsities must increase within (0, 1)`);
      for (const k of ['clean', 'robust'] as const)
        if (c[k] !== undefined && !(typeof c[k] === 'number' && c[k] >= 0 && c[k] <= 1))
          bad(`paths[${i}]: checkpoint ${k} must be a fraction in [0, 1]`);
      if (typeof c.file !== 'string' || !/^[\w./-]+\.safetensors$/.test(c.file))
        bad(`paths[${i}]: checkpoint file '${String(c.file)}' is not a .safetensors path`);
      last = c.sparsity;
    }
  }
  return r;
}

/**
 * Load checkpoints (safetensors bytes with their masks) for `base`'s spec; the caller owns the
 * result (disposePath). Throws SessionError when a checkpoint's architecture differs.
 */
export async function loadCheckpoints(
  base: Model,
  files: { sparsity: number; name: string; bytes: Uint8Array }[],
): Promise<PathCheckpoint[]> {
  const out: PathCheckpoint[] = [];
  try {
    for (const f of files) {
      const { model, masks } = loadModelSafetensors(f.bytes, f.name);
      const plain: PlainMasks = new Map();
      for (const [k, t] of masks)
        plain.set(k, { shape: [...t.shape], data: Uint8Array.from(await t.data()) });
      disposeMasks(masks);
      out.push({ sparsity: f.sparsity, model, masks: plain, ranking: null as never });
      if (JSON.stringify(model.spec.layers) !== JSON.stringify(base.spec.layers))
        throw new SessionError(`${f.name} is not a pruned copy of the loaded model's architecture`);
      const scores = await magnitudeScores(model, 'unstructured');
      out[out.length - 1].ranking = rankScores(model.spec, scores, { scope: 'global' });
    }
    return out;
  } catch (e) {
    disposePath(out);
    throw e;
  }
}

export function disposePath(cps: PathCheckpoint[]): void {
  for (const c of cps) disposeModel(c.model);
  cps.length = 0;
}

/**
 * The slider's mask source along a path (see the file comment). `baseRanking` ranks the dense
 * base below the first checkpoint.
 */
export function pathSource(
  base: Model,
  baseRanking: ScoreRanking,
  cps: readonly PathCheckpoint[],
): MaskSource & { describe(sparsity: number): PathPosition } {
  const at = (s: number): PathCheckpoint | null => {
    let c: PathCheckpoint | null = null;
    for (const cp of cps) if (cp.sparsity <= s + EPS) c = cp;
    return c;
  };
  return {
    masksAt(s) {
      const c = at(s);
      if (!c) return baseRanking.masksAt(s);
      return Math.abs(c.sparsity - s) <= EPS ? c.masks : c.ranking.masksAt(s);
    },
    modelAt(s) {
      return at(s)?.model ?? base;
    },
    describe(s) {
      const c = at(s);
      if (!c) return { checkpoint: 0, fineTuned: s <= EPS };
      return { checkpoint: c.sparsity, fineTuned: Math.abs(c.sparsity - s) <= EPS };
    },
  };
}

/** Plain description of a loaded path for SliderInfo. */
export function pathInfo(p: PathManifest['paths'][number]): PathInfo {
  return {
    criterion: p.criterion,
    label: p.label,
    command: p.command,
    checkpoints: p.checkpoints.map((c) => c.sparsity),
    figures: p.checkpoints.flatMap((c) =>
      typeof c.clean === 'number' && typeof c.robust === 'number'
        ? [{ sparsity: c.sparsity, clean: c.clean, robust: c.robust }]
        : [],
    ),
  };
}
