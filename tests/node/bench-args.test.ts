/** The bench's command line (bench/lib/args.ts): the browser suite's backend and task choice. */
import { describe, expect, it } from 'vitest';
import { BROWSER_BACKENDS, parseArgs } from '../../bench/lib/args';

describe('bench arguments', () => {
  it('runs every Chromium backend unless --browser-backends names some', () => {
    expect(parseArgs(['--browser']).browserBackends).toEqual([...BROWSER_BACKENDS]);
    const a = parseArgs([
      '--browser',
      '--browser-backends',
      'wasm, wasm-1thread',
      '--tasks',
      'slider',
    ]);
    expect(a.browserBackends).toEqual(['wasm', 'wasm-1thread']);
    expect(a.tasks).toEqual(['slider']);
  });

  it('refuses an unknown browser backend, naming the option and the choices', () => {
    expect(() => parseArgs(['--browser-backends', 'wasm,metal'])).toThrow(
      /--browser-backends: unknown 'metal', expected some of webgpu, webgl, wasm, wasm-1thread, cpu/,
    );
    expect(() => parseArgs(['--browser-backends'])).toThrow(/needs a value/);
  });

  it('takes the threads of the XNNPACK pool for A/B runs, and refuses a bad count', () => {
    expect(parseArgs([]).xnnpackThreads).toBeUndefined();
    expect(parseArgs(['--xnnpack-threads', '2']).xnnpackThreads).toBe(2);
    expect(() => parseArgs(['--xnnpack-threads', '0'])).toThrow(/--xnnpack-threads: an integer/);
    expect(() => parseArgs(['--xnnpack-threads', 'two'])).toThrow(/--xnnpack-threads/);
  });
});
