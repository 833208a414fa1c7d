// The slider along a shipped fine-tuned path (session/path.ts): the nearest checkpoint at or
// below the slider, its fine-tuned weights at its own sparsity, one-shot |w| beyond it with
// nested masks, the dense base below the first checkpoint; figures equal a standalone evaluation
// of the checkpoint; refusals; no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { evaluateRobustness } from '@/engine/eval/robustness';
import { logitsFn } from '@/engine/model/forward';
import { cloneModel, disposeModel, initModel } from '@/engine/model/init';
import { saveModelSafetensors } from '@/engine/model/serialize/model-io';
import type { Model } from '@/engine/model/types';
import { applyMasksToWeights } from '@/engine/prune/finetune';
import { disposeMasks, masksFromScores, toTensorMasks } from '@/engine/prune/masks';
import { magnitudeScores } from '@/engine/prune/scores/magnitude';
import type { PlainMasks } from '@/engine/prune/types';
import { Session } from '@/engine/session';
import { parsePathManifest } from '@/engine/session/path';
import { expectNoLeak, tinyData } from './helpers';
import { tinyConvSpec } from '../../fixtures/models';

const SLIDER = {
  criterion: 'anomaly-learned' as const,
  granularity: 'unstructured' as const,
  evalN: 24,
  samples: 32,
  whiteBoxAttack: { name: 'pgd-linf', options: { steps: 3 } },
  path: true,
};

/** A checkpoint: the base pruned by |w| at `s`, its kept weights perturbed ("fine-tuned"). */
async function checkpoint(
  base: Model,
  s: number,
): Promise<{ bytes: Uint8Array; masks: PlainMasks }> {
  const m = cloneModel(base);
  const masks = masksFromScores(m.spec, await magnitudeScores(m, 'unstructured'), {
    sparsity: s,
  });
  const t = toTensorMasks(masks);
  try {
    for (const [k, v] of m.params) if (k.endsWith('/kernel')) v.assign(v.mul(1 + s));
    applyMasksToWeights(m, t);
    return { bytes: await saveModelSafetensors(m, t), masks };
  } finally {
    disposeMasks(t);
    disposeModel(m);
  }
}

async function pathSession(): Promise<{ s: Session; files: Map<string, Uint8Array> }> {
  const base = initModel(tinyConvSpec(), 3);
  const files = new Map<string, Uint8Array>();
  const cps = [];
  for (const sp of [0.5, 0.8]) {
    const c = await checkpoint(base, sp);
    const file = `paths/test-${sp * 100}.safetensors`;
    files.set(`models/${file}`, c.bytes);
    cps.push({ sparsity: sp, file });
  }
  const manifest = {
    paths: [
      {
        criterion: 'anomaly-learned',
        label: 'test path',
        base: 'models/default.safetensors',
        command: 'npm run experiment -- test.json',
        below: 'magnitude',
        checkpoints: cps,
      },
    ],
  };
  files.set('models/paths/index.json', new TextEncoder().encode(JSON.stringify(manifest)));
  const s = new Session({
    readPublic: async (p) => {
      const f = files.get(p);
      if (!f) throw new Error(`no file ${p}`);
      return f;
    },
  });
  s.useDataset({ ...tinyData(), name: 'synthetic', budget: 'fashion-mnist' });
  s.useModel(base, 'default');
  return { s, files };
}

