/**
 * Chart and table shaping of the Reports view (src/ui/report/series.ts, sweep-series.ts,
 * format.ts) on real reports: committed CLI outputs and reports the engine writes here, with the
 * expected figures read from the reports themselves (and mean ± std written out in the test).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentReport } from '@/engine/experiment/report';
import type { SweepReport } from '@/engine/experiment/sweep-types';
import { meanStdText } from '@/ui/report/format';
import { isAccuracyMetric } from '@/workers/protocol';
import { validateReport } from '@/ui/report/parse';
import type { ReportView } from '@/ui/report/schema';
import {
  compareSeries,
  epochSeries,
  lastValidation,
  pruneCurves,
  sparsities,
} from '@/ui/report/series';
import type { SweepView } from '@/ui/report/sweep-schema';
import {
  cellParams,
  formatParams,
  meanTrainingCurves,
  metricSeries,
  numericAxes,
  seedAxis,
  summaryMetrics,
  VARIANT_SPARSITY,
} from '@/ui/report/sweep-series';
import { committed, freshReport, sweepOf } from './report-fixtures';

/** A committed report through the viewer's own parser. */
function view(file: string): ReportView {
  const p = validateReport(file, committed(file));
  if (p.kind !== 'single') throw new Error('not a single report');
  return p.report;
}

function sweepView(s: SweepReport): SweepView {
  const p = validateReport('sweep.json', JSON.parse(JSON.stringify(s)));
  if (p.kind !== 'sweep') throw new Error('not a sweep');
  return p.report;
}

let fresh: ExperimentReport[];
beforeAll(async () => {
  fresh = [await freshReport(0), await freshReport(1)];
});

describe('single report series', () => {
  it('epochSeries: every epoch from 1, in order, with the report figures', () => {
    const r = view('fmnist-pgd-at.report.json');
    const epochs = r.training?.epochs ?? [];
    const shuffled = [...epochs].reverse();
    const s = epochSeries(shuffled);
    expect(s.map((p) => p.epoch)).toEqual(epochs.map((e) => e.epoch + 1));
    expect(s.map((p) => p.valAdv)).toEqual(epochs.map((e) => e.valAdvAcc));
    expect(s.map((p) => p.loss)).toEqual(epochs.map((e) => e.trainLoss));
    expect(s.map((p) => p.lr)).toEqual(epochs.map((e) => e.lr));
  });

  it('compareSeries: the union of epochs, null where a run has none', () => {
    const a = view('fmnist-pgd-at.report.json').training?.epochs ?? [];
    const b = view('fmnist-transfer-standard.report.json').training?.epochs ?? [];
    expect(a.length).not.toBe(b.length);
    const rows = compareSeries([
      { key: 'a', epochs: a },
      { key: 'b', epochs: b },
    ]);
    expect(rows).toHaveLength(Math.max(a.length, b.length));
    for (const row of rows) {
      expect(row.a).toBe(a.find((e) => e.epoch + 1 === row.x)?.valAdvAcc ?? null);
      expect(row.b).toBe(b.find((e) => e.epoch + 1 === row.x)?.valAdvAcc ?? null);
    }
  });

  it('pruneCurves: worst-case and clean accuracy per method and sparsity, base at 0', () => {
    const r = view('fmnist-transfer-standard.report.json');
    const pruning = r.pruning ?? [];
    const xs = sparsities(pruning);
    expect(xs.length).toBeGreaterThan(1);
    const base = { clean: r.evaluation.cleanAccuracy, robust: r.evaluation.worstCaseAccuracy };
    const { methods, rows } = pruneCurves(pruning, base);
    expect(methods).toEqual([...new Set(pruning.map((v) => v.method))]);
    expect(rows.map((x) => x.x)).toEqual([0, ...xs.map((s) => Math.round(s * 1000) / 10)]);
    for (const v of pruning) {
      const row = rows.find((x) => x.x === Math.round(v.sparsity * 1000) / 10);
      expect(row?.[`${v.method} robust`]).toBe(v.evaluation.worstCaseAccuracy);
      expect(row?.[`${v.method} clean`]).toBe(v.evaluation.cleanAccuracy);
    }
    for (const m of methods) expect(rows[0][`${m} robust`]).toBe(base.robust);
  });

  it('lastValidation: the last fine-tuning epoch that measured', () => {
    const v = view('fmnist-prune-90.report.json').pruning?.[0];
    if (!v) throw new Error('fixture has no pruning');
    const last = v.fineTune.epochs[v.fineTune.epochs.length - 1];
    expect(lastValidation(v.fineTune.epochs)).toEqual({
      clean: last.valCleanAcc,
      adv: last.valAdvAcc,
    });
    expect(lastValidation([])).toEqual({ clean: null, adv: null });
  });
});

