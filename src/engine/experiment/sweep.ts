/**
 * Sweeps: an experiment config with a `sweep` field is a grid of runs. Each axis writes its
 * values into one or more dotted paths of the config (`train.schedule`, `prune.methods`,
 * `eval.attacks.0.options.eps`, arrays by index); the grid is the cartesian product of the axes,
 * row-major (the first axis slowest). Every cell's config is the base config with the cell's
 * overrides applied, the `sweep` field removed and the name `<name>/<label>/<label>…`; all cells
 * are validated by the strict experiment schema before any run, so a bad cell is refused up
 * front (a ConfigError naming the cell and the field). Shards (`--shard i/N`) take the cells
 * whose index % N == i. Pure: no I/O. See docs/sweeps.md.
 */
import { jsonDepth } from '../model/serialize/json-guard';
import {
  ConfigError,
  MAX_CONFIG_DEPTH,
  MAX_SWEEP_CELLS,
  parseExperimentConfig,
  sweepConfigSchema,
  type ExperimentConfig,
  type SweepConfig,
} from './config';
import type { AxisLabel, SettleSpec, SweepAxis } from './sweep-types';

/** One cell of an expanded grid, validated and ready to run. */
export interface SweepPlanCell {
  /** position in the grid, 0 ≤ index < cells */
  index: number;
  /** axis name → label of this cell's value */
  params: Record<string, AxisLabel>;
  /** the effective config (defaults filled, `sweep` removed) */
  config: ExperimentConfig;
}

export interface SweepPlan {
  /** the base config's name */
  name: string;
  axes: SweepAxis[];
  /** validation adversarial accuracy target of 'epochs-to-target', in [0, 1], when set */
  target?: number;
  /** the 'epochs-to-settle' rule, when set */
  settle?: SettleSpec;
  /** every cell of the grid, by index */
  cells: SweepPlanCell[];
}

/** A shard of a sweep: the cells with index % count == index. */
export interface Shard {
  /** 0 ≤ index < count */
  index: number;
  /** number of shards, ≥ 1 */
  count: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Default label of a value: itself when scalar, else its `kind` or `name`, else null. */
function defaultLabel(v: unknown): AxisLabel | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'boolean') return String(v);
  if (isRecord(v)) {
    if (typeof v.kind === 'string' && v.kind) return v.kind;
    if (typeof v.name === 'string' && v.name) return v.name;
  }
  if (Array.isArray(v) && v.length > 0) {
    // [0.9] → 0.9; [{ name: 'magnitude' }, { name: 'random' }] → 'magnitude+random'
    const parts = v.map(defaultLabel);
    if (parts.some((p) => p === null || typeof p === 'object')) return null;
    return parts.length === 1 ? parts[0] : parts.join('+');
  }
  return null;
}

/** The axes of a sweep with their labels resolved and checked (unique names, unique labels). */
export function sweepAxes(sweep: SweepConfig): { axes: SweepAxis[]; issues: string[] } {
  const issues: string[] = [];
  const names = new Set<string>();
  const paths = new Set<string>();
  const axes = sweep.axes.map((a, k): SweepAxis => {
    const at = `sweep.axes.${k}`;
    if (names.has(a.name)) issues.push(`${at}.name: two axes are named '${a.name}'`);
    names.add(a.name);
    const list = typeof a.path === 'string' ? [a.path] : a.path;
    for (const p of list) {
      if (paths.has(p)) issues.push(`${at}.path: '${p}' is set by another axis too`);
      paths.add(p);
      const head = p.split('.')[0];
      if (head === 'sweep' || head === 'name')
        issues.push(`${at}.path: '${p}' cannot be swept (the cell's name is set from its labels)`);
      if (p.split('.').some((s) => s === '' || s === '__proto__' || s === 'constructor'))
        issues.push(`${at}.path: '${p}' is not a dotted path of field names and indices`);
    }
    if (a.labels !== undefined && a.labels.length !== a.values.length)
      issues.push(`${at}.labels: ${a.labels.length} labels for ${a.values.length} values`);
    const labels = a.values.map((v, i) => a.labels?.[i] ?? defaultLabel(v) ?? i);
    const seen = new Map<string, number>();
    labels.forEach((l, i) => {
      const prev = seen.get(String(l));
      if (prev !== undefined)
        issues.push(
          `${at}.labels: values ${prev} and ${i} both have the label '${String(l)}': give "labels"`,
        );
      else seen.set(String(l), i);
    });
    return { name: a.name, path: list.join(','), values: a.values, labels };
  });
  return { axes, issues };
}

/** Cells of a grid: the product of the axes' sizes (throws past MAX_SWEEP_CELLS). */
export function gridSize(axes: readonly SweepAxis[], source = 'config'): number {
  let n = 1;
  for (const a of axes) {
    n *= a.values.length;
    if (n > MAX_SWEEP_CELLS)
      throw new ConfigError(source, [
        `sweep: the grid has more than ${MAX_SWEEP_CELLS.toLocaleString('en')} cells (${axes.map((x) => x.values.length).join(' × ')}); split it into several sweeps`,
      ]);
  }
  return n;
}

/** Value index per axis of cell `index` (row-major, first axis slowest). */
export function cellCoordinates(axes: readonly SweepAxis[], index: number): number[] {
  const coords = new Array<number>(axes.length);
  let rest = index;
  for (let k = axes.length - 1; k >= 0; k--) {
    const n = axes[k].values.length;
    coords[k] = rest % n;
    rest = Math.floor(rest / n);
  }
  return coords;
}

