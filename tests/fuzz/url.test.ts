// Fuzz: the dashboard's URL state (src/ui/url-parse.ts, behind url.ts readParam / readNumber).
// Every input is a mutated query string (seeds: valid shared-view URLs); each is read for every
// parameter the app reads, with the app's own value lists and ranges (the table below mirrors
// the call sites in src/ui/store/{core,prune,setup,neurons}.ts and BackendCard.tsx). No read may
// throw; a value is either absent or inside its domain, equals the URL's own text, and survives
// the app's write-back (String(value)) unchanged.
import { describe, expect, it } from 'vitest';
import type { Rng } from '@/engine/rng';
import { parseNumber, parseParam } from '@/ui/url-parse';
import { FUZZ_TIMEOUT_MS, runFuzz } from './harness';
import { mutateBytes, pick } from './mutate';

type Spec =
  | { name: string; values: readonly string[] }
  | { name: string; min: number; max: number; int?: boolean };

const OBJECTIVES = ['standard', 'pgd-at', 'trades', 'fgsm-rs'];
const PARAMS: Spec[] = [
  {
    name: 'tab',
    values: ['setup', 'train', 'prune', 'neurons', 'distributions', 'examples', 'transfer'],
  },
  { name: 'backend', values: ['webgpu', 'webgl', 'wasm', 'cpu'] },
  { name: 'criterion', values: ['anomaly-activation', 'anomaly-gradient', 'magnitude', 'random'] },
  { name: 'granularity', values: ['unstructured', 'structured'] },
  { name: 'scope', values: ['global', 'layer'] },
  { name: 'whitebox', values: ['fgsm', 'pgd-linf'] },
  { name: 'arch', values: ['lenet', 'mlp', 'vgg-small', 'resnet-small'] },
  { name: 'objective', values: OBJECTIVES },
  { name: 'opt', values: ['sgd', 'adam'] },
  { name: 'schedule', values: ['constant', 'multistep', 'cosine', 'cyclic', 'accelat'] },
  { name: 'cmode', values: ['one-cycle', 'triangular'] },
  { name: 'sparsity', min: 0, max: 0.99 },
  { name: 'evalN', min: 50, max: 10000 },
  { name: 'image', min: 0, max: 1e9 },
  { name: 'mseed', min: 0, max: 4294967295, int: true },
  { name: 'eps', min: 0, max: 1 },
  { name: 'asteps', min: 1, max: 1000, int: true },
  { name: 'astep', min: 1e-6, max: 1 },
  { name: 'beta', min: 0, max: 1000 },
  { name: 'lr', min: 1e-8, max: 10 },
  { name: 'gamma', min: 1e-6, max: 1 },
  { name: 'pw', min: -1, max: 1 },
  { name: 'fiLr', min: 1e-12, max: 1 },
  { name: 'batch', min: 1, max: 4096, int: true },
  { name: 'valn', min: 0, max: 100000, int: true },
];

const SEEDS = [
  '?backend=wasm&tab=prune&criterion=anomaly-activation&granularity=unstructured&sparsity=0.9',
  '?tab=setup&arch=lenet&objective=pgd-at&eps=0.1&asteps=10&astep=0.025&opt=sgd&lr=0.01&batch=128',
  'tab=neurons&image=42&whitebox=fgsm&evalN=200',
  '?schedule=accelat&pw=-0.005&fiLr=1e-6&gamma=0.1&mseed=4294967295&valn=500#frag',
  '?tab=train&objective=trades&beta=6&cmode=one-cycle&sparsity=.5&lr=1e-8&scope=layer',
  '?backend=webgpu&evalN=10000&sparsity=0&image=0&valn=0&eps=1&tab=export',
];

/** Values that break naive number and enum parsing. */
const NASTY = [
  '',
  ' ',
  '+',
  '-0',
  '0x10',
  '0b1',
  '0o7',
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '1_000',
  '1,5',
  '5e-324',
  '0.99000000000000000001',
  '%',
  '%ZZ',
  '%E0%A4%A',
  '%00',
  '\u0000',
  '\uD800',
  '%2B0.5',
  '+0.5',
  ' 0.5 ',
  '__proto__',
  'constructor',
  'toString',
  'PRUNE',
  'prune ',
  'prune%00',
  '<script>alert(1)</script>',
  '9'.repeat(400),
  'a'.repeat(20_000),
];

const enc = new TextEncoder();
const dec = new TextDecoder();

