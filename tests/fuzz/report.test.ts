// Fuzz: the dashboard's report viewer (parseReportText and its zod schemas, src/ui/report/).
// Seeds: the committed docs/results/*.report.json (trimmed, and the smallest whole), a sweep
// report built from them by the viewer's test fixture and shard reports as the CLI writes them
// (report-seeds.ts). Inputs: JSON-tree mutations (wrong types, huge numbers, deep nesting,
// unknown keys, removed keys, long strings and arrays) and text damage. An accepted report must
// hold only in-range figures, stay within the declared bounds and go through every chart helper
// of the viewer without throwing; anything else must be a ReportFileError.
import { describe, expect, it } from 'vitest';
import type { ExperimentReport } from '@/engine/experiment/report';
import { NON_ACCURACY_METRICS, reportMetrics } from '@/engine/experiment/sweep-summary';
import { duration, meanStdText, when } from '@/ui/report/format';
import { isAccuracyMetric } from '@/workers/protocol';
import {
  checkReportSize,
  MAX_REPORT_BYTES,
  parseReportText,
  ReportFileError,
  type ParsedReport,
} from '@/ui/report/parse';
import { MAX_ITEMS, MAX_TEXT, type EvaluationView, type ReportView } from '@/ui/report/schema';
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
  meanTrainingCurves,
  metricSeries,
  numericAxes,
  summaryMetrics,
  VARIANT_SPARSITY,
} from '@/ui/report/sweep-series';
import { FUZZ_TIMEOUT_MS, runFuzz } from './harness';
import { mutateJson, mutateJsonText, toJsonText } from './mutate-json';
import { singleReportSeeds, sweepReportSeeds } from './report-seeds';

const fraction = (x: number | null, what: string) => {
  if (x === null) return;
  if (!(x >= 0 && x <= 1)) throw new Error(`${what} = ${x} is not in [0, 1]`);
};
const count = (x: number, what: string) => {
  if (!(Number.isInteger(x) && x >= 0)) throw new Error(`${what} = ${x} is not a count`);
};
const bounded = (a: readonly unknown[], what: string) => {
  if (a.length > MAX_ITEMS) throw new Error(`${what} has ${a.length} items`);
};
const short = (s: string | undefined, what: string) => {
  if (s !== undefined && s.length > MAX_TEXT) throw new Error(`${what} has ${s.length} chars`);
};

function checkEvaluation(e: EvaluationView, at: string): void {
  count(e.n, `${at}.n`);
  fraction(e.cleanAccuracy, `${at}.cleanAccuracy`);
  fraction(e.worstCaseAccuracy, `${at}.worstCaseAccuracy`);
  bounded(e.attacks, `${at}.attacks`);
  for (const a of e.attacks) {
    short(a.name, `${at}.attacks.name`);
    fraction(a.robustAccuracy, `${at}.robustAccuracy`);
    fraction(a.cumulativeAccuracy, `${at}.cumulativeAccuracy`);
    count(a.evaluated, `${at}.evaluated`);
  }
}

function checkEpochs(epochs: EpochList, at: string): void {
  bounded(epochs, at);
  for (const e of epochs) {
    count(e.epoch, `${at}.epoch`);
    count(e.steps, `${at}.steps`);
    for (const k of ['trainCleanAcc', 'trainAdvAcc', 'valCleanAcc', 'valAdvAcc'] as const)
      fraction(e[k], `${at}.${k}`);
    if (!(e.lr >= 0 && Number.isFinite(e.trainLoss))) throw new Error(`${at}: lr or loss`);
  }
}
type EpochList = NonNullable<ReportView['training']>['epochs'];