describe('the path manifest', () => {
  const ok = {
    criterion: 'anomaly-learned',
    label: 'x',
    base: 'models/default.safetensors',
    command: 'c',
    below: 'magnitude',
    checkpoints: [{ sparsity: 0.5, file: 'paths/a.safetensors' }],
  };
  it('names what is wrong in a bad manifest', () => {
    expect(() => parsePathManifest({})).toThrow(/expected \{ paths/);
    expect(() => parsePathManifest({ paths: [{ ...ok, below: undefined }] })).toThrow(/below/);
    expect(() =>
      parsePathManifest({
        paths: [
          {
            ...ok,
            checkpoints: [
              { sparsity: 0.7, file: 'paths/a.safetensors' },
              { sparsity: 0.5, file: 'paths/b.safetensors' },
            ],
          },
        ],
      }),
    ).toThrow(/increase/);
    expect(() =>
      parsePathManifest({ paths: [{ ...ok, checkpoints: [{ sparsity: 0.5, file: '../x.bin' }] }] }),
    ).toThrow(/not a .safetensors path/);
    expect(() =>
      parsePathManifest({
        paths: [{ ...ok, checkpoints: [{ sparsity: 0.5, file: 'paths/a.safetensors', clean: 2 }] }],
      }),
    ).toThrow(/clean must be a fraction/);
    expect(parsePathManifest({ paths: [ok] }).paths[0].criterion).toBe('anomaly-learned');
  });

  it('a checkpoint of another architecture is refused by name, nothing leaks', async () => {
    const { s, files } = await pathSession();
    const other = initModel(
      {
        ...tinyConvSpec(),
        layers: tinyConvSpec().layers.map((l) =>
          l.kind === 'dense' && l.name === 'fc1' ? { ...l, units: 6 } : l,
        ),
      },
      1,
    );
    files.set('models/paths/test-50.safetensors', await saveModelSafetensors(other));
    disposeModel(other);
    const before = tf.memory().numTensors;
    await expect(s.prepareSlider(SLIDER)).rejects.toThrow(
      /test-50.safetensors is not a pruned copy/,
    );
    expect(tf.memory().numTensors).toBe(before);
    await s.dispose();
  });
});

describe('Session slider along a fine-tuned path', () => {
  it('lists the shipped path only for the default model', async () => {
    const { s } = await pathSession();
    expect(await s.shippedPaths()).toEqual([
      {
        criterion: 'anomaly-learned',
        label: 'test path',
        command: 'npm run experiment -- test.json',
        checkpoints: [0.5, 0.8],
        figures: [],
      },
    ]);
    // the same default model trained further is no longer the path's base
    await s.step({ batchSize: 16 });
    expect(await s.shippedPaths()).toEqual([]);
    await expect(s.prepareSlider(SLIDER)).rejects.toThrow(/default model/);
    await s.resetTraining(); // the weights as loaded again
    expect(await s.shippedPaths()).toHaveLength(1);
    s.useModel(initModel(tinyConvSpec(), 4), 'new');
    expect(await s.shippedPaths()).toEqual([]);
    await expect(s.prepareSlider(SLIDER)).rejects.toThrow(/default model/);
    await s.dispose();
  });

  it('lists none when the manifest is missing, also when a server answers with its index.html', async () => {
    for (const answer of ['missing', '<!doctype html><html></html>']) {
      const s = new Session({
        readPublic: async (p) => {
          if (answer === 'missing') throw new Error(`${p}: HTTP 404`);
          return new TextEncoder().encode(answer);
        },
      });
      s.useDataset({ ...tinyData(), name: 'synthetic', budget: 'fashion-mnist' });
      s.useModel(initModel(tinyConvSpec(), 3), 'default');
      expect(await s.shippedPaths()).toEqual([]);
      await s.dispose();
    }
  });

  it('evaluates the checkpoint at its sparsity and one-shot |w| beyond it, as a standalone evaluation would', async () => {
    const { s, files } = await pathSession();
    const info = await s.prepareSlider(SLIDER);
    expect(info.path?.checkpoints).toEqual([0.5, 0.8]);
    const at = async (sp: number) => {
      const r = await s.evaluateSparsity(sp);
      if (r.status !== 'done') throw new Error(r.status);
      return r.point;
    };
    const p50 = await at(0.5);
    expect(p50.path).toEqual({ checkpoint: 0.5, fineTuned: true });
    expect(p50.report.global.sparsity).toBeCloseTo(0.5, 2);
    // the figure is the checkpoint's own, under its own masks (a standalone evaluation)
    const { loadModelSafetensors } = await import('@/engine/model/serialize/model-io');
    const { model, masks } = loadModelSafetensors(
      files.get('models/paths/test-50.safetensors') as Uint8Array,
      'cp',
    );
    try {
      const { test } = tinyData();
      const ref = await evaluateRobustness(
        logitsFn(model, { masks }),
        {
          x: test.images.subarray(0, 24 * 64),
          y: test.labels.subarray(0, 24),
          shape: test.shape,
        },
        [{ name: 'pgd-linf', options: info.whiteBoxAttack?.options ?? {} }],
        { batchSize: 250 },
      );
      expect(p50.clean).toBeCloseTo(ref.cleanAccuracy, 10);
      expect(p50.whiteBox).toBeCloseTo(ref.perAttack[0].robustAccuracy, 10);
    } finally {
      disposeMasks(masks);
      disposeModel(model);
    }
    const p65 = await at(0.65);
    expect(p65.path).toEqual({ checkpoint: 0.5, fineTuned: false });
    expect(p65.report.global.sparsity).toBeCloseTo(0.65, 2);
    const p80 = await at(0.8);
    expect(p80.path).toEqual({ checkpoint: 0.8, fineTuned: true });
    const p30 = await at(0.3);
    expect(p30.path).toEqual({ checkpoint: 0, fineTuned: false });
    const p0 = await at(0);
    expect(p0.path).toEqual({ checkpoint: 0, fineTuned: true });
    expect(p0.clean).toBeCloseTo(info.base.clean, 10);
    // fine-tuning on a path is refused with the reason
    await at(0.5);
    await expect(s.fineTunePruned({ epochs: 1 })).rejects.toThrow(/fine-tuned already/);
    await s.dispose();
  });

  it('masks beyond a checkpoint contain its masks (nested), and exports follow the checkpoint', async () => {
    const { s } = await pathSession();
    await s.prepareSlider(SLIDER);
    await s.evaluateSparsity(0.5);
    const [f50] = await s.exportFiles('safetensors');
    await s.evaluateSparsity(0.7);
    const [f70] = await s.exportFiles('safetensors');
    const { decodeSafetensors } = await import('@/engine/model/serialize/safetensors');
    const kernels = (b: ArrayBuffer) =>
      new Map(
        decodeSafetensors(new Uint8Array(b), 'x')
          .tensors.filter((t) => t.name.endsWith('/kernel'))
          .map((t) => [t.name, Float32Array.from(t.data as ArrayLike<number>)]),
      );
    const a = kernels(f50.bytes);
    const b = kernels(f70.bytes);
    let zerosA = 0;
    let zerosB = 0;
    for (const [k, wa] of a) {
      const wb = b.get(k) as Float32Array;
      wa.forEach((v, i) => {
        if (v === 0) {
          zerosA++;
          expect(wb[i] === 0).toBe(true); // nested: what the checkpoint removed stays removed (±0)
        } else if (wb[i] !== 0) expect(wb[i]).toBe(v); // the same checkpoint weights
      });
      zerosB += wb.filter((v) => v === 0).length;
    }
    expect(zerosB).toBeGreaterThan(zerosA);
    await s.dispose();
  });

  it('leaks no tensor across preparations and evaluations', async () => {
    const { s } = await pathSession();
    await expectNoLeak(async () => {
      await s.prepareSlider(SLIDER);
      await s.evaluateSparsity(0.6);
      await s.evaluateSparsity(0.8);
    }, 2);
    await s.dispose();
  });
});