describe('sweep series', () => {
  it('finds the seed axis and the metrics; the x axis comes from the variants', () => {
    const s = sweepView(sweepOf('seeds', fresh, 1));
    expect(seedAxis(s)).toBe('seed');
    expect(summaryMetrics(s)).toEqual(['clean', 'fgsm', 'worst-case']);
    // the seed axis is never an x axis; variants magnitude@0.5 and magnitude@0.8 give one
    expect(numericAxes(s)).toEqual([VARIANT_SPARSITY]);
  });

  it('metricSeries: mean ± std over seeds against the variants’ sparsity', () => {
    const s = sweepView(sweepOf('seeds', fresh));
    const { series, rows } = metricSeries(s, 'worst-case', VARIANT_SPARSITY);
    expect(series.map((x) => x.label)).toEqual(['magnitude']);
    expect(rows.map((r) => r.x)).toEqual([0.5, 0.8]);
    for (const row of rows) {
      const values = fresh.map(
        (r) => r.pruning?.find((v) => v.sparsity === row.x)?.evaluation.worstCaseAccuracy ?? NaN,
      );
      const mean = (values[0] + values[1]) / 2;
      const std = Math.abs(values[0] - values[1]) / Math.SQRT2; // n − 1 = 1
      expect(row[series[0].key]).toBeCloseTo(mean, 12);
      expect(row[`${series[0].key}:std`]).toBeCloseTo(std, 12);
    }
  });

  it('metricSeries: a numeric axis gives one line per other-axis value and variant', () => {
    const s = sweepView(sweepOf('grid', fresh));
    s.axes.push({
      name: 'lr',
      path: 'train.schedule.lr',
      values: [0.1, 0.01],
      labels: [0.1, 0.01],
    });
    s.axes.push({
      name: 'opt',
      path: 'train.optimizer.kind',
      values: ['a', 'b'],
      labels: ['a', 'b'],
    });
    s.summary = [];
    let k = 0;
    for (const lr of [0.1, 0.01])
      for (const opt of ['a', 'b'])
        s.summary.push({
          params: { lr, opt },
          variant: 'base',
          metric: 'clean',
          n: 2,
          mean: k++ / 10,
          std: 0.01,
          values: [],
        });
    expect(numericAxes(s)).toEqual(['lr']);
    const { series, rows } = metricSeries(s, 'clean', 'lr');
    expect(series.map((x) => x.label)).toEqual(['opt=a · base', 'opt=b · base']);
    expect(rows.map((r) => r.x)).toEqual([0.01, 0.1]);
    expect(rows[0][series[1].key]).toBe(0.3); // lr 0.01, opt b: the 4th row
    expect(rows[1][series[0].key]).toBe(0);
  });

  it('meanTrainingCurves: mean validation PGD accuracy per epoch over the seeds', () => {
    const s = sweepView(sweepOf('seeds', fresh));
    const { series, rows } = meanTrainingCurves(s);
    expect(series).toHaveLength(1);
    expect(rows.map((r) => r.x)).toEqual([1, 2]);
    for (const row of rows) {
      const v = fresh.map((r) => r.training?.epochs[row.x - 1].valAdvAcc ?? NaN);
      expect(row[series[0].key]).toBeCloseTo((v[0] + v[1]) / 2, 12);
      expect(row[`${series[0].key}:std`]).toBeCloseTo(Math.abs(v[0] - v[1]) / Math.SQRT2, 12);
      expect(row[`${series[0].key}:n`]).toBe(2);
    }
  });

  it('cellParams: row-major grid coordinates of a missing cell', () => {
    const s = sweepView(sweepOf('grid', fresh));
    s.axes = [
      { name: 'seed', path: 'seed', values: [0, 1], labels: [0, 1] },
      {
        name: 'sparsity',
        path: 'prune.sparsities',
        values: [0.5, 0.7, 0.9],
        labels: [0.5, 0.7, 0.9],
      },
    ];
    expect(cellParams(s, 0)).toEqual({ seed: 0, sparsity: 0.5 });
    expect(cellParams(s, 4)).toEqual({ seed: 1, sparsity: 0.7 });
    expect(cellParams(s, 6)).toBeNull();
    expect(formatParams({ sparsity: 0.9, seed: 1 }, ['seed', 'sparsity'])).toBe(
      'seed=1, sparsity=0.9',
    );
    expect(formatParams({})).toBe('—');
  });

  it('formats mean ± std: percent for accuracies, significant digits otherwise', () => {
    expect(isAccuracyMetric('pgd-linf')).toBe(true);
    expect(isAccuracyMetric('wall-seconds')).toBe(false);
    expect(isAccuracyMetric('epochs-to-target')).toBe(false);
    expect(meanStdText('clean', 0.8125, 0.0123)).toBe('81.3% ± 1.2%');
    expect(meanStdText('wall-seconds', 1234.5, 12.34)).toBe('1230 ± 12.3');
  });
});
