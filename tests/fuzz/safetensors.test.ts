// Fuzz: safetensors decoding (decodeSafetensors) and model loading (loadModelSafetensors). Inputs
// are byte-level mutations of saved models, and rebuilt files whose JSON header, or whose model
// spec inside `__metadata__.spec`, was mutated as JSON.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '@/engine/model/errors';
import { planModel } from '@/engine/model/plan';
import { loadModelSafetensors } from '@/engine/model/serialize/model-io';
import { decodeSafetensors, type SafetensorsFile } from '@/engine/model/serialize/safetensors';
import type { Rng } from '@/engine/rng';
import { FUZZ_TIMEOUT_MS, runFuzz } from './harness';
import { mutateBytes } from './mutate';
import { mutateJson, mutateJsonText, toJsonText } from './mutate-json';
import { disposeLoaded, loadedValues, modelSeeds } from './model-seeds';
import { SAFETENSORS_FIELDS } from './seeds';

const isTyped = (e: unknown) => e instanceof ModelFormatError;
const code = (e: unknown) => (e as ModelFormatError).problem;

let seeds: Uint8Array[] = [];
beforeAll(async () => {
  seeds = (await modelSeeds()).safetensors;
});

/** [u64 LE length][header text][data], as the format lays it out. */
function build(header: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function split(file: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = new DataView(file.buffer, file.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<
    string,
    unknown
  >;
  return { header, data: file.subarray(8 + n) };
}

/** A mutated safetensors file: raw bytes, the JSON header, or the spec inside it. */
function generate(rng: Rng): { input: Uint8Array; how: string } {
  const seed = seeds[rng.int(seeds.length)];
  const r = rng.int(10);
  if (r < 4) {
    const m = mutateBytes(rng, seed, { fields: SAFETENSORS_FIELDS, corpus: seeds });
    return { input: m.bytes, how: `bytes: ${m.how}` };
  }
  const { header, data } = split(seed);
  if (r < 7) {
    const m = mutateJson(rng, header);
    const text = toJsonText(m.value);
    if (rng.next() < 0.2) {
      const t = mutateJsonText(rng, text);
      return { input: build(t.text, data), how: `header: ${m.how}; text: ${t.how}` };
    }
    return { input: build(text, data), how: `header: ${m.how}` };
  }
  const meta = header.__metadata__ as Record<string, string>;
  const m = mutateJson(rng, JSON.parse(meta.spec));
  let spec = toJsonText(m.value);
  let how = `spec: ${m.how}`;
  if (rng.next() < 0.2) {
    const t = mutateJsonText(rng, spec);
    spec = t.text;
    how += `; text: ${t.how}`;
  }
  const h = { ...header, __metadata__: { ...meta, spec } };
  return { input: build(toJsonText(h), data), how };
}

describe('fuzz: safetensors', () => {
  it(
    'decodeSafetensors: bounded tensors or ModelFormatError',
    async () => {
      const stats = await runFuzz<Uint8Array, SafetensorsFile>({
        name: 'decodeSafetensors',
        salt: 401,
        generate,
        call: (bytes) => decodeSafetensors(bytes, 'fuzz.safetensors'),
        isTyped,
        code,
        check: (bytes, f) => {
          let total = 0;
          for (const t of f.tensors) {
            expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
            total += t.data.byteLength;
          }
          expect(total).toBeLessThanOrEqual(bytes.length - 8);
          for (const v of Object.values(f.metadata)) expect(typeof v).toBe('string');
        },
      });
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'loadModelSafetensors: a valid model (disposed, no tensor leak) or ModelFormatError',
    async () => {
      const before = tf.memory().numTensors;
      const stats = await runFuzz({
        name: 'loadModelSafetensors',
        salt: 402,
        generate,
        call: (bytes: Uint8Array) => loadModelSafetensors(bytes, 'fuzz.safetensors'),
        isTyped,
        code,
        check: (bytes, r) => {
          planModel(r.model.spec); // a valid spec
          expect(loadedValues(r)).toBeLessThanOrEqual(bytes.length); // ≥ 1 input byte per value
        },
        dispose: disposeLoaded,
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});
