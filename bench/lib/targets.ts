/**
 * The performance targets of issue 5, checked against the measured rows (report only):
 * - CPU path (best Node backend per row): training step ≤ 2× PyTorch CPU; PGD-20 eval ≤ 2×; with
 *   --browser also the training step on the browser's CPU path (best WASM / CPU row);
 * - slider: p95 of the clean + transfer update ≤ 150 ms on 1,000 samples, in Node and (with
 *   --browser) on the browser's CPU path, each platform's best row;
 * - memory: tensor count flat over the training steps;
 * and of issue 13, item 1, per platform (Node, the browser's CPU path), each platform's best row:
 * the first white-box estimate p95 ≤ 300 ms after the slider stops, the full white-box figure
 * p95 ≤ 1 s on 250 images, clean + transfer p95 ≤ 60 ms; a white-box row whose attack ran on
 * fewer than MIN_ATTACKED clean-correct images per move is not judged.
 * With the reference on a GPU (`--torch-device cuda`), only the WebGPU rows' ratios (report only).
 * `met` is null when nothing was measured for a target (or PyTorch did not run).
 */
import { WHITE_BOX_FIRST_N } from '../../src/engine/session/slider';
import type { BenchResults, MemoryReport, ResultRow } from './results';

type Target = BenchResults['targets'][number];

/** Per (task, model, batch): the row of the fastest backend. */
function bestRows(rows: readonly ResultRow[], prefix: string): ResultRow[] {
  const best = new Map<string, ResultRow>();
  for (const r of rows) {
    if (!r.task.startsWith(prefix)) continue;
    const k = `${r.task}|${r.model}|${r.batch}`;
    const b = best.get(k);
    if (!b || r.median_ms < b.median_ms) best.set(k, r);
  }
  return [...best.values()];
}

function ratioTarget(name: string, rows: ResultRow[], limit: number): Target {
  const withRef = rows.filter((r) => r.ratio !== null);
  if (withRef.length === 0) return { name, value: 'no PyTorch reference', met: null };
  const text = withRef
    .map((r) => `${r.task.replace('train-', '')} ${r.model} b${r.batch} ${r.ratio!.toFixed(2)}×`)
    .join(', ');
  return { name, value: text, met: withRef.every((r) => r.ratio! <= limit) };
}

/** Node rows (backend 'wasm' / 'cpu'); browser rows are named 'chromium-…'. */
const inNode = (r: ResultRow) => !r.backend.startsWith('chromium-');
/** The browser's CPU path: WASM (any thread count) and the JS CPU backend, not WebGPU / WebGL. */
const browserCpu = (r: ResultRow) => /^chromium-(wasm|cpu)/.test(r.backend);

/** The slider target on one platform's best row; null when it has none. */
function sliderTarget(platform: string, rows: ResultRow[]): Target | null {
  const best = bestRows(rows, 'slider-clean+transfer');
  if (best.length === 0) return null;
  return {
    name: `slider clean+transfer p95 ≤ 150 ms (1,000 samples), ${platform}`,
    value: best.map((r) => `${r.backend} p95 ${r.p95_ms.toFixed(1)} ms`).join(', '),
    met: best.every((r) => r.p95_ms <= 150),
  };
}

/** Issue 13's slider targets: (task, p95 limit in ms, what). */
const LIVE_SLIDER: [string, number, string][] = [
  ['slider-white-box-first', 300, 'first white-box estimate p95 ≤ 300 ms (250 samples)'],
  ['slider-white-box-full', 1000, 'full white-box figure p95 ≤ 1 s (250 samples)'],
  ['slider-clean+transfer', 60, 'slider clean+transfer p95 ≤ 60 ms (1,000 samples)'],
];

/**
 * The fewest clean-correct images per move a white-box slider row may average and still speak for
 * the targets: the evaluator's own bar for a first estimate (2 · WHITE_BOX_FIRST_N). A model that
 * gets few images right leaves the attack little to do and its latency flatters.
 */
export const MIN_ATTACKED = 2 * WHITE_BOX_FIRST_N;

/**
 * One of LIVE_SLIDER on one platform's best row; 'not run' when it has none, and not judged
 * (met null) when a white-box row has no timed runs or attacked fewer than MIN_ATTACKED images.
 */
