/**
 * The Kubernetes indexed Job and the GitHub Actions matrix in docs/sweeps.md, checked for syntax
 * and for the fields a sweep needs (the Slurm set-up runs for real in slurm.test.ts). Each ```yaml
 * block is parsed with the `yaml` package (a syntax error or warning fails, naming its line in
 * docs/sweeps.md); the two examples are found by content. The commands they run are split into
 * words as the shell would, with JOB_COMPLETION_INDEX / `${{ matrix.shard }}` set to every index,
 * and handed to the CLI's own argument parser: every index must yield its own shard of the one N.
 * The config each example names must exist in the repo and expand into at least N valid cells.
 * Mutated copies of the examples (an N mismatch, a missing field, a typo'd variable) must fail.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseArgs } from '@/cli/experiment';
import { expandSweep } from '@/engine/experiment/sweep';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = 'docs/sweeps.md';
const docText = readFileSync(path.join(ROOT, DOC), 'utf8');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

interface Block {
  /** line of the block's first line in the markdown file (1-based) */
  line: number;
  text: string;
}

/** The ```yaml (or ```yml) fenced blocks of a markdown text. */
function yamlBlocks(md: string): Block[] {
  const lines = md.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i])) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${DOC}:${i + 1}: unclosed yaml block`);
    out.push({ line: i + 2, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

/** Parses a block; throws on any syntax error or warning, with its line in the doc. */
function parseBlock(b: Block): unknown {
  const doc = parseDocument(b.text);
  const issues = [...doc.errors, ...doc.warnings];
  if (issues.length > 0) {
    const e = issues[0];
    const at = e.linePos ? b.line + e.linePos[0].line - 1 : b.line;
    throw new Error(
      `${DOC}:${at}: YAML ${e.code}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  return doc.toJS() as unknown;
}

/**
 * Splits a shell command line into simple commands of words: quotes ('…', "…"), `$VAR` and
 * `${VAR}` expanded from `env` (an unknown variable throws), `&&`, `||`, `;`, `|` and newlines
 * separate commands. Enough for the one-line commands of the examples, not a shell.
 */
function shellCommands(line: string, env: Record<string, string>): string[][] {
  const cmds: string[][] = [[]];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  const push = () => {
    if (word !== null) cmds[cmds.length - 1].push(word);
    word = null;
  };
  const varAt = (i: number): [string, number] => {
    const m = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/.exec(line.slice(i));
    if (!m) throw new Error(`unsupported '$' in: ${line}`);
    const name = m[1] ?? m[2];
    if (!(name in env)) throw new Error(`unknown variable $${name} in: ${line}`);
    return [env[name], m[0].length];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (c === '$') {
      const [v, n] = varAt(i);
      word = (word ?? '') + v;
      i += n - 1;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else word += c === '\\' ? line[++i] : c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c) && c !== '\n') push();
    else if (c === '\n' || c === ';' || c === '&' || c === '|') {
      push();
      if ((c === '&' || c === '|') && line[i + 1] === c) i++;
      else if (c === '&') throw new Error(`background '&' in: ${line}`);
      cmds.push([]);
    } else word = (word ?? '') + (c === '\\' ? line[++i] : c);
  }
  if (quote) throw new Error(`unclosed ${quote} in: ${line}`);
  push();
  return cmds.filter((c) => c.length > 0);
}

/** The arguments after `npm run <script> --` of the first command running that script. */
function npmRunArgs(cmds: string[][], script: string): string[] | null {
  const c = cmds.find((w) => w[0] === 'npm' && w[1] === 'run' && w[2] === script);
  if (!c) return null;
  return c[3] === '--' ? c.slice(4) : c.slice(3);
}

/**
 * Problems with the experiment a sweep example runs: the config must exist in the repo, be a
 * sweep config whose cells are all valid, with at least `shards` cells (no empty shard).
 */
