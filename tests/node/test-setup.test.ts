/**
 * scripts/test-setup.mjs, the set-up step `npm test` runs first: its decision (which packages to
 * install, or the one line to print) with a fake probe, so nothing here touches apt; its probe on
 * real files and commands; and the script itself failing at once on a part it cannot install.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decide, probe, systemParts, type Part } from '../../scripts/test-setup.mjs';

const parts = systemParts({});
const missingOnly =
  (...names: string[]) =>
  (p: Part) =>
    !names.includes(p.name);
const ROOT = { root: true, apt: true };

describe('test set-up', () => {
  it('declares each system part the tests use with a check and its Debian packages', () => {
    expect(parts.map((p) => [p.name, p.packages])).toEqual([
      ['Chromium', ['chromium']],
      ['DejaVu fonts', ['fonts-dejavu-core']],
      ['PyTorch for /usr/bin/python3', ['python3-torch']],
      ['Slurm', ['slurm-wlm']],
      ['munge', ['munge']],
    ]);
    for (const p of parts)
      expect((p.files ?? []).length + (p.command ?? []).length).toBeGreaterThan(0);
    expect(parts[0].files).toEqual(['/usr/bin/chromium']);
  });

  it('does nothing when everything is present', () => {
    expect(decide(parts, () => true, ROOT)).toEqual({ action: 'none', missing: [] });
    expect(decide(parts, () => true, { root: false, apt: false }).action).toBe('none');
  });

  it('as root: one apt-get update, then one install of only the missing packages', () => {
    const plan = decide(parts, missingOnly('Chromium', 'Slurm', 'munge'), ROOT);
    expect(plan.action).toBe('install');
    if (plan.action !== 'install') return;
    expect(plan.packages).toEqual(['chromium', 'slurm-wlm', 'munge']);
    expect(plan.commands).toEqual([
      ['apt-get', 'update', '-q'],
      ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium', 'slurm-wlm', 'munge'],
    ]);
  });

  it('not as root: stops with one line naming the command to run', () => {
    const plan = decide(parts, missingOnly('Chromium', 'DejaVu fonts'), { root: false, apt: true });
    expect(plan).toEqual({
      action: 'fail',
      missing: parts.slice(0, 2),
      message:
        'test set-up: missing Chromium, DejaVu fonts; run: sudo apt-get update && ' +
        'sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core',
    });
  });

  it('without apt-get: names the Debian packages to find equivalents of', () => {
    const plan = decide(parts, missingOnly('munge'), { root: true, apt: false });
    expect(plan.action).toBe('fail');
    if (plan.action === 'fail') expect(plan.message).toMatch(/no apt-get.*Debian's munge$/);
  });

  it('CHROMIUM_PATH: checks that file, and never installs over it', () => {
    const own = systemParts({ CHROMIUM_PATH: '/opt/chrome/chrome' });
    expect(own[0].files).toEqual(['/opt/chrome/chrome']);
    const plan = decide(own, missingOnly('Chromium', 'munge'), ROOT);
    expect(plan.action).toBe('fail');
    if (plan.action === 'fail')
      expect(plan.message).toBe(
        "test set-up: CHROMIUM_PATH=/opt/chrome/chrome does not exist: point it at a Chromium, or unset it to use Debian's chromium",
      );
  });

  it('probes files and commands', () => {
    const part = (p: Partial<Part>): Part => ({ name: 'x', usedBy: 'y', packages: [], ...p });
    expect(probe(part({ files: [process.execPath] }))).toBe(true);
    expect(probe(part({ files: [process.execPath, '/nonexistent/x'] }))).toBe(false);
    expect(probe(part({ command: [process.execPath, '-e', 'process.exit(0)'] }))).toBe(true);
    expect(probe(part({ command: [process.execPath, '-e', 'process.exit(1)'] }))).toBe(false);
    expect(probe(part({ command: ['/nonexistent/python3', '-c', ''] }))).toBe(false);
  });

  it('the script exits 1 at once with one line when a part cannot be installed', () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['scripts/test-setup.mjs'], {
      env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' },
      encoding: 'utf8',
    });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      "test set-up: CHROMIUM_PATH=/nonexistent/chromium does not exist: point it at a Chromium, or unset it to use Debian's chromium",
    ]);
  });
});