/** Figures in range, bounds kept, and every chart helper of a single report runs. */
function checkSingle(r: ReportView, at: string): void {
  for (const s of [r.name, r.startedAt, r.finishedAt, r.environment.platform, r.model.architecture])
    short(s, `${at} text`);
  for (const k of ['train', 'val', 'test', 'numClasses'] as const) count(r.data[k], `${at}.data`);
  r.data.shape.forEach((d) => count(d, `${at}.data.shape`));
  count(r.model.params, `${at}.model.params`);
  checkEvaluation(r.evaluation, `${at}.evaluation`);
  if (r.training) {
    checkEpochs(r.training.epochs, `${at}.training.epochs`);
    bounded(r.training.lrChanges, `${at}.training.lrChanges`);
  }
  const pruning = r.pruning ?? [];
  bounded(pruning, `${at}.pruning`);
  for (const p of pruning) {
    fraction(p.sparsity, `${at}.pruning.sparsity`);
    fraction(p.sparsityReport.global.sparsity, `${at}.pruning.global.sparsity`);
    checkEvaluation(p.evaluation, `${at}.pruning.evaluation`);
    checkEpochs(p.fineTune.epochs, `${at}.pruning.fineTune.epochs`);
  }
  if (r.transfer) {
    fraction(r.transfer.base.clean, `${at}.transfer.base.clean`);
    for (const c of r.transfer.cells)
      for (const k of ['sparsity', 'clean', 'transferAccuracy', 'transferRobust'] as const)
        fraction(c[k], `${at}.transfer.cells.${k}`);
  }
  // the engine's metric rows of an accepted report: accuracies in [0, 1] (NaN: never reached)
  for (const m of reportMetrics(r as unknown as ExperimentReport, { target: 0.5 }))
    if (!NON_ACCURACY_METRICS.has(m.metric) && !Number.isNaN(m.value))
      fraction(m.value, `${at} metric ${m.variant}/${m.metric}`);
  // what the Reports view draws
  epochSeries(r.training?.epochs ?? []);
  compareSeries([{ key: r.name, epochs: r.training?.epochs ?? [] }]);
  sparsities(pruning);
  pruneCurves(pruning, {
    clean: r.evaluation.cleanAccuracy,
    robust: r.evaluation.worstCaseAccuracy,
  });
  for (const p of pruning) lastValidation(p.fineTune.epochs);
  when(r.startedAt);
  duration(r.wallSeconds);
}

/** Each run checked as a single report; summary rows consistent; every sweep chart runs. */
function checkSweep(s: SweepView): void {
  count(s.cells, 'cells');
  for (const k of ['axes', 'runs', 'missing', 'summary'] as const) bounded(s[k], k);
  for (const a of s.axes) if (a.values.length !== a.labels.length) throw new Error('axis labels');
  s.runs.forEach((c, i) => checkSingle(c.report, `runs[${i}].report`));
  for (const row of s.summary) {
    count(row.n, 'summary.n');
    if (row.n !== row.values.length) throw new Error(`summary n ${row.n} ≠ ${row.values.length}`);
    if (!(row.std >= 0 && Number.isFinite(row.mean))) throw new Error('summary mean/std');
    if (isAccuracyMetric(row.metric)) {
      row.values.forEach((v) => fraction(v, `summary ${row.metric} value`));
      fraction(row.mean, `summary ${row.metric} mean`);
    }
    meanStdText(row.metric, row.mean, row.std);
  }
  const metrics = summaryMetrics(s);
  for (const x of [...numericAxes(s), VARIANT_SPARSITY])
    for (const m of metrics.slice(0, 4)) metricSeries(s, m, x);
  meanTrainingCurves(s);
  for (const i of s.missing.slice(0, 50)) cellParams(s, i);
}

function check(text: string, p: ParsedReport): void {
  if (p.kind === 'single') checkSingle(p.report, 'report');
  else checkSweep(p.report);
  // zod copies what it accepts: the result is no larger than the file
  expect(JSON.stringify(p.report).length).toBeLessThanOrEqual(text.length);
}

describe('fuzz: report files opened by the dashboard', () => {
  it(
    'parseReportText: a report with in-range figures that every chart helper takes, or ReportFileError',
    async () => {
      const seeds: unknown[] = [...singleReportSeeds(), ...sweepReportSeeds()];
      for (const s of seeds)
        check(JSON.stringify(s), parseReportText('seed.json', JSON.stringify(s)));
      const stats = await runFuzz<string, ParsedReport>({
        name: 'parseReportText',
        salt: 701,
        generate: (rng) => {
          const seed = seeds[rng.int(seeds.length)];
          const m = mutateJson(rng, seed);
          const text = toJsonText(m.value);
          if (rng.next() < 0.15) {
            const t = mutateJsonText(rng, text);
            return { input: t.text, how: `${m.how}; text: ${t.how}` };
          }
          return { input: text, how: m.how };
        },
        call: (text) => parseReportText('fuzz.json', text),
        isTyped: (e) => e instanceof ReportFileError,
        code: (e) => {
          const msg = (e as Error).message.replace(/^fuzz\.json: /, '');
          return msg
            .split(/[:(]/)[0]
            .replace(/\[\d+\]/g, '[]')
            .slice(0, 40);
        },
        check,
        describe: (text) => (text.length > 400 ? text.slice(0, 400) + '…' : text),
      });
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it('checkReportSize refuses a size over the bound, or not a number, before reading', () => {
    for (const ok of [0, -0, 1, MAX_REPORT_BYTES])
      expect(() => checkReportSize('f', ok)).not.toThrow();
    for (const bad of [MAX_REPORT_BYTES + 1, NaN, Infinity, 2 ** 53])
      expect(() => checkReportSize('f', bad)).toThrow(ReportFileError);
  });
});
