/**
 * The fuzz loop shared by every parser's test. For each of `iterations` seeded inputs it calls
 * the parser and sorts the outcome:
 * - accepted: the parser returned; `check` asserts the result is valid and no larger than the
 *   bound its input implies, then `dispose` frees it;
 * - rejected: the parser threw one of the module's own typed errors (`isTyped`);
 * - failure: anything else (a TypeError, a RangeError, an untyped throw, a failed check).
 * Memory: `process.memoryUsage().arrayBuffers` is sampled after every call; its peak growth over
 * the starting value must stay below `memoryBound` (a parser that allocated from a hostile header
 * before checking it, e.g. 2^28 float64 elements, would blow it). tfjs tensors: the count must be
 * the same after the run as before. Hangs: each test has a vitest timeout; work per call is
 * bounded by checking each accepted output against its input's size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@/engine/rng';

/** Iterations per parser: `FUZZ_ITERATIONS` from the environment, else 10,000. */
export const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 10_000);
/** Base seed: `FUZZ_SEED` from the environment, else 1 (each parser derives its own). */
export const BASE_SEED = Number(process.env.FUZZ_SEED ?? 1);
/** Default bound on the peak growth of ArrayBuffer memory during one parser's run. */
export const DEFAULT_MEMORY_BOUND = 192 * 2 ** 20;
/** Per-test timeout, the hang guard: 120 s per 10,000 iterations (a test takes 1 to 6 s). */
export const FUZZ_TIMEOUT_MS = 120_000 * Math.max(1, ITERATIONS / 10_000);

export interface FuzzTarget<I, R> {
  /** the parser's name, printed with the counts */
  name: string;
  /** salt of the seed, distinct per test */
  salt: number;
  /** a mutated input and a description of how it was made */
  generate(rng: Rng, i: number): { input: I; how: string };
  call(input: I): R | Promise<R>;
  /** true for the module's own typed errors */
  isTyped(e: unknown): boolean;
  /** a typed error's problem code, for the summary */
  code?(e: unknown): string;
  /** asserts an accepted result is valid and bounded by the input (throws otherwise) */
  check?(input: I, result: R): void;
  dispose?(result: R): void;
  /** a short description of an input for failure reports */
  describe?(input: I): string;
  memoryBound?: number;
  iterations?: number;
}

export interface FuzzStats {
  accepted: number;
  rejected: number;
  codes: Record<string, number>;
  peakArrayBufferGrowth: number;
  slowestMs: number;
}

interface Failure {
  i: number;
  how: string;
  input: string;
  error: string;
}

function describeBytes(b: Uint8Array): string {
  const head = Array.from(b.subarray(0, 48), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return `${b.length} bytes: ${head}${b.length > 48 ? ' …' : ''}`;
}

function defaultDescribe(input: unknown): string {
  if (input instanceof Uint8Array) return describeBytes(input);
  try {
    const s = JSON.stringify(input, (_k, v: unknown) =>
      v instanceof Uint8Array ? describeBytes(v) : v,
    );
    return s.length > 400 ? s.slice(0, 400) + '…' : s;
  } catch {
    return String(input);
  }
}

/** One line: counts, the most frequent rejection codes, peak memory, slowest call, verdict. */
function summary(name: string, iterations: number, s: FuzzStats, failures: number): string {
  const codes = Object.entries(s.codes)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const mib = (s.peakArrayBufferGrowth / 2 ** 20).toFixed(1);
  return (
    `fuzz ${name}: ${iterations} inputs, ${s.accepted} accepted, ${s.rejected} rejected ` +
    `(${codes}); peak ArrayBuffer growth ${mib} MiB; slowest call ${s.slowestMs.toFixed(1)} ms; ` +
    (failures > 0 ? 'FAILURES' : 'no failure')
  );
}

/** Runs the fuzz loop; throws an Error listing the first failures. Logs the counts once. */
export async function runFuzz<I, R>(t: FuzzTarget<I, R>): Promise<FuzzStats> {
  const iterations = t.iterations ?? ITERATIONS;
  const bound = t.memoryBound ?? DEFAULT_MEMORY_BOUND;
  const rng = new Rng((BASE_SEED * 7919 + t.salt) >>> 0);
  const stats: FuzzStats = {
    accepted: 0,
    rejected: 0,
    codes: {},
    peakArrayBufferGrowth: 0,
    slowestMs: 0,
  };
  const failures: Failure[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const base = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < iterations; i++) {
    let gen: { input: I; how: string };
    try {
      gen = t.generate(rng, i);
    } catch (e) {
      throw new Error(`fuzz ${t.name}: generating input #${i} failed: ${(e as Error).stack}`);
    }
    const { input, how } = gen;
    const fail = (e: unknown) => {
      if (failures.length < 5)
        failures.push({
          i,
          how,
          input: (t.describe ?? defaultDescribe)(input),
          error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e),
        });
    };
    const start = performance.now();
    let result: R | undefined;
    let ok = false;
    try {
      result = await t.call(input);
      ok = true;
    } catch (e) {
      if (t.isTyped(e)) {
        stats.rejected++;
        const c = t.code?.(e) ?? 'error';
        stats.codes[c] = (stats.codes[c] ?? 0) + 1;
      } else fail(e);
    }
    stats.slowestMs = Math.max(stats.slowestMs, performance.now() - start);
    const growth = process.memoryUsage().arrayBuffers - base;
    stats.peakArrayBufferGrowth = Math.max(stats.peakArrayBufferGrowth, growth);
    if (growth > bound) fail(new Error(`ArrayBuffer memory grew by ${growth} bytes (> ${bound})`));
    if (ok) {
      stats.accepted++;
      try {
        t.check?.(input, result as R);
      } catch (e) {
        fail(e);
      } finally {
        t.dispose?.(result as R);
      }
    }
  }
  const tensorsAfter = tf.memory().numTensors;
  if (tensorsAfter !== tensorsBefore)
    failures.push({
      i: -1,
      how: 'whole run',
      input: '',
      error: `tensor leak: ${tensorsBefore} tensors before the run, ${tensorsAfter} after`,
    });
  console.log(summary(t.name, iterations, stats, failures.length));
  if (failures.length > 0) {
    throw new Error(
      `fuzz ${t.name}: unexpected outcomes (reproduce with FUZZ_SEED=${BASE_SEED}):\n` +
        failures.map((f) => `#${f.i} [${f.how}] ${f.input}\n  ${f.error}`).join('\n'),
    );
  }
  return stats;
}