function liveTarget(
  task: string,
  limit: number,
  what: string,
  platform: string,
  rows: ResultRow[],
): Target {
  const best = bestRows(rows, task).filter((r) => r.task === task);
  const name = `${what}, ${platform}`;
  if (best.length === 0) return { name, value: 'not run', met: null };
  const unfit = best.filter(
    (r) => r.runs === 0 || !Number.isFinite(r.p95_ms) || (r.attacked ?? Infinity) < MIN_ATTACKED,
  );
  if (unfit.length > 0) {
    const why = unfit
      .map((r) =>
        r.runs === 0 || !Number.isFinite(r.p95_ms)
          ? `${r.backend}: no timed run`
          : `${r.backend}: attack on ${r.attacked!.toFixed(0)} clean-correct images per move (needs ≥ ${MIN_ATTACKED})`,
      )
      .join(', ');
    return { name, value: `not measured (${why})`, met: null };
  }
  return {
    name,
    value: best.map((r) => `${r.backend} p95 ${r.p95_ms.toFixed(1)} ms`).join(', '),
    met: best.every((r) => r.p95_ms <= limit),
  };
}

export function checkTargets(
  rows: readonly ResultRow[],
  memory: readonly MemoryReport[],
  torchDevice: 'cpu' | 'cuda' = 'cpu',
): Target[] {
  const node = rows.filter(inNode);
  const browser = rows.filter(browserCpu);
  if (torchDevice === 'cuda') {
    // the reference ran on the GPU: only the WebGPU rows compare with it (report only: the issue
    // sets no ratio for the GPU); the CPU-path targets need a CPU reference run
    const gpu = rows.filter((r) => r.backend.startsWith('chromium-webgpu') && r.ratio !== null);
    return [
      {
        name: 'WebGPU training step vs PyTorch on the same GPU (report only)',
        value:
          gpu.length === 0
            ? 'no WebGPU row (run with --browser)'
            : gpu.map((r) => `${r.task} ${r.model} b${r.batch} ${r.ratio!.toFixed(2)}×`).join(', '),
        met: null,
      },
      {
        name: 'CPU-path targets',
        value: 'not checked: PyTorch ran on cuda (run again with --torch-device cpu)',
        met: null,
      },
    ];
  }
  const out: Target[] = [
    ratioTarget('training step ≤ 2× PyTorch CPU (best Node backend)', bestRows(node, 'train-'), 2),
    ratioTarget(
      'PGD-20 evaluation ≤ 2× PyTorch CPU (best Node backend)',
      bestRows(node, 'eval-pgd20'),
      2,
    ),
  ];
  if (browser.some((r) => r.task.startsWith('train-')))
    out.push(
      ratioTarget(
        'training step ≤ 2× PyTorch CPU (browser CPU path: best WASM / CPU row)',
        bestRows(browser, 'train-'),
        2,
      ),
    );
  if (browser.some((r) => r.task === 'eval-pgd20'))
    out.push(
      ratioTarget(
        'PGD-20 evaluation ≤ 2× PyTorch CPU (browser CPU path: best WASM row)',
        bestRows(browser, 'eval-pgd20'),
        2,
      ),
    );
  const sliders = [sliderTarget('Node', node), sliderTarget('browser CPU path', browser)];
  const ran = sliders.filter((t): t is Target => t !== null);
  out.push(
    ...(ran.length > 0
      ? ran
      : [
          {
            name: 'slider clean+transfer p95 ≤ 150 ms (1,000 samples)',
            value: 'not run',
            met: null,
          },
        ]),
  );
  for (const [task, limit, what] of LIVE_SLIDER)
    out.push(
      liveTarget(task, limit, what, 'Node', node),
      liveTarget(task, limit, what, 'browser CPU path', browser),
    );
  out.push(
    memory.length === 0
      ? { name: 'tensor count flat over training', value: 'not run', met: null }
      : {
          name: 'tensor count flat over training',
          value: memory
            .map(
              (m) => `${m.backend}: ${m.tensorsBefore} → ${m.tensorsAfter} over ${m.steps} steps`,
            )
            .join(', '),
          met: memory.every((m) => m.tensorsAfter === m.tensorsBefore),
        },
  );
  return out;
}
