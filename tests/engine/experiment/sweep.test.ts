/**
 * Sweeps: grid expansion (row-major order, overrides at dotted paths, labels, names), validation
 * of every cell before any run (errors name the cell and the field), the grid bound, the shard
 * partition, the metrics read off a report, the seed summary, and merging shard reports.
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  MAX_SWEEP_CELLS,
  cellParams,
  expandSweep,
  makeSweepReport,
  mergeSweepReports,
  parseShard,
  reportMetrics,
  shardIndices,
  summarizeSweep,
  SweepMergeError,
  type ExperimentReport,
  type SweepCell,
} from '@/engine/experiment';

const base = () => ({
  name: 'grid',
  data: { kind: 'synthetic', trainSize: 64, testSize: 32 },
  model: { architecture: 'mlp' },
  train: { epochs: 1, batchSize: 32 },
  eval: { n: 32, attacks: [{ name: 'fgsm' }, { name: 'pgd-linf', options: { steps: 5 } }] },
});

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.join('\n');
  }
  throw new Error('expected a ConfigError');
};

describe('expandSweep', () => {
  it('expands the product row-major (first axis slowest) and applies the overrides', () => {
    const plan = expandSweep({
      ...base(),
      sweep: {
        axes: [
          { name: 'seed', path: ['seed', 'train.seed'], values: [0, 1, 2] },
          {
            name: 'schedule',
            path: 'train.schedule',
            values: [
              { kind: 'constant', lr: 0.01 },
              { kind: 'cosine', lr: 0.05 },
            ],
          },
          { name: 'eps', path: 'eval.attacks.1.options.eps', values: [0.05, 0.1] },
        ],
        target: 0.4,
      },
    });
    expect(plan.cells).toHaveLength(12);
    expect(plan.target).toBe(0.4);
    expect(plan.axes.map((a) => a.labels)).toEqual([
      [0, 1, 2],
      ['constant', 'cosine'],
      [0.05, 0.1],
    ]);
    expect(plan.axes[0].path).toBe('seed,train.seed');
    plan.cells.forEach((c, i) => {
      const seed = Math.floor(i / 4);
      const sched = Math.floor(i / 2) % 2;
      const eps = i % 2;
      expect(c.index).toBe(i);
      expect(c.params).toEqual({
        seed,
        schedule: ['constant', 'cosine'][sched],
        eps: [0.05, 0.1][eps],
      });
      expect(c.params).toEqual(cellParams(plan.axes, i));
      expect(c.config.seed).toBe(seed);
      expect(c.config.train?.seed).toBe(seed);
      expect(c.config.train?.schedule.kind).toBe(['constant', 'cosine'][sched]);
      expect(c.config.eval.attacks[1].options.eps).toBe([0.05, 0.1][eps]);
      // the untouched attack keeps its (default) options; the sweep field is gone
      expect(c.config.eval.attacks[0]).toEqual({ name: 'fgsm', options: {} });
      expect('sweep' in c.config).toBe(false);
      expect(c.config.name).toBe(`grid/${c.params.seed}/${c.params.schedule}/${c.params.eps}`);
    });
    // cells do not share objects: editing one config leaves the others alone
    expect(plan.cells[0].config.train?.schedule).not.toBe(plan.cells[4].config.train?.schedule);
  });

  it('labels values: given labels, scalars, kind/name, one-element arrays, else the index', () => {
    const plan = expandSweep({
      ...base(),
      data: { kind: 'synthetic', trainSize: 64, testSize: 32, shape: [8, 8, 1] },
      sweep: {
        axes: [
          {
            name: 'attacks',
            path: 'eval.attacks',
            values: [[{ name: 'fgsm' }], [{ name: 'fgsm' }, { name: 'pgd-linf' }]],
          },
          {
            name: 'shape',
            path: 'data.shape',
            values: [
              [8, 8, 1],
              [6, 6, 1],
            ],
          },
          {
            name: 'opt',
            path: 'train.optimizer',
            values: [{ kind: 'adam' }, { kind: 'sgd' }],
            labels: ['A', 'S'],
          },
        ],
      },
    });
    expect(plan.axes.map((a) => a.labels)).toEqual([
      ['fgsm', 'fgsm+pgd-linf'],
      ['8+8+1', '6+6+1'],
      ['A', 'S'],
    ]);
    const objects = expandSweep({
      ...base(),
      sweep: { axes: [{ name: 'v', path: 'eval.standalone', values: [true, false] }] },
    });
    expect(objects.axes[0].labels).toEqual(['true', 'false']);
  });

  it('refuses an invalid cell before any run, naming the cell and the field', () => {
    const msg = errorOf(() =>
      expandSweep({
        ...base(),
        sweep: {
          axes: [
            { name: 'seed', path: 'seed', values: [0, 1] },
            { name: 'bs', path: 'train.batchSize', values: [32, 0] },
          ],
        },
      }),
    );
    expect(msg).toMatch(/cell 1 \(seed=0, bs=0\): train\.batchSize/);
    expect(msg).toMatch(/cell 3 \(seed=1, bs=0\): train\.batchSize/);
    expect(msg).not.toMatch(/cell 0/);
  });

  it('refuses bad sweeps: duplicate labels or names, bad paths, a grid over the bound', () => {
    const sweep = (axes: unknown[]) => () => expandSweep({ ...base(), sweep: { axes } });
    expect(
      errorOf(
        sweep([
          {
            name: 'o',
            path: 'train.objective',
            values: [
              { kind: 'pgd-at', eps: 0.1 },
              { kind: 'pgd-at', eps: 0.2 },
            ],
          },
        ]),
      ),
    ).toMatch(/values 0 and 1 both have the label 'pgd-at'/);
    expect(
      errorOf(
        sweep([
          { name: 'a', path: 'seed', values: [1] },
          { name: 'a', path: 'train.seed', values: [1] },
        ]),
      ),
    ).toMatch(/two axes are named 'a'/);
    expect(
      errorOf(sweep([{ name: 'a', path: 'eval.attacks.5.options.eps', values: [0.1] }])),
    ).toMatch(/cell 0 \(a=0.1\): eval\.attacks is an array of 2: '5' is not an index/);
    expect(errorOf(sweep([{ name: 'a', path: 'train.epochs.x', values: [1] }]))).toMatch(
      /not an object or array/,
    );
    expect(errorOf(sweep([{ name: 'a', path: 'name', values: ['x'] }]))).toMatch(/cannot be swept/);
    expect(errorOf(sweep([{ name: 'a', path: 'seed', values: [1, 2], labels: ['x'] }]))).toMatch(
      /1 labels for 2 values/,
    );
    expect(errorOf(sweep([{ name: 'a', path: 'seed', values: [] }]))).toMatch(
      /sweep\.axes\.0\.values/,
    );
    expect(errorOf(sweep([{ name: 'a', path: 'seed', values: [1], extra: 1 }]))).toMatch(
      /sweep\.axes\.0/,
    );
    const big = Array.from({ length: 101 }, (_, i) => i);
    expect(
      errorOf(
        sweep([
          { name: 'a', path: 'seed', values: big },
          { name: 'b', path: 'train.seed', values: big },
        ]),
      ),
    ).toMatch(
      new RegExp(`more than ${MAX_SWEEP_CELLS.toLocaleString('en')} cells \\(101 × 101\\)`),
    );
  });
});

describe('shards', () => {
  it('put every cell in exactly one shard, for N = 1..5', () => {
    for (const cells of [1, 4, 7, 12])
      for (let n = 1; n <= 5; n++) {
        const seen = new Array<number>(cells).fill(0);
        for (let i = 0; i < n; i++)
          for (const c of shardIndices(cells, { index: i, count: n })) {
            expect(c % n).toBe(i);
            seen[c]++;
          }
        expect(seen).toEqual(new Array<number>(cells).fill(1));
      }
  });

  it('parses i/N and refuses i ≥ N or a bad form', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(() => parseShard('8/8')).toThrow(/0 ≤ i < N/);
    expect(() => parseShard('0/0')).toThrow(/N must be/);
    expect(() => parseShard('1-4')).toThrow(/i\/N/);
    expect(() => parseShard('-1/4')).toThrow(/i\/N/);
  });
});

/** A hand-made report: two pgd-linf attacks, a 3-epoch curve, one pruned variant, transfer. */
function fakeReport(clean: number, valAdv: (number | null)[]): ExperimentReport {
  const ev = (c: number) => ({
    n: 10,
    cleanAccuracy: c,
    attacks: [
      {
        name: 'pgd-linf',
        options: {},
        robustAccuracy: c / 2,
        cumulativeAccuracy: 0,
        evaluated: 1,
        seconds: 1,
      },
      {
        name: 'pgd-linf',
        options: {},
        robustAccuracy: c / 4,
        cumulativeAccuracy: 0,
        evaluated: 1,
        seconds: 1,
      },
      {
        name: 'fgsm',
        options: {},
        robustAccuracy: c / 3,
        cumulativeAccuracy: 0,
        evaluated: 1,
        seconds: 1,
      },
    ],
    worstCaseAccuracy: c / 5,
    standalone: true,
    wallSeconds: 1,
  });
  const epochs = valAdv.map((v, epoch) => ({
    epoch,
    steps: 1,
    trainLoss: 1,
    trainCleanAcc: 0.5,
    trainAdvAcc: 0.4,
    valCleanAcc: 0.9,
    valAdvAcc: v,
    lr: 0.1,
    wallSec: 2 + epoch,
  }));
  return {
    name: 'r',
    evaluation: ev(clean),
    wallSeconds: 30,
    training: {
      status: 'completed',
      message: '',
      steps: 3,
      epochs,
      lrChanges: [],
      wallSeconds: 12,
    },
    pruning: [
      {
        method: 'magnitude',
        criterion: 'magnitude',
        sparsity: 0.9,
        schedule: 'one-shot',
        scoring: { seconds: 1, meta: {} },
        sparsityReport: { global: { sparsity: 0.89 } },
        fineTune: {
          status: 'completed',
          message: '',
          epochs: [{ ...epochs[0], valAdvAcc: 0.01 }],
          seconds: 4,
        },
        evaluation: ev(clean - 0.1),
      },
    ],
    transfer: {
      base: { inferenceMs: 3 },
      cells: [
        {
          method: 'magnitude',
          sparsity: 0.9,
          attack: 'fgsm',
          clean: 0.8,
          transferAccuracy: 0.6,
          transferRobust: 0.55,
          whiteBoxRobust: 0.3,
          params: 1,
          macs: 1,
          inferenceMs: 2.5,
        },
      ],
    },
  } as unknown as ExperimentReport;
}

