/**
 * deploy/slurm/ on a real Slurm: a one-node cluster from Debian's slurm-wlm and munge (installed
 * by `npm test`'s set-up step, scripts/test-setup.mjs), started here in a temp dir: munged on its
 * own socket and key, slurmctld and slurmd on free loopback ports with a generated slurm.conf
 * (the node is this host at 127.0.0.1, proctrack/linuxproc, task/none, select/cons_tres with
 * CR_CPU, no cgroups, no accounting). deploy/slurm/submit.sh submits configs/smoke-sweep.json
 * (4 cells) as a 2-task array job (sweep.sbatch) and the dependent merge job (merge.sbatch); the
 * test waits for both, checks every shard's and cell's report and the merged report, and that the
 * merged summary equals the same sweep run locally (timings aside). Every daemon is stopped by its
 * pid file afterwards. The daemons run as the user running the test (SlurmUser = SlurmdUser), so
 * it needs no root.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '@/cli/experiment';
import type { SweepReport, SweepSummaryRow } from '@/engine/experiment';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = 'configs/smoke-sweep.json';
const SHARDS = 2;
const CELLS = 4;
const USER = os.userInfo().username;
const HOST = os.hostname().split('.')[0];

let dir = '';
let env: NodeJS.ProcessEnv = process.env;
let jobs: string[] = [];
const f = (...p: string[]) => path.join(dir, ...p);
const PID_FILES = () => [f('slurmd.pid'), f('slurmctld.pid'), f('munge', 'munged.pid')];

/** The last lines of the daemons' logs and the jobs' outputs, for failure messages. */
async function diagnostics(): Promise<string> {
  const logs = [f('slurmctld.log'), f('slurmd.log'), f('munge', 'munged.log')];
  const jobLogs = existsSync(f('out', 'slurm'))
    ? (await readdir(f('out', 'slurm'))).map((n) => f('out', 'slurm', n))
    : [];
  const parts = await Promise.all(
    [...logs, ...jobLogs].map(async (file) => {
      const text = await readFile(file, 'utf8').catch((e: Error) => `(${e.message})`);
      return `--- ${file}\n${text.split('\n').slice(-30).join('\n')}`;
    }),
  );
  return parts.join('\n');
}

/** Runs a command with the cluster's SLURM_CONF in the repo root, bounded; rejects with logs. */
function sh(cmd: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: ROOT, env, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const why = err.killed ? `timed out after ${timeoutMs / 1000} s` : err.message;
      void diagnostics().then((d) =>
        reject(new Error(`${cmd} ${args.join(' ')}: ${why}\n${stdout}${stderr}\n${d}`)),
      );
    });
  });
}

