import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseExperimentConfig, parseExperimentConfigText } from '@/engine/experiment';

const smoke = () =>
  JSON.parse(readFileSync('configs/smoke.json', 'utf8')) as Record<string, unknown>;

function issuesOf(value: unknown): string[] {
  try {
    parseExperimentConfig(value, 'test.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('config was accepted');
}

describe('experiment config validation', () => {
  it('accepts every committed config and fills defaults', () => {
    for (const f of readdirSync('configs').filter((n) => n.endsWith('.json'))) {
      const c = parseExperimentConfigText(readFileSync(`configs/${f}`, 'utf8'), f);
      expect(c.name.length).toBeGreaterThan(0);
      expect(c.eval.attacks.length).toBeGreaterThan(0);
      if (c.train) expect(c.train.validation.stepSize).toBeGreaterThan(0);
      else expect(c.model.load).toBeDefined();
    }
  });

  it('refuses an unknown field at the top level and nested, naming it', () => {
    expect(issuesOf({ ...smoke(), colour: 'red' }).join()).toMatch(/colour/);
    const s = smoke();
    (s.train as Record<string, unknown>).batchsize = 32;
    expect(issuesOf(s).join()).toMatch(/train.*batchsize/);
    const o = smoke();
    ((o.train as Record<string, unknown>).optimizer as Record<string, unknown>).lr = 0.1;
    expect(issuesOf(o).join()).toMatch(/train\.optimizer.*lr/);
    const m = smoke();
    (m.model as Record<string, unknown>).depth = 3;
    expect(issuesOf(m).join()).toMatch(/depth/);
  });

  it('refuses a wrong type, naming the field', () => {
    const s = smoke();
    (s.train as Record<string, unknown>).epochs = 'three';
    expect(issuesOf(s).join()).toMatch(/^train\.epochs: /);
  });

  it('refuses impossible values: negative ε, batch size 0, unknown attack, bad attack option', () => {
    const e = smoke();
    ((e.train as Record<string, unknown>).objective as Record<string, unknown>).eps = -0.1;
    expect(issuesOf(e).join()).toMatch(/train\.objective\.eps/);
    const b = smoke();
    (b.train as Record<string, unknown>).batchSize = 0;
    expect(issuesOf(b).join()).toMatch(/train\.batchSize/);
    const a = smoke();
    (a.eval as Record<string, unknown>).attacks = [{ name: 'deepfool' }];
    expect(issuesOf(a).join()).toMatch(/eval\.attacks\.0\.name/);
    const ao = smoke();
    (ao.eval as Record<string, unknown>).attacks = [{ name: 'pgd-linf', options: { eps: -1 } }];
    expect(issuesOf(ao).join()).toMatch(/eval\.attacks\.0\.options.*eps/);
    const n = smoke();
    (n.eval as Record<string, unknown>).n = 0;
    expect(issuesOf(n).join()).toMatch(/eval\.n/);
  });

  it('refuses a missing required field and bad JSON', () => {
    const s = smoke();
    delete s.model;
    expect(issuesOf(s).join()).toMatch(/^model: /);
    expect(() => parseExperimentConfigText('{"name": ', 'broken.json')).toThrow(
      /broken\.json[^]*not valid JSON/,
    );
  });
});
