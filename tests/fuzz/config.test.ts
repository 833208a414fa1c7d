// Fuzz: experiment configs as the CLI and the app read them (parseExperimentConfigText). Seeds are
// the shipped configs/*.json; inputs are JSON-tree mutations (wrong types, huge numbers, deep
// nesting, unknown keys, removed keys) and text damage (NaN, cut text, unbalanced brackets).
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  parseExperimentConfig,
  parseExperimentConfigText,
  type ExperimentConfig,
} from '@/engine/experiment/config';
import { FUZZ_TIMEOUT_MS, runFuzz } from './harness';
import { mutateJson, mutateJsonText, toJsonText } from './mutate-json';

const CONFIG_DIR = fileURLToPath(new URL('../../configs/', import.meta.url));

const STEP_FIELDS = new Set(['stepSize', 'alpha', 'pgdStepSize']);

/**
 * Paths of the step sizes in `value` that are 0 while the nearest enclosing `eps` is > 0 (an
 * attack that cannot move), e.g. 'train.objective.stepSize'.
 */
function zeroSteps(value: unknown, path = '', eps = 0): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const o = value as Record<string, unknown>;
  const here = typeof o.eps === 'number' ? o.eps : eps;
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    const p = path ? `${path}.${k}` : k;
    if (STEP_FIELDS.has(k) && v === 0 && here > 0) out.push(p);
    else out.push(...zeroSteps(v, p, here));
  }
  return out;
}

describe('fuzz: experiment configs', () => {
  it(
    'parseExperimentConfigText: a config that re-validates to itself, or ConfigError',
    async () => {
      const seeds = readdirSync(CONFIG_DIR)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(CONFIG_DIR + f, 'utf8')) as unknown);
      expect(seeds.length).toBeGreaterThan(0);
      const stats = await runFuzz<string, ExperimentConfig>({
        name: 'parseExperimentConfigText',
        salt: 601,
        generate: (rng) => {
          const m = mutateJson(rng, seeds[rng.int(seeds.length)]);
          const text = toJsonText(m.value);
          if (rng.next() < 0.15) {
            const t = mutateJsonText(rng, text);
            return { input: t.text, how: `${m.how}; text: ${t.how}` };
          }
          return { input: text, how: m.how };
        },
        call: (text) => parseExperimentConfigText(text, 'fuzz.json'),
        isTyped: (e) => e instanceof ConfigError,
        code: (e) => ((e as ConfigError).issues[0] ?? '').split(/[.:]/)[0],
        check: (text, c) => {
          // a resolved config is a valid input that resolves to itself
          expect(parseExperimentConfig(structuredClone(c), 'again')).toEqual(c);
          // no attack in it has ε > 0 and a step of 0 (tests/fuzz/regressions.test.ts)
          expect(zeroSteps(c)).toEqual([]);
          expect(JSON.stringify(c).length).toBeLessThan(text.length + 10_000);
        },
        describe: (text) => (text.length > 400 ? text.slice(0, 400) + '…' : text),
      });
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});