function configProblems(config: string, shards: number): string[] {
  let text: string;
  try {
    text = readFileSync(path.join(ROOT, config), 'utf8');
  } catch {
    return [`the config ${config} does not exist in the repo`];
  }
  try {
    const plan = expandSweep(JSON.parse(text) as unknown, config);
    if (plan.cells.length < shards)
      return [`${config} has ${plan.cells.length} cells, fewer than the ${shards} shards`];
    return [];
  } catch (e) {
    return [`${config}: ${(e as Error).message}`];
  }
}

/** Checks `--shard` of runs 0…n−1 (argv by index) is i/n each; returns problems and the out dir. */
function shardRunProblems(
  argvOf: (i: number) => string[] | null,
  n: number,
  where: string,
): { problems: string[]; out?: string; config?: string } {
  const problems: string[] = [];
  let out: string | undefined;
  let config: string | undefined;
  for (let i = 0; i < n; i++) {
    let argv: string[] | null;
    try {
      argv = argvOf(i);
    } catch (e) {
      return { problems: [`${where}: ${(e as Error).message}`] };
    }
    if (!argv) return { problems: [`${where}: no 'npm run experiment -- …' command`] };
    let a: ReturnType<typeof parseArgs>;
    try {
      a = parseArgs(argv);
    } catch (e) {
      return { problems: [`${where}: the CLI refuses its arguments: ${(e as Error).message}`] };
    }
    if (!a.shard) return { problems: [`${where}: no --shard`] };
    if (a.shard.index !== i || a.shard.count !== n)
      problems.push(`${where}: run ${i} of ${n} gets --shard ${a.shard.index}/${a.shard.count}`);
    if (out !== undefined && a.out !== out) problems.push(`${where}: --out differs between runs`);
    out = a.out;
    config = a.config;
  }
  if (config !== undefined) problems.push(...configProblems(config, n));
  return { problems, out, config };
}

const isIndexedJob = (v: unknown) => isObj(v) && v.kind === 'Job';
const isWorkflow = (v: unknown) =>
  isObj(v) && Object.values(obj(v.jobs)).some((j) => isObj(obj(j).strategy));

/** Problems with a Kubernetes indexed Job that runs a sweep's shards (empty: fine). */
function indexedJobProblems(job: unknown): string[] {
  const p: string[] = [];
  const j = obj(job);
  if (j.apiVersion !== 'batch/v1') p.push(`apiVersion is ${String(j.apiVersion)}, not batch/v1`);
  if (j.kind !== 'Job') p.push(`kind is ${String(j.kind)}, not Job`);
  if (!str(obj(j.metadata).name) && !str(obj(j.metadata).generateName))
    p.push('metadata.name missing');
  const spec = obj(j.spec);
  if (spec.completionMode !== 'Indexed')
    p.push(`spec.completionMode is ${String(spec.completionMode)}, not Indexed`);
  const n = spec.completions;
  if (!Number.isInteger(n) || (n as number) < 1)
    return [...p, `spec.completions must be an integer ≥ 1, got ${String(n)}`];
  const completions = n as number;
  const par = spec.parallelism ?? 1;
  if (!Number.isInteger(par) || (par as number) < 1 || (par as number) > completions)
    p.push(
      `spec.parallelism must be an integer in 1…completions (${completions}), got ${String(par)}`,
    );
  const pod = obj(obj(spec.template).spec);
  if (pod.restartPolicy !== 'Never' && pod.restartPolicy !== 'OnFailure')
    p.push(`spec.template.spec.restartPolicy must be Never or OnFailure for a Job`);
  const containers = arr(pod.containers).map(obj);
  /** The argv of `npm run experiment` in container c with JOB_COMPLETION_INDEX = i. */
  const argvOf = (c: Obj, i: number): string[] | null => {
    const command = arr(c.command).map(String);
    const args = arr(c.args).map(String);
    const env = { JOB_COMPLETION_INDEX: String(i) };
    const words = [...command, ...args];
    if (/^(\/bin\/)?(ba)?sh$/.test(words[0] ?? '') && words[1] === '-c')
      return npmRunArgs(shellCommands(words[2] ?? '', env), 'experiment');
    // exec form: Kubernetes expands $(VAR) itself
    const expanded = words.map((w) =>
      w.replace(/\$\((\w+)\)/g, (m, v: string) => (v in env ? env[v as keyof typeof env] : m)),
    );
    return npmRunArgs([expanded], 'experiment');
  };
  const shard = containers.find((c) => {
    try {
      return argvOf(c, 0) !== null;
    } catch {
      return true; // its command is the one to report on
    }
  });
  if (!shard) return [...p, "no container runs 'npm run experiment'"];
  if (!str(shard.image)) p.push(`container ${str(shard.name)}: no image`);
  const run = shardRunProblems((i) => argvOf(shard, i), completions, 'the shard container');
  p.push(...run.problems);
  if (run.out !== undefined) {
    const out = run.out;
    const volumes = arr(pod.volumes).map(obj);
    const mount = arr(shard.volumeMounts)
      .map(obj)
      .find(
        (m) => str(m.mountPath) && `${out}/`.startsWith(`${str(m.mountPath).replace(/\/$/, '')}/`),
      );
    if (!path.posix.isAbsolute(out)) p.push(`--out ${out} is not an absolute path in the pod`);
    else if (!mount) p.push(`--out ${out} is on no volumeMount: each pod would keep its own`);
    else {
      if (mount.readOnly === true) p.push(`volumeMount ${str(mount.name)} is read-only`);
      const vol = volumes.find((v) => v.name === mount.name);
      if (!vol)
        p.push(`volumeMount ${str(mount.name)} names no volume in spec.template.spec.volumes`);
      else if (!str(obj(vol.persistentVolumeClaim).claimName))
        p.push(`volume ${str(vol.name)} is not a PersistentVolumeClaim that every pod shares`);
    }
  }
  return p;
}

