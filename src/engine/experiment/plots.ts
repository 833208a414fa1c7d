/**
 * SVG charts as strings (no DOM): a line chart of mean ± standard-deviation bands against a
 * numeric axis, and a grouped bar chart with error bars. Fixed palette (Okabe–Ito, colour-blind
 * safe), axes with ticks and labels, a legend, a title and a viewBox so the image scales. Every
 * text that goes into the SVG comes from data (axis labels, attack names, config names) and is
 * escaped. Used by `npm run report -- <sweep.json> --plots <dir>` (sweep-plots.ts) and by the
 * benchmark's scaling plots (scaling.ts, log axes).
 */

/** Okabe & Ito (2008) colour-blind-safe palette, then two greys; cycled past ten series. */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#F0E442',
  '#000000',
  '#777777',
  '#BBBBBB',
] as const;

/** Escapes text for SVG/XML content and attribute values; drops characters XML forbids. */
export function escapeXml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const W = 800;
const H = 440;
const M = { left: 70, right: 250, top: 44, bottom: 60 };
/** legend rows that fit beside the plot */
const LEGEND_ROWS = 19;
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

const clip = (s: string, n = 30) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const num = (v: number) => +v.toFixed(2);

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    out.push(+v.toPrecision(12));
  return out;
}

/**
 * Tick values of a logarithmic axis over [lo, hi] (lo > 0): 1·10^k, and 2·, 5·10^k when the range
 * spans few decades; every 1-2-…-9 mantissa when it spans less than a decade.
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const inRange = (mantissas: number[]) => {
    const out: number[] = [];
    for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
      for (const m of mantissas) {
        const v = +(m * 10 ** k).toPrecision(12);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    return out;
  };
  const decades = Math.log10(hi / lo);
  if (decades > 4) return inRange([1]);
  const t = inRange([1, 2, 5]);
  return t.length >= 3 ? t : inRange([1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

const fmtTick = (v: number, percent: boolean) =>
  percent ? `${+(v * 100).toPrecision(4)}%` : String(+v.toPrecision(4));

interface Frame {
  title: string;
  xLabel: string;
  yLabel: string;
  legend: { name: string; color: string; dashed?: boolean }[];
}

/** Title, axis titles, legend; `body` holds the plot area's contents. */
function frame(f: Frame, body: string[]): string {
  const t = escapeXml(f.title);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${t}" font-family="sans-serif" font-size="12">`,
    `<title>${t}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(clip(f.title, 90))}</text>`,
    ...body,
    `<text x="${M.left + PW / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(clip(f.xLabel, 80))}</text>`,
    `<text transform="translate(18 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(clip(f.yLabel, 60))}</text>`,
  ];
  const shown = f.legend.length > LEGEND_ROWS ? f.legend.slice(0, LEGEND_ROWS - 1) : f.legend;
  if (shown.length < f.legend.length)
    out.push(
      `<text x="${W - M.right + 16}" y="${M.top + 12 + shown.length * 18}">… ${f.legend.length - shown.length} more</text>`,
    );
  shown.forEach((l, i) => {
    const y = M.top + 8 + i * 18;
    const x = W - M.right + 16;
    const dash = l.dashed ? ' stroke-dasharray="5 3"' : '';
    out.push(
      `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${l.color}" stroke-width="2.5"${dash}/>`,
      `<text x="${x + 28}" y="${y + 4}">${escapeXml(clip(l.name, 32))}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Horizontal grid lines with y tick labels; returns the y scale (log10 when `log`, lo > 0). */
function yAxis(
  lo: number,
  hi: number,
  percent: boolean,
  body: string[],
  log = false,
): (v: number) => number {
  const ticks = log ? logTicks(lo, hi) : niceTicks(lo, hi);
  const a = log ? lo : Math.min(lo, ticks[0]);
  const b = log ? hi : Math.max(hi, ticks[ticks.length - 1]);
  const f = log ? Math.log10 : (v: number) => v;
  const sy = (v: number) => num(M.top + PH - ((f(v) - f(a)) / (f(b) - f(a) || 1)) * PH);
  for (const t of ticks)
    body.push(
      `<line x1="${M.left}" y1="${sy(t)}" x2="${M.left + PW}" y2="${sy(t)}" stroke="#e4e4e4"/>`,
      `<text x="${M.left - 6}" y="${sy(t) + 4}" text-anchor="end">${escapeXml(fmtTick(t, percent))}</text>`,
    );
  body.push(
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + PH}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top + PH}" x2="${M.left + PW}" y2="${M.top + PH}" stroke="#333"/>`,
  );
  return sy;
}

/** Range of the finite values (with their ± std), padded; accuracies keep 0 in view. */
function range(vals: number[], percent: boolean): [number, number] {
  const f = vals.filter(Number.isFinite);
  if (f.length === 0) return [0, 1];
  let lo = Math.min(...f);
  let hi = Math.max(...f);
  if (percent || lo > 0) lo = Math.min(lo, 0);
  if (percent) hi = Math.max(hi, Math.min(1, hi * 1.05 || 1));
  if (hi === lo) hi = lo + 1;
  return [lo, hi];
}

export interface LineSeries {
  name: string;
  /** x ascending; std ≥ 0 draws a band mean ± std; non-finite means are skipped */
  points: { x: number; mean: number; std?: number }[];
  dashed?: boolean;
  /** palette index (default: the series' position) */
  color?: number;
  /** list it in the legend (default true) */
  legend?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** y values are fractions shown as percentages (axis from 0; bands clamped to [0, 1]) */
  percent?: boolean;
  /** x ticks at integers only (e.g. epochs) */
  integerX?: boolean;
  /** logarithmic x axis (base 10): points with x ≤ 0 are skipped */
  logX?: boolean;
  /** logarithmic y axis (base 10): points with mean ≤ 0 are skipped, bands clamped above 0 */
  logY?: boolean;
  /** the x tick values (default: round values over the data's range) */
  xTicks?: number[];
  /** the x tick labels (default: the value); labels closer than 70 px alternate two rows */
  xTickFormat?: (v: number) => string;
}

/** A line chart of mean ± std bands against a numeric x (linear or log axes). */
export function lineChartSvg(o: LineChartOptions): string {
  const logX = o.logX ?? false;
  const logY = o.logY ?? false;
  // a point is drawn when its mean is finite (and > 0 on a log y axis) and its x finite (> 0 on a
  // log x axis); on linear axes a point with a non-finite x still counts for the y range, as before
  const shown = (p: { x: number; mean: number }, forRange: boolean) =>
    Number.isFinite(p.mean) &&
    (!logY || p.mean > 0) &&
    (logX ? p.x > 0 && Number.isFinite(p.x) : forRange || Number.isFinite(p.x));
  const pts = o.series.flatMap((s) => s.points.filter((p) => shown(p, true)));
  const xs = pts.map((p) => p.x).filter(Number.isFinite);
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : logX ? [1, 10] : [0, 1];
  const percent = o.percent ?? false;
  let lo: number;
  let hi: number;
  let band = (v: number) => (percent ? Math.min(1, Math.max(0, v)) : v);
  if (logY) {
    const ys = pts.map((p) => p.mean);
    [lo, hi] = ys.length ? [Math.min(...ys) / 1.25, Math.max(...ys) * 1.25] : [1, 10];
    const floor = lo;
    band = (v: number) => Math.min(hi, Math.max(floor, v));
  } else
    [lo, hi] = range(
      pts.flatMap((p) => [band(p.mean - (p.std ?? 0)), band(p.mean + (p.std ?? 0))]),
      percent,
    );
  const body: string[] = [];
  const sy = yAxis(lo, hi, percent, body, logY);
  const fx = logX ? Math.log10 : (v: number) => v;
  const sx = (v: number) =>
    num(M.left + (x1 > x0 ? ((fx(v) - fx(x0)) / (fx(x1) - fx(x0))) * PW : PW / 2));
  const xTicks = o.xTicks ?? (logX ? logTicks(x0, x1) : niceTicks(x0, x1, 6));
  const tol = logX ? 1e-9 : 0; // log ticks are computed, so allow for rounding at the ends
  const shownTicks = xTicks.filter(
    (t) => t >= x0 * (1 - tol) && t <= x1 * (1 + tol) && (!o.integerX || Number.isInteger(t)),
  );
  const label = o.xTickFormat ?? ((t: number) => fmtTick(t, false));
  const crowded = shownTicks.some((t, i) => i > 0 && sx(t) - sx(shownTicks[i - 1]) < 70);
  shownTicks.forEach((t, i) =>
    body.push(
      `<line x1="${sx(t)}" y1="${M.top + PH}" x2="${sx(t)}" y2="${M.top + PH + 5}" stroke="#333"/>`,
      `<text x="${sx(t)}" y="${M.top + PH + 18 + (crowded && i % 2 === 1 ? 14 : 0)}" text-anchor="middle">${escapeXml(label(t))}</text>`,
    ),
  );
  const legend: Frame['legend'] = [];
  o.series.forEach((s, i) => {
    const color = PALETTE[(s.color ?? i) % PALETTE.length];
    if (s.legend !== false) legend.push({ name: s.name, color, dashed: s.dashed });
    const p = s.points.filter((q) => shown(q, false));
    if (p.length === 0) return;
    const sd = (q: (typeof p)[number]) => (Number.isFinite(q.std) ? (q.std as number) : 0);
    if (p.length > 1 && p.some((q) => sd(q) > 0)) {
      const up = p.map((q) => `${sx(q.x)},${sy(band(q.mean + sd(q)))}`);
      const down = p.map((q) => `${sx(q.x)},${sy(band(q.mean - sd(q)))}`).reverse();
      body.push(
        `<polygon points="${[...up, ...down].join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"/>`,
      );
    }
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    body.push(
      `<polyline points="${p.map((q) => `${sx(q.x)},${sy(q.mean)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`,
      ...p.map((q) => `<circle cx="${sx(q.x)}" cy="${sy(q.mean)}" r="3" fill="${color}"/>`),
    );
  });
  return frame({ title: o.title, xLabel: o.xLabel, yLabel: o.yLabel, legend }, body);
}

export interface BarChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** category names along x */
  groups: string[];
  /** one bar per group and series; null or a non-finite mean: no bar */
  series: { name: string; values: ({ mean: number; std?: number } | null)[] }[];
  percent?: boolean;
}

/** A grouped bar chart with ± std error bars. */
export function barChartSvg(o: BarChartOptions): string {
  const vals = o.series.flatMap((s) =>
    s.values.flatMap((v) => (v && Number.isFinite(v.mean) ? [v.mean + (v.std ?? 0), v.mean] : [])),
  );
  const percent = o.percent ?? false;
  const clamp = (v: number) => (percent ? Math.min(1, Math.max(0, v)) : v);
  const [lo, hi] = range([0, ...vals.map(clamp)], percent);
  const body: string[] = [];
  const sy = yAxis(lo, hi, percent, body);
  const gw = PW / Math.max(1, o.groups.length);
  const bw = (gw * 0.8) / Math.max(1, o.series.length);
  o.groups.forEach((g, gi) => {
    const cx = num(M.left + gw * (gi + 0.5));
    body.push(
      `<text x="${cx}" y="${M.top + PH + 18}" text-anchor="middle">${escapeXml(clip(g, Math.max(6, Math.floor(gw / 7))))}</text>`,
    );
  });
  o.series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length];
    s.values.forEach((v, gi) => {
      if (!v || !Number.isFinite(v.mean) || gi >= o.groups.length) return;
      const x = num(M.left + gw * gi + gw * 0.1 + bw * si);
      const y = sy(Math.max(v.mean, 0));
      const h = num(Math.abs(sy(v.mean) - sy(0)));
      body.push(
        `<rect class="bar" x="${x}" y="${Math.min(y, sy(0))}" width="${num(bw * 0.92)}" height="${h}" fill="${color}"><title>${escapeXml(`${s.name}, ${o.groups[gi]}: ${fmtTick(v.mean, percent)}`)}</title></rect>`,
      );
      const sd = v.std ?? 0;
      if (Number.isFinite(sd) && sd > 0) {
        const mx = num(x + bw * 0.46);
        const [y0, y1] = [sy(clamp(v.mean - sd)), sy(clamp(v.mean + sd))];
        body.push(
          `<path class="error-bar" d="M${mx},${y0} V${y1} M${num(mx - 4)},${y0} h8 M${num(mx - 4)},${y1} h8" stroke="#222" stroke-width="1.2" fill="none"/>`,
        );
      }
    });
  });
  const legend = o.series.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length] }));
  return frame({ title: o.title, xLabel: o.xLabel, yLabel: o.yLabel, legend }, body);
}