/** Axis name → label of cell `index`. */
export function cellParams(axes: readonly SweepAxis[], index: number): Record<string, AxisLabel> {
  const c = cellCoordinates(axes, index);
  return Object.fromEntries(axes.map((a, k) => [a.name, a.labels[c[k]]]));
}

/** Writes `value` at dotted `path` of `root` (mutates; creates missing objects on the way). */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const segs = path.split('.');
  let node: unknown = root;
  for (let s = 0; s < segs.length; s++) {
    const key = segs[s];
    const last = s === segs.length - 1;
    const where = segs.slice(0, s).join('.') || '(root)';
    if (Array.isArray(node)) {
      const i = Number(key);
      if (!/^\d+$/.test(key) || i >= node.length)
        throw new Error(`${where} is an array of ${node.length}: '${key}' is not an index of it`);
      if (last) node[i] = value;
      else node = node[i];
    } else if (isRecord(node)) {
      if (last) node[key] = value;
      else {
        if (node[key] === undefined) node[key] = {};
        node = node[key];
      }
    } else throw new Error(`${where} is ${JSON.stringify(node)}, not an object or array`);
  }
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * Expands a sweep config (parsed JSON) into its validated cells.
 * @param raw the config as parsed JSON, with a `sweep` field
 * @param source where it came from (a file name), for messages
 * @throws ConfigError naming the sweep field, or each bad cell (`cell 3 (seed=1, …): field: …`);
 *   also a config nested deeper than MAX_CONFIG_DEPTH (the grid copies cells through JSON)
 */
export function expandSweep(raw: unknown, source = 'config'): SweepPlan {
  if (jsonDepth(raw, MAX_CONFIG_DEPTH) > MAX_CONFIG_DEPTH)
    throw new ConfigError(source, [`(root): nested deeper than ${MAX_CONFIG_DEPTH} levels`]);
  if (!isRecord(raw) || raw.sweep === undefined)
    throw new ConfigError(source, ['sweep: missing (not a sweep config)']);
  const r = sweepConfigSchema.safeParse(raw.sweep);
  if (!r.success)
    throw new ConfigError(
      source,
      r.error.issues.map((i) => `${['sweep', ...i.path.map(String)].join('.')}: ${i.message}`),
    );
  const { axes, issues } = sweepAxes(r.data);
  const settle = r.data.settle;
  if (settle !== undefined) {
    const axis = axes.find((a) => a.name === settle.axis);
    if (!axis)
      issues.push(
        `sweep.settle.axis: '${settle.axis}' is not an axis (axes: ${axes.map((a) => a.name).join(', ')})`,
      );
    else if (settle.axis === 'seed')
      issues.push('sweep.settle.axis: the seed axis holds replicates; compare another axis');
    else if (
      settle.baseline !== undefined &&
      !axis.labels.some((l) => String(l) === String(settle.baseline))
    )
      issues.push(
        `sweep.settle.baseline: '${String(settle.baseline)}' is not a label of axis '${axis.name}' (${axis.labels.join(', ')})`,
      );
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  const total = gridSize(axes, source);
  const paths = r.data.axes.map((a) => (typeof a.path === 'string' ? [a.path] : a.path));
  const { sweep: _sweep, ...base } = raw;
  const name = typeof base.name === 'string' ? base.name : undefined;
  const cells: SweepPlanCell[] = [];
  const bad: string[] = [];
  let badCells = 0;
  for (let index = 0; index < total; index++) {
    const coords = cellCoordinates(axes, index);
    const params = cellParams(axes, index);
    const tag = `cell ${index} (${axes.map((a) => `${a.name}=${String(params[a.name])}`).join(', ')})`;
    const cfg = clone(base);
    try {
      axes.forEach((a, k) => {
        for (const p of paths[k]) setPath(cfg, p, clone(a.values[coords[k]]));
      });
      if (name !== undefined)
        cfg.name = [name, ...axes.map((a) => String(params[a.name]))].join('/');
      cells.push({ index, params, config: parseExperimentConfig(cfg, tag) });
    } catch (e) {
      badCells++;
      if (bad.length >= 20) continue;
      if (e instanceof ConfigError) bad.push(...e.issues.map((i) => `${tag}: ${i}`));
      else bad.push(`${tag}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (badCells > 0) {
    if (bad.length >= 20) bad.push(`… ${badCells} invalid cells of ${total} in all`);
    throw new ConfigError(source, bad);
  }
  const plan: SweepPlan = { name: name ?? '', axes, target: r.data.target, cells };
  if (settle !== undefined) plan.settle = settle;
  return plan;
}

/** The grid indices of shard `s` in a grid of `cells`: index % s.count == s.index, ascending. */
export function shardIndices(cells: number, s: Shard): number[] {
  const out: number[] = [];
  for (let i = s.index; i < cells; i += s.count) out.push(i);
  return out;
}

/**
 * Parses `i/N` (0-based shard i of N, 0 ≤ i < N, N ≥ 1).
 * @throws Error with a message saying what is wrong
 */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`--shard must look like i/N (e.g. 0/4), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 100_000) throw new Error(`--shard ${text}: N must be in 1..100000`);
  if (index >= count) throw new Error(`--shard ${text}: i must satisfy 0 ≤ i < N (0-based)`);
  return { index, count };
}