const globMatch = (glob: string, file: string) =>
  new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  ).test(file);
const normDir = (d: string) => path.posix.normalize(d || '.').replace(/\/$/, '') || '.';
const usesAction = (s: Obj, action: string) => str(s.uses).startsWith(`${action}@`);

/** Problems with a GitHub Actions workflow that runs a sweep as a matrix and merges (empty: fine). */
function workflowProblems(workflow: unknown): string[] {
  const p: string[] = [];
  const w = obj(workflow);
  if (w.on === undefined) p.push("no 'on' trigger: GitHub would not run the workflow");
  const jobs = obj(w.jobs);
  const entry = Object.entries(jobs).find(([, j]) => isObj(obj(obj(j).strategy).matrix));
  if (!entry) return [...p, 'no job with a strategy.matrix'];
  const [shardId, shardJob] = [entry[0], obj(entry[1])];
  for (const [id, j] of Object.entries(jobs)) {
    if (!str(obj(j)['runs-on'])) p.push(`job ${id}: no runs-on`);
    for (const [k, s] of arr(obj(j).steps).map(obj).entries())
      if (Number(s.uses !== undefined) + Number(s.run !== undefined) !== 1)
        p.push(`job ${id}, step ${k}: needs exactly one of uses and run`);
  }
  const matrix = obj(obj(shardJob.strategy).matrix);
  const extra = Object.keys(matrix).filter((k) => k !== 'shard');
  if (extra.length > 0)
    p.push(`matrix has more than the shard axis (${extra.join(', ')}): shards would run twice`);
  const values = arr(matrix.shard);
  const n = values.length;
  if (n === 0) return [...p, 'strategy.matrix.shard: no shard indices'];
  if (!values.every((v, i) => v === i))
    p.push(`strategy.matrix.shard must be 0…${n - 1} in order, got [${values.join(', ')}]`);
  const steps = arr(shardJob.steps).map(obj);
  const runs = steps.map((s) => str(s.run));
  const k = runs.findIndex((r) => /\bnpm run experiment\b/.test(r));
  if (k < 0) return [...p, `job ${shardId}: no step runs 'npm run experiment'`];
  const argvOf = (i: number) => {
    const line = runs[k].replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_m, e: string) => {
      if (e !== 'matrix.shard') throw new Error(`unexpected expression \${{ ${e} }}`);
      return String(values[i]);
    });
    return npmRunArgs(shellCommands(line, {}), 'experiment');
  };
  const run = shardRunProblems(argvOf, n, `job ${shardId}`);
  p.push(...run.problems);
  const before = steps.slice(0, k);
  if (!before.some((s) => usesAction(s, 'actions/checkout'))) p.push(`job ${shardId}: no checkout`);
  const node = before.find((s) => usesAction(s, 'actions/setup-node'));
  if (!node || !(parseInt(String(obj(node.with)['node-version']), 10) >= 20))
    p.push(`job ${shardId}: no actions/setup-node with node-version ≥ 20 before the shard`);
  if (!before.some((s) => /\bnpm (ci|install)\b/.test(str(s.run))))
    p.push(`job ${shardId}: no npm ci before the shard`);
  const upload = steps.slice(k + 1).find((s) => usesAction(s, 'actions/upload-artifact'));
  if (!upload) p.push(`job ${shardId}: the shard files are not uploaded`);
  else if (run.out !== undefined) {
    const up = obj(upload.with);
    if (!/\$\{\{\s*matrix\.shard\s*\}\}/.test(str(up.name)))
      p.push(`job ${shardId}: the artifact name must differ per shard (\${{ matrix.shard }})`);
    const out = normDir(run.out);
    const file = `${out}/shard-0-of-${n}.json`;
    const globs = str(up.path)
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!globs.some((g) => globMatch(g, file) || normDir(g) === out))
      p.push(`job ${shardId}: the upload path (${globs.join(', ')}) does not hold ${file}`);
  }
  const mergeEntry = Object.entries(jobs).find(([, j]) =>
    arr(obj(j).steps).some((s) => /\bnpm run merge\b/.test(str(obj(s).run))),
  );
  if (!mergeEntry) return [...p, "no job runs 'npm run merge'"];
  const [mergeId, mergeJob] = [mergeEntry[0], obj(mergeEntry[1])];
  const needs = typeof mergeJob.needs === 'string' ? [mergeJob.needs] : arr(mergeJob.needs);
  if (!needs.includes(shardId)) p.push(`job ${mergeId} does not need ${shardId}`);
  if (!/\balways\(\)/.test(str(mergeJob.if)))
    p.push(`job ${mergeId}: without if: always() it is skipped when a shard fails`);
  const msteps = arr(mergeJob.steps).map(obj);
  const m = msteps.findIndex((s) => /\bnpm run merge\b/.test(str(s.run)));
  const margs = npmRunArgs(shellCommands(str(msteps[m].run), {}), 'merge') ?? [];
  if (margs.length < 2 || !margs[0].endsWith('.json'))
    p.push(
      `job ${mergeId}: npm run merge -- <out.json> <shards…> expected, got ${margs.join(' ')}`,
    );
  const mbefore = msteps.slice(0, m);
  if (!mbefore.some((s) => usesAction(s, 'actions/checkout')))
    p.push(`job ${mergeId}: no checkout`);
  if (!mbefore.some((s) => /\bnpm (ci|install)\b/.test(str(s.run))))
    p.push(`job ${mergeId}: no npm ci before the merge`);
  const download = mbefore.find((s) => usesAction(s, 'actions/download-artifact'));
  if (!download) p.push(`job ${mergeId}: the shard artifacts are not downloaded`);
  else {
    const dl = obj(download.with);
    const dir = normDir(str(dl.path));
    if (dl.name !== undefined)
      p.push(`job ${mergeId}: download-artifact with a name gets one shard`);
    if (!margs.slice(1).some((s) => normDir(s) === dir))
      p.push(`job ${mergeId}: merge does not read ${dir}, where the artifacts land`);
  }
  return p;
}