describe('reportMetrics', () => {
  it('flattens base, pruned and transfer figures; target metrics from the curve', () => {
    const rows = reportMetrics(fakeReport(0.8, [0.2, null, 0.5]), { target: 0.45 });
    const get = (v: string, m: string) =>
      rows.filter((r) => r.variant === v && r.metric === m).map((r) => r.value);
    expect(get('base', 'clean')).toEqual([0.8]);
    expect(get('base', 'pgd-linf#1')).toEqual([0.4]);
    expect(get('base', 'pgd-linf#2')).toEqual([0.2]);
    expect(get('base', 'fgsm')).toEqual([0.8 / 3]);
    expect(get('base', 'pgd-linf')).toEqual([]);
    expect(get('base', 'worst-case')).toEqual([0.8 / 5]);
    expect(get('base', 'wall-seconds')).toEqual([30]);
    expect(get('base', 'train-seconds')).toEqual([12]);
    expect(get('base', 'final-val-adv')).toEqual([0.5]);
    expect(get('base', 'epochs-to-target')).toEqual([3]);
    expect(get('base', 'seconds-to-target')).toEqual([2 + 3 + 4]);
    expect(get('magnitude@0.9', 'clean')[0]).toBeCloseTo(0.7, 12);
    expect(get('magnitude@0.9', 'weights-removed')).toEqual([0.89]);
    expect(get('magnitude@0.9', 'fine-tune-seconds')).toEqual([4]);
    expect(get('magnitude@0.9', 'epochs-to-target')[0]).toBeNaN();
    expect(get('magnitude@0.9', 'transfer-robust:fgsm')).toEqual([0.55]);
    expect(get('magnitude@0.9', 'transfer-accuracy:fgsm')).toEqual([0.6]);
    expect(get('magnitude@0.9', 'inference-ms')).toEqual([2.5]);
    expect(get('base', 'inference-ms')).toEqual([3]);
    // without a target there are no target metrics
    expect(reportMetrics(fakeReport(0.8, [0.2])).some((r) => r.metric.endsWith('-to-target'))).toBe(
      false,
    );
  });
});

