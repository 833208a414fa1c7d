/**
 * The bench's target check (bench/lib/targets.ts) on hand-made rows: a white-box slider figure
 * judged only when its attack ran on enough clean-correct images (a model that gets a dozen of
 * 250 right left the attack nothing to do, and a browser run once reported that as "met").
 */
import { describe, expect, it } from 'vitest';
import { benchRow, type ResultRow } from '../../bench/lib/results';
import { MIN_ATTACKED, checkTargets } from '../../bench/lib/targets';

function wb(
  task: string,
  backend: string,
  p95: number,
  attacked: number | undefined,
  runs = 20,
): ResultRow {
  return benchRow(task, 'lenet', backend, 250, { median: p95 * 0.9, p95, runs }, { attacked });
}

const target = (rows: ResultRow[], what: string) => {
  const t = checkTargets(rows, []).find((x) => x.name.startsWith(what));
  if (!t) throw new Error(`no target '${what}'`);
  return t;
};

describe('bench targets: the live white-box figure', () => {
  it('judges a full figure over enough attacked images against 1 s', () => {
    const full = 'full white-box figure p95 ≤ 1 s (250 samples), Node';
    expect(target([wb('slider-white-box-full', 'wasm', 400, 200)], full).met).toBe(true);
    expect(target([wb('slider-white-box-full', 'wasm', 1200, 200)], full).met).toBe(false);
  });

  it('does not judge a figure whose attack ran on too few images, and says why', () => {
    const rows = [wb('slider-white-box-full', 'chromium-wasm', 57, 12)];
    const t = target(rows, 'full white-box figure p95 ≤ 1 s (250 samples), browser CPU path');
    expect(t.met).toBeNull();
    expect(t.value).toContain('12 clean-correct');
    expect(t.value).toContain(`≥ ${MIN_ATTACKED}`);
    // at the bar it counts
    const ok = [wb('slider-white-box-full', 'chromium-wasm', 57, MIN_ATTACKED)];
    expect(target(ok, 'full white-box figure p95 ≤ 1 s (250 samples), browser CPU path').met).toBe(
      true,
    );
  });

  it('does not judge a row without timed runs (no estimate on any move)', () => {
    const rows = [wb('slider-white-box-first', 'chromium-wasm', NaN, 200, 0)];
    const t = target(rows, 'first white-box estimate p95 ≤ 300 ms (250 samples), browser CPU path');
    expect(t.met).toBeNull();
    expect(t.value).toContain('no timed run');
  });

  it('judges clean + transfer rows, which carry no attack count, by their p95', () => {
    const rows = [
      benchRow('slider-clean+transfer', 'lenet', 'wasm', 500, { median: 55, p95: 65, runs: 20 }),
    ];
    expect(target(rows, 'slider clean+transfer p95 ≤ 60 ms (1,000 samples), Node').met).toBe(false);
  });
});
