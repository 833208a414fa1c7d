// Fuzz: the tfjs model.json + weights.bin loader (loadModelTfjs, which Session.importTfjs calls
// after JSON.parse). Inputs: JSON-tree mutations of model.json (its manifest, its metadata, the
// spec inside), also with values JSON cannot hold (NaN, ±Infinity, undefined), text damage that
// still parses, and byte-level mutations of weights.bin.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '@/engine/model/errors';
import { planModel } from '@/engine/model/plan';
import { loadModelTfjs } from '@/engine/model/serialize/tfjs';
import type { Rng } from '@/engine/rng';
import { FUZZ_TIMEOUT_MS, runFuzz } from './harness';
import { mutateBytes } from './mutate';
import { mutateJson, mutateJsonText, toJsonText } from './mutate-json';
import { disposeLoaded, loadedValues, modelSeeds, type ModelSeeds } from './model-seeds';

type In = { modelJson: unknown; weights: Uint8Array };
let seeds: ModelSeeds['tfjs'] = [];
beforeAll(async () => {
  seeds = (await modelSeeds()).tfjs;
});

function mutateModelJson(rng: Rng, json: unknown): { value: unknown; how: string } {
  const r = rng.int(10);
  if (r < 2) {
    // the spec inside userDefinedMetadata.advprune
    const copy = structuredClone(json) as {
      userDefinedMetadata: { advprune: { spec: unknown } };
    };
    const m = mutateJson(rng, copy.userDefinedMetadata.advprune.spec, true);
    copy.userDefinedMetadata.advprune.spec = m.value;
    return { value: copy, how: `spec: ${m.how}` };
  }
  if (r < 3) {
    // text damage that still parses (non-JSON text is refused by the caller's JSON.parse)
    const t = mutateJsonText(rng, toJsonText(json));
    try {
      return { value: JSON.parse(t.text) as unknown, how: `text: ${t.how}` };
    } catch {
      return { value: json, how: `text (unparsable, unchanged): ${t.how}` };
    }
  }
  const m = mutateJson(rng, json, true);
  return { value: m.value, how: `json: ${m.how}` };
}

function generate(rng: Rng): { input: In; how: string } {
  const s = seeds[rng.int(seeds.length)];
  const r = rng.int(10);
  const corpus = seeds.map((x) => x.weightsBin);
  if (r < 4) {
    const m = mutateBytes(rng, s.weightsBin, { corpus });
    return { input: { modelJson: s.modelJson, weights: m.bytes }, how: `weights: ${m.how}` };
  }
  const j = mutateModelJson(rng, s.modelJson);
  if (r < 9) return { input: { modelJson: j.value, weights: s.weightsBin }, how: j.how };
  const m = mutateBytes(rng, s.weightsBin, { corpus });
  return { input: { modelJson: j.value, weights: m.bytes }, how: `${j.how}; weights: ${m.how}` };
}

describe('fuzz: tfjs model.json + weights.bin', () => {
  it(
    'loadModelTfjs: a valid model (disposed, no tensor leak) or ModelFormatError',
    async () => {
      const before = tf.memory().numTensors;
      const stats = await runFuzz({
        name: 'loadModelTfjs',
        salt: 501,
        generate,
        call: (x: In) => loadModelTfjs(x.modelJson, x.weights, 'model.json'),
        isTyped: (e) => e instanceof ModelFormatError,
        code: (e) => (e as ModelFormatError).problem,
        check: (x, r) => {
          planModel(r.model.spec);
          expect(loadedValues(r)).toBeLessThanOrEqual(x.weights.length); // ≥ 1 byte per value
        },
        dispose: disposeLoaded,
        describe: (x) =>
          `${toJsonText(x.modelJson).slice(0, 300)} + weights of ${x.weights.length} bytes`,
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});