function mutateQuery(rng: Rng, seed: string): { input: string; how: string } {
  const op = rng.int(6);
  if (op === 0) {
    const m = mutateBytes(rng, enc.encode(seed), { maxLength: 4096 });
    return { input: dec.decode(m.bytes), how: `bytes: ${m.how}` };
  }
  const p = pick(rng, PARAMS).name;
  const v = pick(rng, NASTY);
  let raw = v;
  try {
    if (rng.next() < 0.5) raw = encodeURIComponent(v);
  } catch {
    // a lone surrogate cannot be percent-encoded: keep it raw
  }
  if (op === 1) return { input: `${seed}&${p}=${raw}`, how: `append ${p}` };
  if (op === 2) return { input: `?${p}=${raw}&${seed.replace(/^\?/, '')}`, how: `prepend ${p}` };
  if (op === 3) {
    const re = new RegExp(`([?&]|^)${p}=[^&#]*`);
    return { input: seed.replace(re, `$1${p}=${raw}`), how: `replace ${p}` };
  }
  if (op === 4) {
    const at = rng.int(seed.length + 1);
    const junk = pick(rng, ['&', '=', '#', '?', '%', '&&', '==', '+', '%26', '%3D', raw]);
    return { input: seed.slice(0, at) + junk + seed.slice(at), how: `insert at ${at}` };
  }
  const k = 1 + rng.int(20);
  return { input: Array.from({ length: k }, () => seed).join('&'), how: `repeat ×${k}` };
}

type Parsed = Record<string, string | number | undefined>;

function parseAll(search: string): Parsed {
  const out: Parsed = {};
  for (const s of PARAMS) {
    out[s.name] =
      'values' in s
        ? parseParam(search, s.name, s.values)
        : parseNumber(search, s.name, s.min, s.max);
  }
  return out;
}

/** The first raw value of `name` as the platform decodes it (independent of url-parse.ts). */
function rawOf(search: string, name: string): string | null {
  return new URLSearchParams(search).get(name);
}

describe('fuzz: URL state', () => {
  it(
    'parseParam / parseNumber: never throw, always within the domain, round-trip',
    async () => {
      let accepted = 0;
      const stats = await runFuzz<string, Parsed>({
        name: 'url-state',
        salt: 907,
        generate: (rng) => mutateQuery(rng, pick(rng, SEEDS)),
        call: parseAll,
        isTyped: () => false, // the parsers never throw
        check: (search, r) => {
          for (const s of PARAMS) {
            const v = r[s.name];
            const raw = rawOf(search, s.name);
            if (v === undefined) {
              // no false rejection of a plain in-range number or an exact listed value
              if (raw !== null && 'values' in s) expect(s.values).not.toContain(raw);
              if (raw !== null && !('values' in s) && /^-?\d{1,15}(\.\d{1,15})?$/.test(raw)) {
                const n = Number(raw);
                expect(n < s.min || n > s.max, `${s.name}=${raw} refused`).toBe(true);
              }
              continue;
            }
            accepted++;
            if ('values' in s) {
              expect(s.values).toContain(v);
              expect(v).toBe(raw);
              expect(
                parseParam(`?${s.name}=${encodeURIComponent(v as string)}`, s.name, s.values),
              ).toBe(v);
            } else {
              expect(typeof v).toBe('number');
              const n = v as number;
              expect(Number.isFinite(n) && n >= s.min && n <= s.max).toBe(true);
              expect(Object.is(n, -0)).toBe(false);
              expect(n === Number((raw ?? '').trim())).toBe(true); // ±0 alike
              const back = new URLSearchParams({ [s.name]: String(n) }).toString();
              expect(parseNumber(back, s.name, s.min, s.max)).toBe(n);
            }
          }
        },
        describe: (s) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s),
      });
      expect(stats.accepted).toBe(stats.rejected + stats.accepted); // nothing threw
      expect(accepted).toBeGreaterThan(1000); // the mutants keep many valid values
    },
    FUZZ_TIMEOUT_MS,
  );

  it('known cases', () => {
    expect(parseNumber('?sparsity=-0', 'sparsity', 0, 0.99)).toBe(0);
    expect(Object.is(parseNumber('?sparsity=-0', 'sparsity', 0, 0.99), 0)).toBe(true);
    expect(parseNumber('?sparsity=0x0', 'sparsity', 0, 0.99)).toBeUndefined();
    expect(parseNumber('?evalN=Infinity', 'evalN', 50, 1e300)).toBeUndefined();
    expect(parseNumber('?lr=1e-3', 'lr', 1e-8, 10)).toBe(0.001);
    expect(parseNumber('?sparsity=+0.5', 'sparsity', 0, 0.99)).toBe(0.5); // '+' is a space
    expect(parseNumber('?sparsity=%2B0.5', 'sparsity', 0, 0.99)).toBe(0.5);
    expect(parseNumber('?sparsity=', 'sparsity', 0, 0.99)).toBeUndefined();
    expect(parseParam('?tab=prune&tab=setup', 'tab', ['prune', 'setup'])).toBe('prune');
    expect(parseParam('?tab=constructor', 'tab', ['prune'])).toBeUndefined();
    expect(parseParam('?tab=%E0%A4%A', 'tab', ['prune'])).toBeUndefined();
  });
});
