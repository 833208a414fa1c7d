/**
 * The scaling rows' pure side (issue 13, item 3): the least-squares fit, the grouping of rows
 * into fits, the epoch prediction, the Markdown tables, the plots drawn from the rows (log axes,
 * escaped labels), and the log ticks. No timing: the rows here are made up.
 */
import { describe, expect, it } from 'vitest';
import { lineChartSvg, logTicks } from '@/engine/experiment/plots';
import {
  epochSeconds,
  linearFit,
  predictMs,
  scalingFits,
  scalingMarkdown,
  scalingPlots,
  type ScalingRow,
} from '@/engine/experiment/scaling';

const row = (over: Partial<ScalingRow>): ScalingRow => ({
  task: 'scaling-train-standard',
  model: 'lenet',
  backend: 'wasm',
  batch: 64,
  median_ms: 10,
  p95_ms: 12,
  ...over,
});

describe('linearFit', () => {
  it('recovers an exact line with r² = 1 and predicts on it', () => {
    const f = linearFit([16, 32, 64, 128], [3 + 2 * 16, 3 + 2 * 32, 3 + 2 * 64, 3 + 2 * 128]);
    expect(f).not.toBeNull();
    expect(f?.a).toBeCloseTo(3, 10);
    expect(f?.b).toBeCloseTo(2, 10);
    expect(f?.r2).toBeCloseTo(1, 12);
    expect(f?.n).toBe(4);
    expect(predictMs(f as NonNullable<typeof f>, 256)).toBeCloseTo(515, 9);
  });

  it('matches the textbook least squares on noisy points', () => {
    // x 1..4, y 2, 3, 5, 4: b = 0.8, a = 1.5, r² = 0.64
    const f = linearFit([1, 2, 3, 4], [2, 3, 5, 4]);
    expect(f?.b).toBeCloseTo(0.8, 12);
    expect(f?.a).toBeCloseTo(1.5, 12);
    expect(f?.r2).toBeCloseTo(0.64, 12);
  });

  it('skips non-finite points; null without two distinct x', () => {
    expect(linearFit([1, NaN, 3], [1, 5, 3])).toMatchObject({ a: 0, b: 1, n: 2 });
    expect(linearFit([5, 5, 5], [1, 2, 3])).toBeNull();
    expect(linearFit([1], [1])).toBeNull();
    expect(linearFit([], [])).toBeNull();
    // constant y fitted exactly
    expect(linearFit([1, 2], [7, 7])).toMatchObject({ a: 7, b: 0, r2: 1 });
  });
});

describe('scalingFits', () => {
  const rows: ScalingRow[] = [
    // LeNet standard steps on the batch axis, and again on the model axis: one fit on batch
    ...[16, 32, 64].map((b) => row({ axis: 'batch', x: b, batch: b, median_ms: 5 + 0.5 * b })),
    row({ axis: 'model', x: 416_000, batch: 128, median_ms: 5 + 0.5 * 128, macs: 416_000 }),
    // the slider against the images
    ...[250, 500, 1000].map((n) =>
      row({ task: 'scaling-slider-white-box', axis: 'images', x: n, batch: 250, median_ms: n }),
    ),
    // one batch only: no slope, left out
    row({ model: 'vgg-small', axis: 'model', x: 2.5e7, batch: 64, median_ms: 900 }),
    // not a scaling row
    row({ task: 'train-standard', batch: 16, median_ms: 1e6 }),
  ];

  it('one fit per task, model and backend: steps against the batch, the slider against images', () => {
    const fits = scalingFits(rows);
    expect(fits.map((f) => [f.task, f.model, f.per, f.fit.n, f.range])).toEqual([
      ['scaling-train-standard', 'lenet', 'batch', 4, [16, 128]],
      ['scaling-slider-white-box', 'lenet', 'images', 3, [250, 1000]],
    ]);
    expect(fits[0].fit.a).toBeCloseTo(5, 9);
    expect(fits[0].fit.b).toBeCloseTo(0.5, 9);
    expect(fits[1].fit.b).toBeCloseTo(1, 9);
  });

  it('an epoch is ⌈N / B⌉ steps of a + b·B', () => {
    expect(epochSeconds({ a: 5, b: 0.5 }, 64, 60_000)).toBeCloseTo((938 * 37) / 1000, 9);
    expect(epochSeconds({ a: 0, b: 1 }, 100, 1000)).toBeCloseTo(1, 9);
  });

  it('the Markdown: a fit table and the epoch table, extrapolations marked', () => {
    const md = scalingMarkdown(scalingFits(rows), [64, 256], 60_000);
    expect(md).toContain('| task | model | backend | n | a (ms) | b (ms per image) | r² |');
    expect(md).toContain(
      '| train-standard | lenet | wasm | batch | 5.00 | 0.500 | 1.000 | 4, 16-128 |',
    );
    expect(md).toContain('| slider-white-box | lenet | wasm | images |');
    // b64: 938 steps × 37 ms = 34.7 s; b256: 235 × 133 ms = 31 s, beyond the fitted 128
    expect(md).toContain('| train-standard | lenet | wasm | 35 s | 31 s (extrapolated) |');
    expect(md).not.toMatch(/slider-white-box \| lenet \| wasm \| \d/);
  });
});