async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs: number) {
  const t0 = Date.now();
  while (!(await done())) {
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`waited ${timeoutMs / 1000} s for ${what}\n${await diagnostics()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the pid in `pidFile`, SIGKILL if still there after 10 s. */
async function stopDaemon(pidFile: string) {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const t0 = Date.now();
  while (alive(pid) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** `scontrol show job` of each job (an array job: every task), as `JobState` and `ExitCode`. */
async function jobStates(ids: string[]): Promise<{ id: string; state: string; exit: string }[]> {
  const out = (await Promise.all(ids.map((id) => sh('scontrol', ['-o', 'show', 'job', id])))).join(
    '\n',
  );
  return out
    .split('\n')
    .filter((l) => l.startsWith('JobId='))
    .map((l) => ({
      id:
        /ArrayJobId=(\d+) ArrayTaskId=(\d+)/.exec(l)?.slice(1).join('_') ??
        /JobId=(\S+)/.exec(l)?.[1] ??
        '?',
      state: /JobState=(\S+)/.exec(l)?.[1] ?? '?',
      exit: /ExitCode=(\S+)/.exec(l)?.[1] ?? '?',
    }));
}
const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED']);

beforeAll(async () => {
  for (const bin of ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'scontrol'])
    await sh('which', [bin]).catch(() => {
      throw new Error(
        `${bin} not found: \`npm test\` installs slurm-wlm and munge first (node scripts/test-setup.mjs)`,
      );
    });
  dir = await mkdtemp(path.join(os.tmpdir(), 'advprune-slurm-'));
  // munged refuses a socket folder that others cannot traverse, or a key others can read
  await chmod(dir, 0o755);
  await mkdir(f('munge'), { mode: 0o755 });
  await Promise.all([mkdir(f('state')), mkdir(f('spool'))]);
  await sh('mungekey', ['--create', '--keyfile', f('munge', 'munge.key')]);
  const socket = f('munge', 'munge.socket');
  await sh('munged', [
    `--socket=${socket}`,
    `--key-file=${f('munge', 'munge.key')}`,
    `--log-file=${f('munge', 'munged.log')}`,
    `--pid-file=${f('munge', 'munged.pid')}`,
    `--seed-file=${f('munge', 'munged.seed')}`,
  ]);
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = f('slurm.conf');
  await writeFile(
    conf,
    [
      'ClusterName=advprune-test',
      `SlurmctldHost=${HOST}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      // the daemons run as whoever runs the test: root in CI, any user elsewhere
      `SlurmUser=${USER}`,
      `SlurmdUser=${USER}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${f('state')}`,
      `SlurmdSpoolDir=${f('spool')}`,
      `SlurmctldPidFile=${f('slurmctld.pid')}`,
      `SlurmdPidFile=${f('slurmd.pid')}`,
      `SlurmctldLogFile=${f('slurmctld.log')}`,
      `SlurmdLogFile=${f('slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'SchedulerType=sched/backfill',
      'SlurmdParameters=config_overrides',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'MpiDefault=none',
      'SwitchType=switch/none',
      'ReturnToService=2',
      `NodeName=${HOST} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN`,
      `PartitionName=test Nodes=${HOST} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  env = { ...process.env, SLURM_CONF: conf };
  console.log(`slurm test: ${(await sh('slurmctld', ['-V'])).trim()}, cluster in ${dir}`);
  await sh('slurmctld', ['-f', conf]);
  await sh('slurmd', ['-f', conf]);
  await waitFor(
    'the node to be idle',
    async () => (await sh('sinfo', ['-h', '-o', '%t']).catch(() => '')).trim() === 'idle',
    30_000,
  );
}, 90_000);

afterAll(async () => {
  if (!dir) return;
  if (jobs.length > 0) await sh('scancel', jobs).catch(() => undefined);
  for (const pidFile of PID_FILES()) await stopDaemon(pidFile);
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

/** The summary without timings: the rows a rerun must reproduce exactly. */
const repeatable = (rows: SweepSummaryRow[]) =>
  rows
    .filter((r) => !/seconds|-ms$/.test(r.metric))
    .map(({ params, variant, metric, n, values }) => ({ params, variant, metric, n, values }));

describe('Slurm: deploy/slurm/ on a one-node cluster', () => {
  it('runs the smoke sweep as an array job, merges it in a dependent job, as run locally', async () => {
    const out = f('out');
    const submitted = await sh('deploy/slurm/submit.sh', [
      CONFIG,
      out,
      String(SHARDS),
      '--cpus-per-task=1',
      '--time=00:10:00',
    ]);
    const m = /array job (\d+) \(2 shards\), merge job (\d+)/.exec(submitted);
    expect(m, submitted).not.toBeNull();
    jobs = [m![1], m![2]];
    await waitFor(
      'the array and merge jobs to end',
      async () => (await jobStates(jobs)).every((j) => !ACTIVE.has(j.state)),
      240_000,
    );
    const states = await jobStates(jobs);
    const failed = states.filter((j) => j.state !== 'COMPLETED' || j.exit !== '0:0');
    if (failed.length > 0 || states.length !== SHARDS + 1)
      throw new Error(`jobs: ${JSON.stringify(states)}\n${await diagnostics()}`);

    const logs = await readdir(f('out', 'slurm'));
    expect(logs.sort()).toEqual([
      `advprune-merge-${jobs[1]}.out`,
      `advprune-sweep-${jobs[0]}_0.out`,
      `advprune-sweep-${jobs[0]}_1.out`,
    ]);
    const shard0 = await readFile(f('out', 'slurm', `advprune-sweep-${jobs[0]}_0.out`), 'utf8');
    expect(shard0).toMatch(/^shard 0\/2 of .*smoke-sweep\.json .*, 1 threads/m);
    const readJson = async <T>(file: string) => JSON.parse(await readFile(file, 'utf8')) as T;
    for (let s = 0; s < SHARDS; s++) {
      const shard = await readJson<SweepReport>(f('out', `shard-${s}-of-${SHARDS}.json`));
      expect(shard.runs.map((r) => r.index)).toEqual([s, s + SHARDS]);
    }
    for (let c = 0; c < CELLS; c++)
      expect(existsSync(f('out', 'cells', String(c), 'report.json'))).toBe(true);
    const merged = await readJson<SweepReport>(f('out', 'merged.json'));
    expect(merged.runs.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(merged.missing).toEqual([]);
    const mergeLog = await readFile(f('out', 'slurm', `advprune-merge-${jobs[1]}.out`), 'utf8');
    expect(mergeLog).toContain('| lr | variant | seeds | clean |');

    // the same sweep in this process, unsharded: the same summary, timings aside
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main([CONFIG, '--out', f('local'), '--threads', '1', '--quiet'])).toBe(0);
    const local = await readJson<SweepReport>(f('local', 'shard-0-of-1.json'));
    expect(repeatable(merged.summary).length).toBeGreaterThan(0);
    expect(repeatable(merged.summary)).toEqual(repeatable(local.summary));
  }, 300_000);
});
