/**
 * Chart rows of a single run's report, as plain data for recharts: the per-epoch training curves,
 * the validation adversarial accuracy of several reports overlaid, and robust accuracy against
 * sparsity per pruning criterion. Accuracies stay fractions in [0, 1]; epochs count from 1 on
 * the charts (the engine counts from 0). Pure: tested in Node.
 */
import type { EpochRow, PruneVariantView } from './schema';

/** One point of the training charts; nulls where the run did not measure. */
export interface EpochPoint {
  /** epoch, from 1 */
  epoch: number;
  /** mean training loss, nats */
  loss: number;
  trainClean: number;
  trainAdv: number | null;
  valClean: number | null;
  valAdv: number | null;
  /** learning rate of the epoch's last step */
  lr: number;
}

/** What the training curves read of an epoch (a report's row or the engine's EpochMetrics). */
export type EpochFields = Pick<
  EpochRow,
  'epoch' | 'trainLoss' | 'trainCleanAcc' | 'trainAdvAcc' | 'valCleanAcc' | 'valAdvAcc' | 'lr'
>;

/** The training curves of a run, sorted by epoch (from 1). */
export function epochSeries(epochs: readonly EpochFields[]): EpochPoint[] {
  return [...epochs]
    .sort((a, b) => a.epoch - b.epoch)
    .map((e) => ({
      epoch: e.epoch + 1,
      loss: e.trainLoss,
      trainClean: e.trainCleanAcc,
      trainAdv: e.trainAdvAcc,
      valClean: e.valCleanAcc,
      valAdv: e.valAdvAcc,
      lr: e.lr,
    }));
}

/** A row of an overlay chart: `x` and one value per series key. */
export type OverlayRow = { x: number } & Record<string, number | null>;

/**
 * Validation adversarial accuracy (or what `pick` reads) of several runs on one epoch axis (from
 * 1): one row per epoch any run reached, with `series[i].key` holding that run's value (null
 * where it has none).
 */
export function compareSeries(
  series: readonly {
    key: string;
    epochs: readonly EpochFields[];
    pick?: (e: EpochFields) => number | null;
  }[],
): OverlayRow[] {
  const rows = new Map<number, OverlayRow>();
  for (const s of series) {
    for (const e of s.epochs) {
      const x = e.epoch + 1;
      const row = rows.get(x) ?? ({ x } as OverlayRow);
      row[s.key] = s.pick ? s.pick(e) : e.valAdvAcc;
      rows.set(x, row);
    }
  }
  const out = [...rows.values()].sort((a, b) => a.x - b.x);
  for (const row of out) for (const s of series) if (!(s.key in row)) row[s.key] = null;
  return out;
}

/** Distinct target sparsities of the pruned variants, ascending (fractions removed). */
export function sparsities(pruning: readonly PruneVariantView[]): number[] {
  return [...new Set(pruning.map((v) => v.sparsity))].sort((a, b) => a - b);
}

/**
 * Worst-case robust accuracy (and clean accuracy) after fine-tuning against sparsity, one
 * pair of columns per method: `<method> robust` and `<method> clean`; x is the sparsity in
 * percent. The dense base model (sparsity 0) is added to every method when `base` is given.
 */
export function pruneCurves(
  pruning: readonly PruneVariantView[],
  base?: { clean: number; robust: number },
): { methods: string[]; rows: OverlayRow[] } {
  const methods = [...new Set(pruning.map((v) => v.method))];
  const rows = new Map<number, OverlayRow>();
  const put = (x: number, method: string, clean: number, robust: number) => {
    const row = rows.get(x) ?? ({ x } as OverlayRow);
    row[`${method} robust`] = robust;
    row[`${method} clean`] = clean;
    rows.set(x, row);
  };
  if (base) for (const m of methods) put(0, m, base.clean, base.robust);
  for (const v of pruning) {
    put(
      Math.round(v.sparsity * 1000) / 10,
      v.method,
      v.evaluation.cleanAccuracy,
      v.evaluation.worstCaseAccuracy,
    );
  }
  return { methods, rows: [...rows.values()].sort((a, b) => a.x - b.x) };
}

/** Validation accuracies (clean, adversarial) of the last fine-tuning epoch that measured them. */
export function lastValidation(epochs: readonly EpochRow[]): {
  clean: number | null;
  adv: number | null;
} {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const last = sorted.filter((e) => e.valCleanAcc !== null || e.valAdvAcc !== null).pop();
  return { clean: last?.valCleanAcc ?? null, adv: last?.valAdvAcc ?? null };
}