describe('scalingPlots', () => {
  it('one plot per axis with rows, log ticks at the measured x, labels escaped', () => {
    const rows: ScalingRow[] = [
      ...[16, 64, 256].map((b) => row({ axis: 'batch', x: b, batch: b, median_ms: 2 * b })),
      row({ model: '<mlp>', axis: 'model', x: 266_200, macs: 266_200, median_ms: 9 }),
      row({ model: 'lenet', axis: 'model', x: 416_520, macs: 416_520, median_ms: 14 }),
      row({ model: 'vgg-small', axis: 'model', x: 2.5e7, macs: 2.5e7, median_ms: 700 }),
    ];
    const plots = scalingPlots(rows, 'load 4 on 2 cores');
    expect(plots.map((p) => p.file)).toEqual(['scaling-batch.svg', 'scaling-model.svg']);
    for (const p of plots) {
      expect(p.svg.startsWith('<svg')).toBe(true);
      expect(p.svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(p.title).toContain('(load 4 on 2 cores)');
      expect(p.svg).not.toMatch(/NaN|Infinity/);
    }
    const [batch, model] = plots;
    for (const t of ['16', '64', '256']) expect(batch.svg).toContain(`>${t}</text>`);
    // median and p95 per series: two polylines, three points each
    expect(batch.svg.match(/<polyline/g)).toHaveLength(2);
    expect(batch.svg.match(/<circle/g)).toHaveLength(6);
    expect(model.svg).toContain('>lenet 417k</text>');
    expect(model.svg).toContain('>vgg-small 25M</text>');
    expect(model.svg).toContain('&lt;mlp&gt; 266k');
    expect(model.svg).not.toContain('<mlp>');
  });

  it('nothing to draw without scaling rows', () => {
    expect(scalingPlots([row({})])).toEqual([]);
  });
});

describe('log axes', () => {
  it('log ticks: 1-2-5 per decade, every mantissa within a decade, none for bad ranges', () => {
    expect(logTicks(16, 256)).toEqual([20, 50, 100, 200]);
    expect(logTicks(1, 1000)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    expect(logTicks(3, 7)).toEqual([3, 4, 5, 6, 7]);
    expect(logTicks(1, 1e6)).toEqual([1, 10, 100, 1000, 1e4, 1e5, 1e6]);
    expect(logTicks(0, 10)).toEqual([]);
    expect(logTicks(10, 1)).toEqual([]);
  });

  it('a log chart skips the points it cannot place (x ≤ 0, y ≤ 0)', () => {
    const svg = lineChartSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      logX: true,
      logY: true,
      series: [
        {
          name: 's',
          points: [
            { x: 0, mean: 5 },
            { x: 10, mean: 0 },
            { x: 10, mean: 5 },
            { x: 100, mean: 50 },
          ],
        },
      ],
    });
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
