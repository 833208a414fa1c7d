/**
 * SVG plots: well-formed XML (a small tag-balance and entity checker, Node has no DOMParser),
 * hostile labels escaped, bands and error bars drawn where the data asks, tick values round, and
 * the plot set of a sweep chosen from its axes.
 */
import { describe, expect, it } from 'vitest';
import {
  barChartSvg,
  cellParams,
  escapeXml,
  lineChartSvg,
  makeSweepReport,
  niceTicks,
  sweepPlots,
  type ExperimentReport,
  type SweepAxis,
} from '@/engine/experiment';

/** Throws unless `svg` is one balanced <svg> element with quoted attributes and known entities. */
function checkXml(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  let roots = 0;
  while (i < svg.length) {
    const lt = svg.indexOf('<', i);
    const text = svg.slice(i, lt < 0 ? svg.length : lt);
    for (const m of text.matchAll(/&([^;\s]*);?/g))
      if (!/^&(amp|lt|gt|quot|apos);$/.test(m[0])) throw new Error(`bad entity ${m[0]}`);
    if (text.includes('>')) throw new Error(`stray '>' in text near ${i}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(svg);
    if (!m) throw new Error(`malformed tag at ${lt}: ${svg.slice(lt, lt + 40)}`);
    const [, close, name, attrs, self] = m;
    for (const a of attrs.matchAll(/="([^"]*)"/g))
      for (const e of a[1].matchAll(/&([^;\s]*);?/g))
        if (!/^&(amp|lt|gt|quot|apos);$/.test(e[0])) throw new Error(`bad entity ${e[0]}`);
    if (close) {
      if (stack.pop() !== name) throw new Error(`unbalanced </${name}> at ${lt}`);
    } else if (!self) {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
    i = tag.lastIndex;
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1 || !svg.trimStart().startsWith('<svg')) throw new Error('not one <svg> root');
}

const hostile = `<script>alert("x")</script> & 'q'`;

describe('SVG charts', () => {
  it('the checker itself catches broken XML', () => {
    expect(() => checkXml('<svg><g></svg>')).toThrow(/unbalanced/);
    expect(() => checkXml('<svg><text>a < b</text></svg>')).toThrow(/malformed/);
    expect(() => checkXml('<svg><text>a & b</text></svg>')).toThrow(/entity/);
    expect(() => checkXml('<svg><g>')).toThrow(/unclosed/);
    expect(() => checkXml('<svg><rect x="1"/></svg>')).not.toThrow();
  });

  it('line chart: well-formed, hostile labels escaped, a band where std > 0', () => {
    const svg = lineChartSvg({
      title: hostile,
      xLabel: hostile,
      yLabel: 'acc',
      series: [
        {
          name: hostile,
          points: [
            { x: 0.5, mean: 0.6, std: 0.05 },
            { x: 0.9, mean: 0.4, std: 0.1 },
          ],
        },
        {
          name: 'no band',
          points: [
            { x: 0.5, mean: 0.3 },
            { x: 0.7, mean: NaN },
            { x: 0.9, mean: 0.2 },
          ],
          dashed: true,
        },
      ],
      percent: true,
    });
    checkXml(svg);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;q&apos;');
    expect(svg.match(/<polygon /g)).toHaveLength(1);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    // NaN points are skipped: 2 + 2 markers
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('>60%<');
  });

  it('bar chart: well-formed, one bar per finite value, error bars only where std > 0', () => {
    const svg = barChartSvg({
      title: 't',
      xLabel: 'schedule',
      yLabel: 'epochs',
      groups: ['constant', hostile],
      series: [
        {
          name: 'a',
          values: [
            { mean: 3, std: 1 },
            { mean: 5, std: 0 },
          ],
        },
        { name: hostile, values: [null, { mean: NaN }] },
      ],
    });
    checkXml(svg);
    expect(svg).not.toContain('<script');
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(svg.match(/<path class="error-bar"/g)).toHaveLength(1);
  });

  it('escapes and drops characters XML forbids; ticks are round and cover the range', () => {
    expect(escapeXml('a\u0000b\u0007c 🙂')).toBe('abc 🙂');
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.87)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe('sweepPlots', () => {
  const axes: SweepAxis[] = [
    { name: 'seed', path: 'seed', values: [0, 1], labels: [0, 1] },
    { name: 'schedule', path: 'train.schedule', values: [{}, {}], labels: ['constant', hostile] },
    { name: 'eps', path: 'x', values: [0.05, 0.1], labels: [0.05, 0.1] },
  ];
  const report = (i: number) =>
    ({
      evaluation: {
        cleanAccuracy: 0.8 - 0.01 * i,
        attacks: [{ name: 'pgd-linf', robustAccuracy: 0.4 + 0.01 * i }],
        worstCaseAccuracy: 0.3,
      },
      wallSeconds: 10,
      training: {
        wallSeconds: 5 + i,
        epochs: [0.2, 0.3, 0.45 + 0.01 * i].map((v, epoch) => ({
          epoch,
          valAdvAcc: v,
          valCleanAcc: v + 0.3,
          wallSec: 1,
        })),
      },
      pruning: [0.5, 0.9].map((sparsity) => ({
        method: 'magnitude',
        sparsity,
        evaluation: { cleanAccuracy: 0.7, attacks: [], worstCaseAccuracy: 0.2 + sparsity / 10 },
        sparsityReport: { global: { sparsity } },
        fineTune: { seconds: 1, epochs: [] },
      })),
    }) as unknown as ExperimentReport;
  const runs = Array.from({ length: 8 }, (_, i) => ({
    index: i,
    params: cellParams(axes, i),
    report: report(i),
  }));
  const sweep = makeSweepReport(
    { name: 'study', axes, cells: 8, target: 0.4 },
    [{ index: 0, count: 1 }],
    runs,
  );

  it('chooses plots from the axes, every one well-formed with its data escaped', () => {
    const plots = sweepPlots(sweep);
    expect(plots.map((p) => p.file)).toEqual([
      'accuracy.svg',
      'training-curves.svg',
      'worst-case-vs-eps.svg',
      'clean-vs-eps.svg',
      'epochs-to-target-vs-eps.svg',
      'pruned-worst-case-vs-sparsity.svg',
      'pruned-clean-vs-sparsity.svg',
      'bars-worst-case-by-schedule.svg',
      'bars-train-seconds-by-schedule.svg',
      'bars-epochs-to-target-by-schedule.svg',
    ]);
    for (const p of plots) {
      checkXml(p.svg);
      expect(p.svg).not.toContain('<script');
    }
    // training curves: 4 groups (schedule × eps) × (adv, clean)
    const curves = plots[1].svg;
    expect(curves.match(/<polyline /g)).toHaveLength(8);
    // epochs-to-target: every cell reaches 0.4 at epoch 3, so each bar is 3 with no error bar
    const bars = plots[9].svg;
    expect(bars.match(/<rect class="bar"/g)).toHaveLength(4);
    expect(bars.match(/<title>[^<]*: 3<\/title>/g)).toHaveLength(4);
    expect(bars).not.toContain('<path ');
  });

  it('a sweep over seeds only gets the overview and the curves', () => {
    const seeds = axes.slice(0, 1);
    const s = makeSweepReport(
      { name: 's', axes: seeds, cells: 2 },
      [],
      runs.slice(0, 2).map((r, i) => ({ ...r, params: cellParams(seeds, i) })),
    );
    expect(sweepPlots(s).map((p) => p.file)).toEqual([
      'accuracy.svg',
      'training-curves.svg',
      'pruned-worst-case-vs-sparsity.svg',
      'pruned-clean-vs-sparsity.svg',
    ]);
  });
});

describe('sweep plots of the committed transfer study', () => {
  it('draw the transfer-robust accuracy of the pruned models against sparsity, per attack', async () => {
    const { readFileSync } = await import('node:fs');
    const { sweepPlots } = await import('@/engine/experiment/sweep-plots');
    const report = JSON.parse(
      readFileSync('docs/experiments/transfer.sweep.json', 'utf8'),
    ) as Parameters<typeof sweepPlots>[0];
    const files = sweepPlots(report).map((p) => p.file);
    for (const attack of ['fgsm', 'pgd-linf', 'mifgsm'])
      expect(files).toContain(`pruned-transfer-robust_${attack}-vs-sparsity.svg`);
    const svg =
      sweepPlots(report).find((p) => p.file.includes('transfer-robust_pgd-linf'))?.svg ?? '';
    // one line per criterion × base: 3 criteria on 2 bases
    expect(svg.match(/<polyline/g)?.length).toBe(6);
  });
});

describe('sweep plots of the committed pruning study', () => {
  it('name each criterion once in the legend (the method axis is not repeated as method=…)', async () => {
    const { readFileSync } = await import('node:fs');
    const report = JSON.parse(
      readFileSync('docs/experiments/prune-lenet.sweep.json', 'utf8'),
    ) as Parameters<typeof sweepPlots>[0];
    const svg = sweepPlots(report).find((p) => p.file === 'pruned-worst-case-vs-sparsity.svg')?.svg;
    expect(svg).toBeDefined();
    // ten criteria, seeds averaged: one line each
    expect(svg?.match(/<polyline/g)?.length).toBe(10);
    expect(svg).not.toContain('method=');
    expect(svg).toContain('HYDRA from |w|, dead first');
  });
});
