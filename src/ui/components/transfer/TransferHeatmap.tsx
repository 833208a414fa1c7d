/**
 * Heat maps of a transfer benchmark report, one per attack: methods (rows) × sparsities
 * (columns), each cell coloured by the chosen figure (default transfer robust accuracy) on the
 * sequential colormap stretched over the range of all the maps (one scale, so attacks compare),
 * its value printed in the cell. The dense base sits in the first column (sparsity 0; its figure
 * under its own attack).
 */
import { useState } from 'react';
import type { TransferReport } from '../../../workers/protocol';
import { attackLabel } from '../../lib/attacks';
import { css, heat } from '../canvas/colormap';
import { Legend } from '../canvas/Legend';
import { criterionLabel } from '../../../workers/protocol';
import { formatPct } from '../../lib/format';
import { matrixOf, type CellFigure } from '../../lib/transfer-matrix';

const FIGURES: readonly { name: CellFigure; label: string }[] = [
  { name: 'transferRobust', label: 'transfer robust accuracy' },
  { name: 'transferAccuracy', label: 'transfer accuracy' },
  { name: 'whiteBoxRobust', label: 'white-box robust accuracy' },
  { name: 'clean', label: 'clean accuracy' },
];

/** The base's value of a figure under one attack. */
function baseValue(report: TransferReport, attack: string, figure: CellFigure): number | null {
  const wb = report.base.perAttack.find((a) => a.attack === attack)?.whiteBox ?? null;
  return figure === 'clean' ? report.base.clean : figure === 'transferAccuracy' ? null : wb;
}

export function TransferHeatmap({ report }: { report: TransferReport }) {
  const [figure, setFigure] = useState<CellFigure>('transferRobust');
  const label = FIGURES.find((f) => f.name === figure)?.label ?? figure;
  // one colour scale for every attack, so the maps compare
  const all = report.attacks
    .flatMap((a) => [
      ...matrixOf(report, a.label, figure).values.flat(),
      baseValue(report, a.label, figure),
    ])
    .filter((v): v is number => v !== null);
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const t = (v: number) => (hi > lo ? (v - lo) / (hi - lo) : 1);
  return (
    <div>
      <label>
        Figure{' '}
        <select value={figure} onChange={(e) => setFigure(e.target.value as CellFigure)}>
          {FIGURES.map((f) => (
            <option key={f.name} value={f.name}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      <div className="heatmaps">
        {report.attacks.map((a) => {
          const m = matrixOf(report, a.label, figure);
          const base = baseValue(report, a.label, figure);
          const cell = (v: number | null, key: string, name: string) =>
            v === null ? (
              <span key={key} className="hm-cell empty" title={`${name}: not run`}>
                —
              </span>
            ) : (
              <span
                key={key}
                className="hm-cell"
                style={{ background: css(heat(t(v))), color: t(v) > 0.55 ? '#111' : '#fff' }}
                title={`${name}: ${formatPct(v)}`}
              >
                {formatPct(v)}
              </span>
            );
          return (
            <figure
              key={a.label}
              className="heatmap"
              aria-label={`${label} under ${attackLabel(a.label)}`}
            >
              <figcaption>
                <strong>{attackLabel(a.label)}</strong> <span className="label">{label}</span>
              </figcaption>
              <div
                className="hm-grid"
                style={{ gridTemplateColumns: `auto repeat(${m.sparsities.length + 1}, 4.2em)` }}
              >
                <span className="hm-head" />
                <span className="hm-head">base</span>
                {m.sparsities.map((s) => (
                  <span key={s} className="hm-head">
                    {formatPct(s)}
                  </span>
                ))}
                {m.methods.map((method, r) => [
                  <span key={`${method}-name`} className="hm-row">
                    {criterionLabel(method)}
                  </span>,
                  cell(base, `${method}-base`, `base, ${attackLabel(a.label)}`),
                  ...m.sparsities.map((s, c) =>
                    cell(
                      m.values[r][c],
                      `${method}-${s}`,
                      `${criterionLabel(method)} at ${formatPct(s)}`,
                    ),
                  ),
                ])}
              </div>
              <Legend kind="heat" low={formatPct(lo)} high={formatPct(hi)} caption={label} />
            </figure>
          );
        })}
      </div>
    </div>
  );
}
