// Session pruning: cached scores, the slider's points, curves, fine-tuning, exports at the
// slider's sparsity, the transfer benchmark, cancellation, and flat tensor counts.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from '@/engine/model/serialize/safetensors';
import { loadModelSafetensors } from '@/engine/model/serialize/model-io';
import { disposeModel } from '@/engine/model/init';
import { disposeMasks } from '@/engine/prune/masks';
import type { SliderPoint } from '@/engine/session';
import { expectNoLeak, tinySession } from './helpers';

const SLIDER = {
  criterion: 'anomaly-activation' as const,
  granularity: 'unstructured' as const,
  evalN: 24,
  samples: 32,
  whiteBoxAttack: { name: 'pgd-linf', options: { steps: 3 } },
};

describe('Session pruning', () => {
  it('caches scores per criterion and granularity until the weights change', async () => {
    const s = tinySession();
    const a = await s.computeScores({
      criterion: 'anomaly-gradient',
      granularity: 'structured',
      samples: 16,
    });
    const b = await s.computeScores({
      criterion: 'anomaly-gradient',
      granularity: 'structured',
      samples: 16,
    });
    expect(b).toBe(a); // the same cached summary object
    const c = await s.computeScores({
      criterion: 'anomaly-gradient',
      granularity: 'unstructured',
      samples: 16,
    });
    expect(c).not.toBe(a);
    expect(a.layers.map((l) => l.kernelName)).toEqual(['c1/kernel', 'fc1/kernel', 'out/kernel']);
    for (const l of c.layers) expect(l.min).toBeLessThanOrEqual(l.mean);
    await s.step({ batchSize: 16 });
    const d = await s.computeScores({
      criterion: 'anomaly-gradient',
      granularity: 'structured',
      samples: 16,
    });
    expect(d).not.toBe(a);
    await s.dispose();
  });

  it('evaluates slider points whose report matches the sparsity, and exports them exactly', async () => {
    const s = tinySession();
    const info = await s.prepareSlider(SLIDER);
    expect(info.n).toBe(24);
    expect(info.base.clean).toBeGreaterThanOrEqual(info.base.transferRobust);
    for (const sp of [0.3, 0.75]) {
      const partials: SliderPoint[] = [];
      const r = await s.evaluateSparsity(sp, (p) => partials.push(p));
      if (r.status !== 'done') throw new Error(r.status);
      const g = r.point.report.global;
      expect(Math.abs(g.weightsRemoved - Math.round(sp * g.weights))).toBeLessThanOrEqual(1);
      expect(r.point.whiteBox).not.toBeNull();
      expect(r.point.whiteBox as number).toBeLessThanOrEqual(r.point.clean);
      expect(partials).toHaveLength(1);
      expect(partials[0].whiteBox).toBeNull();
      expect(partials[0].clean).toBe(r.point.clean);
      // the export at this sparsity: masked weights exactly 0, mask fraction = sp
      const [f] = await s.exportFiles('safetensors');
      const { tensors } = decodeSafetensors(new Uint8Array(f.bytes), f.name);
      const byName = new Map(tensors.map((t) => [t.name, t.data]));
      let removed = 0;
      let total = 0;
      for (const t of tensors.filter((t) => t.name.startsWith('mask/'))) {
        const w = byName.get(t.name.slice(5)) as Float32Array;
        for (let i = 0; i < t.data.length; i++) {
          total++;
          if (t.data[i] === 0) {
            removed++;
            expect(w[i] === 0).toBe(true); // ±0
          }
        }
      }
      expect(total).toBe(g.weights);
      expect(Math.abs(removed - sp * total)).toBeLessThanOrEqual(1);
      const { model, masks } = loadModelSafetensors(new Uint8Array(f.bytes), f.name);
      expect(masks.size).toBe(3);
      disposeModel(model);
      disposeMasks(masks);
    }
    const m = await s.exportFiles('masks');
    expect(
      decodeSafetensors(new Uint8Array(m[0].bytes), m[0].name).tensors.every((t) =>
        t.name.startsWith('mask/'),
      ),
    ).toBe(true);
    await expect(s.exportFiles('compact')).rejects.toThrow(/structured/);
    const [rep] = await s.exportFiles('report');
    const report = JSON.parse(new TextDecoder().decode(rep.bytes));
    expect(report.sparsity).toBe(0.75);
    expect(report.point.sparsity).toBe(0.75);
    expect(report.dataset.name).toBe('synthetic');
    await expect(s.evaluateSparsity(1.2)).rejects.toThrow(/\[0, 1\)/);
    await s.dispose();
  });

  it('supersedes older slider calls and cancels one call by its token', async () => {
    const s = tinySession();
    await s.prepareSlider(SLIDER);
    const first = s.evaluateSparsity(0.2);
    const second = s.evaluateSparsity(0.4);
    expect((await first).status).toBe('superseded');
    expect((await second).status).toBe('done');
    // two calls in flight: aborting one token stops that call and no other
    const curves = s.sparsityCurve(['magnitude'], [0, 0.5], undefined, { id: 'curves-1' });
    const third = s.evaluateSparsity(0.5, undefined, { id: 'eval-3' });
    s.abort('eval-3');
    s.abort('no-such-call'); // unknown or finished ids are ignored
    expect((await third).status).toBe('cancelled');
    const [curve] = await curves;
    expect(curve.points.map((p) => p.sparsity)).toEqual([0, 0.5]);
    // a token names one call at a time; after it ends the id may be used again
    const again = s.evaluateSparsity(0.3, undefined, { id: 'eval-3' });
    await expect(s.evaluateSparsity(0.3, undefined, { id: 'eval-3' })).rejects.toThrow(
      /already in use/,
    );
    expect((await again).status).toBe('done');
    await expect(s.neuronView(0, undefined, { id: '' })).rejects.toThrow(/call token/);
    // a cancelled scoring call rejects readably
    const scoring = s.computeScores({ criterion: 'snip', granularity: 'unstructured' }, undefined, {
      id: 'score-1',
    });
    s.abort('score-1');
    await expect(scoring).rejects.toThrow(/computing scores was cancelled/);
    await s.dispose();
  });

  it('compacts structured pruning, fine-tunes under the masks and keeps the floor', async () => {
    const s = tinySession();
    await s.prepareSlider({ ...SLIDER, granularity: 'structured', criterion: 'magnitude' });
    const r = await s.evaluateSparsity(0.5);
    expect(r.status).toBe('done');
    const [c] = await s.exportFiles('compact');
    const { model, masks } = loadModelSafetensors(new Uint8Array(c.bytes), c.name);
    const full = s.modelInfo()?.params as number;
    const compactParams = [...model.params.values()].reduce((a, v) => a + v.size, 0);
    expect(compactParams).toBeLessThan(full);
    disposeModel(model);
    disposeMasks(masks);
    const ft = await s.fineTunePruned({ epochs: 1, batchSize: 32 });
    expect(ft.status).toBe('completed');
    expect(ft.kind).toBe('finetune');
    // below the fine-tuned sparsity the slider evaluates the fine-tuned masks
    const low = await s.evaluateSparsity(0.1);
    if (low.status !== 'done') throw new Error(low.status);
    expect(low.point.report.global.neuronsRemoved).toBe(
      r.status === 'done' ? r.point.report.global.neuronsRemoved : -1,
    );
    const dist = await s.distributions(20);
    const c1 = dist.layers[0];
    expect(c1.before.counts.reduce((a, b) => a + b, 0)).toBe(3 * 3 * 1 * 4);
    expect(c1.after.counts.reduce((a, b) => a + b, 0) + c1.pruned).toBe(36);
    expect(c1.before.edges).toEqual(c1.after.edges);
    // structured scores: one per unit, each binned or counted apart (zeros on a log axis, ±∞)
    expect(c1.scores?.total).toBe(4);
    const sc = dist.scores;
    if (!sc) throw new Error('no score histogram');
    expect(sc.total).toBe(dist.layers.reduce((n, l) => n + (l.scores?.total ?? 0), 0));
    const apart = (sc.scale === 'log' ? sc.zeros : 0) + sc.negInf + sc.posInf + sc.nan;
    expect(sc.counts.reduce((a, b) => a + b, 0) + apart).toBe(sc.total);
    await s.dispose();
  });

  it('gives neuron views and adversarial examples with their invariants', async () => {
    const s = tinySession();
    await s.prepareSlider({ ...SLIDER, granularity: 'structured' });
    await s.evaluateSparsity(0.5);
    const v = await s.neuronView(3);
    expect(v.index).toBe(3);
    // the image and its attacked version travel with the view, within the budget
    expect(v.image.length).toBe(8 * 8 * 1);
    expect(v.adversarialImage.length).toBe(v.image.length);
    for (let i = 0; i < v.image.length; i++) {
      expect(Math.abs(v.adversarialImage[i] - v.image[i])).toBeLessThanOrEqual(0.1 + 1e-6);
      expect(v.adversarialImage[i]).toBeGreaterThanOrEqual(0);
      expect(v.adversarialImage[i]).toBeLessThanOrEqual(1);
    }
    expect(v.layers.map((l) => l.layer)).toEqual(['c1', 'fc1', 'out']);
    const c1 = v.layers[0];
    expect(c1.shape).toEqual([4, 8, 8]);
    expect(c1.clean.length).toBe(4 * 64);
    expect(c1.anomaly.length).toBe(4);
    for (const a of c1.anomaly) expect(a).toBeGreaterThanOrEqual(0);
    expect(c1.scores?.length).toBe(4);
    const removed = v.layers.reduce((a, l) => a + l.removed.reduce((x, y) => x + y, 0), 0);
    expect(removed).toBeGreaterThan(0);
    expect(v.layers[2].removed.every((r) => r === 0)).toBe(true); // head never removed
    const ex = await s.adversarialExamples(5);
    expect(ex).toHaveLength(5);
    for (const e of ex) {
      expect(e.linf).toBeLessThanOrEqual(0.1 + 1e-5);
      let m = 0;
      for (let i = 0; i < e.clean.length; i++) {
        expect(e.adversarial[i]).toBeGreaterThanOrEqual(0);
        expect(e.adversarial[i]).toBeLessThanOrEqual(1);
        m = Math.max(m, Math.abs(e.adversarial[i] - e.clean[i]));
      }
      expect(Math.abs(m - e.linf)).toBeLessThan(1e-6);
    }
    await expect(s.neuronView(10_000)).rejects.toThrow(/index/);
    await s.dispose();
  });

  it('computes curves and the transfer benchmark', async () => {
    const s = tinySession();
    const curves = await s.sparsityCurve(['magnitude', 'random'], [0, 0.5]);
    expect(curves.map((c) => c.criterion)).toEqual(['magnitude', 'random']);
    expect(curves[0].points.map((p) => p.sparsity)).toEqual([0, 0.5]);
    expect(curves[0].points[0].clean).toBe(curves[1].points[0].clean); // sparsity 0: same model
    const t = await s.transferBenchmark({
      criteria: ['magnitude'],
      sparsities: [0.5],
      n: 16,
      attacks: [{ name: 'fgsm' }],
    });
    expect(t.cells).toHaveLength(1);
    expect(t.table).toContain('magnitude');
    expect(t.note).toMatch(/WITHOUT fine-tuning/);
    await s.dispose();
  });

  it('keeps the tensor count flat across repeated calls of every method', async () => {
    const s = tinySession();
    await expectNoLeak(() =>
      s.computeScores({ criterion: 'snip', granularity: 'unstructured', samples: 16 }),
    );
    await expectNoLeak(() => s.prepareSlider(SLIDER));
    await expectNoLeak(() => s.evaluateSparsity(0.6));
    await expectNoLeak(() => s.neuronView(1));
    await expectNoLeak(() => s.distributions());
    await expectNoLeak(() => s.adversarialExamples(3));
    await expectNoLeak(() => s.exportFiles('safetensors'));
    await expectNoLeak(() => s.exportFiles('tfjs'));
    await expectNoLeak(() => s.sparsityCurve(['magnitude'], [0.5]), 1);
    await expectNoLeak(
      () =>
        s.transferBenchmark({
          criteria: ['random'],
          sparsities: [0.5],
          n: 8,
          attacks: [{ name: 'fgsm' }],
        }),
      1,
    );
    const n = tf.memory().numTensors;
    await s.dispose();
    expect(tf.memory().numTensors).toBeLessThan(n);
  });
});
