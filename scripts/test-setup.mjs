#!/usr/bin/env node
/**
 * The set-up step `npm test` runs first (npm's `pretest`): checks each system part the tests use
 * and installs the missing ones from Debian's packages. As root it runs one `apt-get update` and
 * one `apt-get install`; not as root it stops at once with one line naming the command to run.
 * With everything present it only checks (a few file tests and one Python look-up, ~50 ms).
 *
 * Plain Node ESM without dependencies: it runs before anything else, and its logic (`decide`) is
 * unit-tested with a fake probe in tests/node/test-setup.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {object} Part
 * @property {string} name what the tests need
 * @property {string} usedBy which tests or tools use it
 * @property {string[]} [files] present when all these files exist
 * @property {string[]} [command] present when this command exits 0
 * @property {string[]} packages the Debian packages that provide it (none: cannot be installed)
 * @property {string} [hint] what to do when it is missing and cannot be installed
 */

/**
 * The system parts the tests use, one entry each: how to check it, which packages provide it.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Part[]}
 */
export function systemParts(env = process.env) {
  const chromium = env.CHROMIUM_PATH;
  return [
    chromium
      ? {
          name: 'Chromium',
          usedBy: 'tests/e2e',
          files: [chromium],
          packages: [],
          hint: `CHROMIUM_PATH=${chromium} does not exist: point it at a Chromium, or unset it to use Debian's chromium`,
        }
      : {
          name: 'Chromium',
          usedBy: 'tests/e2e',
          files: ['/usr/bin/chromium'],
          packages: ['chromium'],
        },
    {
      name: 'DejaVu fonts',
      usedBy: 'tests/e2e (text in the app and screenshots)',
      files: ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'],
      packages: ['fonts-dejavu-core'],
    },
    {
      // finds the module without importing it (20 ms rather than 1 s); dpkg keeps its libraries
      name: 'PyTorch for /usr/bin/python3',
      usedBy: 'tests/engine/model/torch-loader.test.ts, npm run bench (the PyTorch ratios)',
      command: [
        '/usr/bin/python3',
        '-c',
        "import importlib.util as u, sys; sys.exit(u.find_spec('torch') is None)",
      ],
      packages: ['python3-torch'],
    },
    {
      name: 'Slurm',
      usedBy: 'tests/cli/slurm.test.ts',
      files: ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/bin/squeue'],
      packages: ['slurm-wlm'],
    },
    {
      name: 'munge',
      usedBy: 'tests/cli/slurm.test.ts',
      files: ['/usr/sbin/munged', '/usr/sbin/mungekey'],
      packages: ['munge'],
    },
  ];
}

/**
 * What to do, given which parts are present: nothing, install packages (as root, with apt-get),
 * or stop with one line that says what to run.
 * @param {Part[]} parts
 * @param {(part: Part) => boolean} isPresent
 * @param {{ root: boolean, apt: boolean }} host
 * @returns {{ action: 'none', missing: Part[] }
 *   | { action: 'install', missing: Part[], packages: string[], commands: string[][] }
 *   | { action: 'fail', missing: Part[], message: string }}
 */
export function decide(parts, isPresent, host) {
  const missing = parts.filter((p) => !isPresent(p));
  if (missing.length === 0) return { action: 'none', missing };
  const names = missing.map((p) => p.name).join(', ');
  const unavailable = missing.filter((p) => p.packages.length === 0);
  if (unavailable.length > 0)
    return {
      action: 'fail',
      missing,
      message: `test set-up: ${unavailable.map((p) => p.hint ?? `${p.name} is missing`).join('; ')}`,
    };
  const packages = [...new Set(missing.flatMap((p) => p.packages))];
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...packages];
  if (!host.apt)
    return {
      action: 'fail',
      missing,
      message: `test set-up: missing ${names}; this is not a Debian system (no apt-get): install the equivalents of Debian's ${packages.join(' ')}`,
    };
  if (!host.root)
    return {
      action: 'fail',
      missing,
      message: `test set-up: missing ${names}; run: sudo apt-get update && sudo ${install.join(' ')}`,
    };
  return { action: 'install', missing, packages, commands: [['apt-get', 'update', '-q'], install] };
}

/**
 * Whether `part` is on this machine: all its files exist and its command exits 0.
 * @param {Part} part
 */
export function probe(part) {
  if (part.files && !part.files.every((f) => existsSync(f))) return false;
  if (part.command) {
    const [cmd, ...args] = part.command;
    const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
    if (r.status !== 0) return false;
  }
  return true;
}

/** @param {Part[]} parts @param {Part[]} missing */
function describe(parts, missing) {
  return parts.map((p) => `${p.name} ${missing.includes(p) ? 'missing' : 'ok'}`).join(', ');
}

export function main() {
  const t0 = Date.now();
  const parts = systemParts();
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const plan = decide(parts, probe, { root, apt: existsSync('/usr/bin/apt-get') });
  const found = describe(parts, plan.missing);
  if (plan.action === 'none') {
    console.log(`test set-up: ${found} (${Date.now() - t0} ms)`);
    return 0;
  }
  if (plan.action === 'fail') {
    console.error(plan.message);
    return 1;
  }
  console.log(`test set-up: ${found}; installing ${plan.packages.join(' ')} with apt-get`);
  for (const [cmd, ...args] of plan.commands) {
    console.log(`test set-up: ${cmd} ${args.join(' ')}`);
    const r = spawnSync(cmd, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) {
      console.error(
        `test set-up: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})`,
      );
      return 1;
    }
  }
  const still = parts.filter((p) => !probe(p));
  if (still.length > 0) {
    console.error(
      `test set-up: still missing after the install: ${still.map((p) => `${p.name} (${(p.files ?? p.command ?? []).join(' ')})`).join(', ')}`,
    );
    return 1;
  }
  console.log(
    `test set-up: installed ${plan.packages.join(' ')} (${((Date.now() - t0) / 1000).toFixed(0)} s); ${describe(parts, [])}`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exit(main());