describe('summarizeSweep and merging', () => {
  const axes = [
    { name: 'seed', path: 'seed', values: [0, 1, 2], labels: [0, 1, 2] },
    { name: 'lr', path: 'train.schedule.lr', values: [0.1, 0.01], labels: [0.1, 0.01] },
  ];
  const cleanOf = (i: number) => 0.5 + 0.07 * i - 0.003 * i * i;
  const runs: SweepCell[] = Array.from({ length: 6 }, (_, i) => ({
    index: i,
    params: cellParams(axes, i),
    report: fakeReport(cleanOf(i), i === 2 ? [0.1] : [0.6]),
  }));

  it('gives mean and sample std over the seeds of each group; NaN values left out', () => {
    const s = summarizeSweep(runs, 'seed', { target: 0.5 });
    for (const [lr, cells] of [
      [0.1, [0, 2, 4]],
      [0.01, [1, 3, 5]],
    ] as const) {
      const row = s.find((r) => r.params.lr === lr && r.variant === 'base' && r.metric === 'clean');
      const v = cells.map(cleanOf);
      const mean = v.reduce((a, b) => a + b) / 3;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
      expect(row?.params).toEqual({ lr });
      expect(row?.n).toBe(3);
      expect(row?.values).toEqual(v);
      expect(row?.mean).toBeCloseTo(mean, 12);
      expect(row?.std).toBeCloseTo(std, 12);
    }
    // cell 2 (seed 1, lr 0.1) never reached the target: n = 2 there
    const hit = s.find(
      (r) => r.params.lr === 0.1 && r.variant === 'base' && r.metric === 'epochs-to-target',
    );
    expect(hit?.n).toBe(2);
    expect(hit?.std).toBe(0);
    // the pruned variant never reached it in any seed: no row (JSON has no NaN)
    expect(s.some((r) => r.variant === 'magnitude@0.9' && r.metric === 'epochs-to-target')).toBe(
      false,
    );
    expect(summarizeSweep(runs.slice(0, 1)).find((r) => r.metric === 'clean')?.std).toBe(0);
  });

  const shard = (i: number, n: number) =>
    makeSweepReport(
      { name: 'g', axes, cells: 6 },
      [{ index: i, count: n }],
      runs.filter((r) => r.index % n === i),
    );

  it('merges shards into the full report, lists missing cells, accepts an identical duplicate', () => {
    const full = makeSweepReport({ name: 'g', axes, cells: 6 }, [], runs);
    const m = mergeSweepReports([
      { source: 'b', report: shard(1, 2) },
      { source: 'a', report: shard(0, 2) },
      { source: 'a2', report: JSON.parse(JSON.stringify(shard(0, 2))) as unknown },
    ]);
    expect(m.runs.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(m.missing).toEqual([]);
    expect(m.shards).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
    expect(m.summary).toEqual(full.summary);
    const part = mergeSweepReports([{ source: 'a', report: shard(0, 3) }]);
    expect(part.missing).toEqual([1, 2, 4, 5]);
  });

  it('refuses shards of another sweep, disagreeing duplicates and wrong params', () => {
    const a = { source: 'a.json', report: shard(0, 2) };
    const other = (f: (r: ReturnType<typeof shard>) => void) => {
      const r = JSON.parse(JSON.stringify(shard(1, 2))) as ReturnType<typeof shard>;
      f(r);
      return () => mergeSweepReports([a, { source: 'b.json', report: r }]);
    };
    expect(other((r) => (r.name = 'h'))).toThrow(/names differ/);
    expect(other((r) => (r.cells = 7))).toThrow(/cell counts differ/);
    expect(other((r) => (r.axes[1].labels = [1, 2]))).toThrow(/axes .* differ/);
    expect(other((r) => (r.target = 0.3))).toThrow(/targets differ/);
    expect(other((r) => (r.runs[0].index = 0))).toThrow(SweepMergeError);
    expect(other((r) => (r.runs[0].params = { seed: 9, lr: 0.1 }))).toThrow(/the grid says/);
    const dup = JSON.parse(JSON.stringify(shard(0, 2))) as ReturnType<typeof shard>;
    dup.runs[1].report.wallSeconds = 99;
    expect(() => mergeSweepReports([a, { source: 'c.json', report: dup }])).toThrow(
      /cell 2 is reported differently by a.json and c.json/,
    );
    expect(() =>
      mergeSweepReports([{ source: 'x', report: { format: 'advprune-report' } }]),
    ).toThrow(/not a sweep report/);
  });
});