const blocks = yamlBlocks(docText);
const parsed = blocks.map((b) => ({ block: b, value: parseBlock(b) }));
const only = (pred: (v: unknown) => boolean, what: string) => {
  const found = parsed.filter((x) => pred(x.value));
  if (found.length !== 1) throw new Error(`${DOC}: ${found.length} ${what} examples, expected 1`);
  return found[0];
};
const clone = <T>(v: T): T => structuredClone(v);

describe('docs/sweeps.md YAML examples', () => {
  it('every yaml block parses', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const x of parsed) expect(x.value, `${DOC}:${x.block.line}`).toBeTruthy();
  });

  it('the Kubernetes indexed Job runs every shard onto a shared volume', () => {
    const { block, value } = only(isIndexedJob, 'Kubernetes Job');
    expect(indexedJobProblems(value).join('\n'), `${DOC}:${block.line}`).toBe('');
    // the merge the text gives reads the Job's --out on the same volume
    const args = obj(obj(obj(obj(value).spec).template).spec);
    const out = arr(obj(arr(args.containers)[0]).args)
      .join(' ')
      .match(/--out (\S+)/)?.[1];
    expect(out).toBeTruthy();
    const after = docText.split('\n').slice(block.line).join('\n').split('\n## ')[0];
    expect(after).toContain(`npm run merge -- ${out}/merged.json ${out}`);
  });

  it('the GitHub Actions matrix runs every shard and merges them', () => {
    const { block, value } = only(isWorkflow, 'GitHub Actions');
    expect(workflowProblems(value).join('\n'), `${DOC}:${block.line}`).toBe('');
  });

  it('a syntax error fails with its line in the doc', () => {
    const bad = { line: 200, text: 'spec:\n  completions: 8\n   parallelism: 8\n' };
    expect(() => parseBlock(bad)).toThrow(/^docs\/sweeps\.md:20[0-3]: YAML /);
    expect(() => parseBlock({ line: 10, text: 'a: 1\na: 2\n' })).toThrow(/sweeps\.md:11: YAML/);
    expect(() => parseBlock({ line: 10, text: 'a: [1, 2\n' })).toThrow(/sweeps\.md:1\d: YAML/);
  });

  it('broken Kubernetes Jobs are refused', () => {
    const base = only(isIndexedJob, 'Kubernetes Job').value as Obj;
    const spec = (j: Obj) => obj(j.spec);
    const pod = (j: Obj) => obj(obj(spec(j).template).spec);
    const container = (j: Obj) => obj(arr(pod(j).containers)[0]);
    const cases: [string, (j: Obj) => void, RegExp][] = [
      ['completions ≠ N', (j) => void (spec(j).completions = 4), /run 0 of 4 gets --shard 0\/8/],
      ['not Indexed', (j) => void delete spec(j).completionMode, /completionMode/],
      ['parallelism > completions', (j) => void (spec(j).parallelism = 9), /parallelism/],
      ['restart Always', (j) => void (pod(j).restartPolicy = 'Always'), /restartPolicy/],
      ['no volume', (j) => void (pod(j).volumes = []), /names no volume/],
      ['no mount', (j) => void delete container(j).volumeMounts, /on no volumeMount/],
      [
        'emptyDir',
        (j) => void (pod(j).volumes = [{ name: 'runs', emptyDir: {} }]),
        /not a PersistentVolumeClaim/,
      ],
      [
        'typo in the index variable',
        (j) =>
          void (container(j).args = [str(arr(container(j).args)[0]).replace('_INDEX', '_IDX')]),
        /unknown variable \$JOB_COMPLETION_IDX/,
      ],
      [
        'a fixed shard',
        (j) => {
          container(j).args = [
            str(arr(container(j).args)[0]).replace('$JOB_COMPLETION_INDEX', '0'),
          ];
        },
        /run 1 of 8 gets --shard 0\/8/,
      ],
      [
        'a missing config',
        (j) =>
          void (container(j).args = [
            str(arr(container(j).args)[0]).replace(/configs\/\S+/, 'configs/nope.json'),
          ]),
        /configs\/nope\.json does not exist/,
      ],
      [
        'a bad option',
        (j) => void (container(j).args = [`${str(arr(container(j).args)[0])} --shards 2`]),
        /refuses its arguments: unknown option --shards/,
      ],
      ['no experiment', (j) => void (container(j).args = ['npm run merge']), /no container runs/],
    ];
    for (const [what, mutate, problem] of cases) {
      const j = clone(base);
      mutate(j);
      expect(indexedJobProblems(j).join('\n'), what).toMatch(problem);
    }
  });

  it('broken GitHub Actions workflows are refused', () => {
    const base = only(isWorkflow, 'GitHub Actions').value as Obj;
    const jobs = (w: Obj) => obj(w.jobs);
    const shard = (w: Obj) => obj(jobs(w).shard);
    const merge = (w: Obj) => obj(jobs(w).merge);
    const step = (j: Obj, re: RegExp) =>
      arr(j.steps)
        .map(obj)
        .find((s) => re.test(str(s.run)) || re.test(str(s.uses)))!;
    const cases: [string, (w: Obj) => void, RegExp][] = [
      [
        'N mismatch',
        (w) => void (obj(obj(shard(w).strategy).matrix).shard = [0, 1, 2]),
        /run 0 of 3 gets --shard 0\/4/,
      ],
      [
        'indices from 1',
        (w) => void (obj(obj(shard(w).strategy).matrix).shard = [1, 2, 3, 4]),
        /must be 0…3/,
      ],
      [
        'a second axis',
        (w) => void (obj(obj(shard(w).strategy).matrix).os = ['a', 'b']),
        /more than the shard axis/,
      ],
      ['no on', (w) => void delete w.on, /no 'on' trigger/],
      ['merge without needs', (w) => void delete merge(w).needs, /does not need shard/],
      ['merge skipped on failure', (w) => void delete merge(w).if, /always\(\)/],
      ['no merge', (w) => void delete jobs(w).merge, /no job runs 'npm run merge'/],
      [
        'merge reads elsewhere',
        (w) => void (step(merge(w), /npm run merge/).run = 'npm run merge -- merged.json out'),
        /merge does not read shards/,
      ],
      [
        'one artifact name',
        (w) => void (obj(step(shard(w), /upload-artifact/).with).name = 'shards'),
        /must differ per shard/,
      ],
      [
        'upload misses the shard files',
        (w) => void (obj(step(shard(w), /upload-artifact/).with).path = 'out/cells/'),
        /does not hold out\/shard-0-of-4\.json/,
      ],
      [
        'a missing config',
        (w) => {
          const s = step(shard(w), /npm run experiment/);
          s.run = str(s.run).replace(/configs\/\S+/, 'configs/nope.json');
        },
        /configs\/nope\.json does not exist/,
      ],
      [
        'too many shards for the config',
        (w) => {
          const s = step(shard(w), /npm run experiment/);
          s.run = str(s.run).replace('/4', '/13');
          obj(obj(shard(w).strategy).matrix).shard = Array.from({ length: 13 }, (_, i) => i);
        },
        /cells, fewer than the 13 shards/,
      ],
      [
        'no npm ci',
        (w) => void (shard(w).steps = arr(shard(w).steps).filter((s) => obj(s).run !== 'npm ci')),
        /no npm ci/,
      ],
    ];
    for (const [what, mutate, problem] of cases) {
      const w = clone(base);
      mutate(w);
      expect(workflowProblems(w).join('\n'), what).toMatch(problem);
    }
  });

  it('splits shell commands as the shell does, for what the examples use', () => {
    expect(shellCommands(`a "b $X/8" 'c $Y' d\\ e && f;g`, { X: '3' })).toEqual([
      ['a', 'b 3/8', 'c $Y', 'd e'],
      ['f'],
      ['g'],
    ]);
    expect(() => shellCommands('a $NOPE', {})).toThrow(/unknown variable \$NOPE/);
    expect(() => shellCommands('a "b', {})).toThrow(/unclosed/);
  });
});
