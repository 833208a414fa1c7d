// The committed study configs (configs/studies, docs/experiments.md): every cell of every sweep
// is valid, each study has at least 3 seeds, and each covers what issue 7 asks it to compare.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandSweep } from '@/engine/experiment/sweep';

const DIR = 'configs/studies';
const plan = (f: string) => expandSweep(JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8')), f);

describe('study configs', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('every sweep expands into valid cells with at least 3 seeds', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const p = plan(f);
      const seed = p.axes.find((a) => a.name === 'seed');
      expect(seed?.values.length, f).toBeGreaterThanOrEqual(3);
      expect(new Set(seed?.labels).size, f).toBe(seed?.values.length);
      expect(new Set(p.cells.map((c) => c.config.name)).size).toBe(p.cells.length);
    }
  });

  it('the schedule studies compare AccelAT with constant, multistep and cyclic under PGD-AT', () => {
    for (const f of ['schedules.json', 'schedules-cifar10.json']) {
      const p = plan(f);
      const kinds = new Set(p.cells.map((c) => c.config.train?.schedule.kind));
      expect([...kinds].sort()).toEqual(['accelat', 'constant', 'cyclic', 'multistep']);
      for (const c of p.cells) expect(c.config.train?.objective.kind).toBe('pgd-at');
      expect(p.target).toBeGreaterThan(0);
    }
  });

  it('the protocol study runs AccelAT at the paper settings in both protocols (issue 17)', () => {
    const p = plan('accelat-protocols.json');
    expect(p.cells).toHaveLength(2 * 2 * 3 * 4);
    const seen = new Set<string>();
    for (const c of p.cells) {
      const t = c.config.train;
      expect(t?.epochs).toBe(50);
      expect(t?.batchSize).toBe(128);
      expect(t?.optimizer).toMatchObject({ kind: 'sgd', momentum: 0.9, weightDecay: 0 });
      expect(t?.seed).toBe(c.config.seed);
      const protocol = t?.protocol?.kind ?? 'per-batch';
      expect(t?.objective.kind).toBe(protocol === 'per-batch' ? 'pgd-at' : 'standard');
      if (t?.schedule.kind === 'accelat')
        expect(t.schedule).toEqual({
          kind: 'accelat',
          lr: 1e-3,
          ftEp: 5,
          sdEp: 5,
          pw: 0.005,
          paLr: 0.8,
          fiLr: 1e-6,
        });
      seen.add(`${c.config.model.architecture}/${protocol}/${t?.schedule.kind}`);
    }
    expect(seen.size).toBe(2 * 2 * 4);
    expect(p.settle).toMatchObject({ axis: 'schedule', baseline: 'constant' });
  });

  it('the pruning studies cover every criterion at 50-99% sparsity, one-shot and end to end', () => {
    const one = plan('prune.json').cells[0].config.prune;
    const structured = plan('prune-structured.json').cells[0].config.prune;
    const e2e = plan('prune-e2e.json').cells[0].config.prune;
    for (const p of [one, structured, e2e])
      expect(p?.sparsities).toEqual([0.5, 0.7, 0.9, 0.95, 0.99]);
    expect(one?.granularity).toBe('unstructured');
    expect(structured?.granularity).toBe('structured');
    expect(e2e?.granularity).toBe('structured');
    expect(one?.schedule.kind).toBe('one-shot');
    expect(structured?.schedule.kind).toBe('one-shot');
    expect(e2e?.schedule.kind).toBe('end-to-end');
    expect(one?.methods.map((m) => m.name).sort()).toEqual([
      'anomaly-activation',
      'anomaly-gradient',
      'learned',
      'magnitude',
      'random',
      'snip',
    ]);
    expect(structured?.methods.map((m) => m.name).sort()).toEqual([
      'anomaly-activation',
      'anomaly-gradient',
      'magnitude',
      'random',
    ]);
    expect(e2e?.methods.map((m) => m.name).sort()).toEqual([
      'anomaly-activation',
      'anomaly-gradient',
    ]);
    const attacks = plan('prune.json').cells[0].config.eval.attacks.map((a) => a.name);
    expect(attacks).toEqual(expect.arrayContaining(['pgd-linf', 'apgd-ce']));
    // the structured studies prune the three base models the unstructured study trained
    for (const f of ['prune-structured.json', 'prune-e2e.json'])
      expect(plan(f).cells.map((c) => c.config.model.load)).toEqual(
        [0, 1, 2].map((i) => `../../runs/studies/prune/cells/${i}/model.safetensors`),
      );
  });

  it('the LeNet pruning study is at the scale issue 12 asks (three bases, full data, every row)', () => {
    const cells = [...plan('prune-lenet.json').cells, ...plan('prune-lenet-robust.json').cells];
    const sparsities = new Set(cells.flatMap((c) => c.config.prune?.sparsities ?? []));
    expect([...sparsities].sort()).toEqual([0.5, 0.7, 0.9, 0.95, 0.99]);
    const rows = new Set(
      cells.map((c) => {
        const m = c.config.prune?.methods[0];
        return `${m?.name}|${m?.variant ?? ''}|${m?.dead ?? ''}|${m?.vsLambda ?? 0}`;
      }),
    );
    for (const want of [
      'anomaly-activation|naive||0', // the negative result
      'anomaly-activation|||0', // the dead rule (default on)
      'anomaly-learned|||0', // end to end
      'anomaly-learned|||0.5', // end to end with vulnerability suppression
      'magnitude|||0',
      'magnitude||first|0',
      'learned|||0', // HYDRA from |w|
      'learned||first|0',
      'snip|||0',
      'random|||0',
    ])
      expect(rows, want).toContain(want);
    const bases = new Set(cells.map((c) => c.config.model.load));
    expect(bases.size).toBe(3);
    for (const c of cells) {
      expect(c.config.data).not.toHaveProperty('trainLimit'); // the full training split
      expect(c.config.prune?.fineTune.epochs).toBeGreaterThanOrEqual(1);
      expect(c.config.prune?.fineTune.objective.kind).toBe('pgd-at');
      expect(c.config.eval.cleanN).toBe(10000);
      expect(c.config.eval.n).toBeGreaterThanOrEqual(1000);
      const attacks = c.config.eval.attacks.map((a) => a.name);
      expect(attacks).toContain('pgd-linf');
      const high = c.config.prune?.sparsities.some((s) => s === 0.9 || s === 0.95);
      if (high) expect(attacks).toEqual(expect.arrayContaining(['apgd-ce', 'square']));
    }
  });

  it('the transfer study runs on a standard and on an adversarially trained base', () => {
    const p = plan('transfer.json');
    const bases = new Set(p.cells.map((c) => c.config.train?.objective.kind));
    expect([...bases].sort()).toEqual(['pgd-at', 'standard']);
    for (const c of p.cells) {
      expect(c.config.transfer?.attacks.length).toBeGreaterThan(0);
      // the pruned models are fine-tuned the way their base was trained
      expect(c.config.prune?.fineTune.objective.kind).toBe(c.config.train?.objective.kind);
    }
  });
});
