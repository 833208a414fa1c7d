// checkSpec on hostile specs: cyclic, deeply nested, huge, BigInt, NaN, throwing getters and
// proxies, too many layers. Every one must end in a SpecError with a short message, quickly.
import { describe, expect, it } from 'vitest';
import { SpecError } from '@/engine/model/errors';
import { checkSpec, MAX_LAYERS, quoteValue } from '@/engine/model/validate';

const good = () => ({
  name: 'm',
  inputShape: [8, 8, 1] as unknown,
  numClasses: 4 as unknown,
  layers: [
    { kind: 'flatten', name: 'f' },
    { kind: 'dense', name: 'fc', units: 4 },
  ] as unknown[],
});

function specError(spec: unknown): SpecError {
  const t0 = performance.now();
  let err: unknown;
  try {
    checkSpec(spec);
  } catch (e) {
    err = e;
  }
  expect(performance.now() - t0).toBeLessThan(500);
  expect(err).toBeInstanceOf(SpecError);
  const e = err as SpecError;
  expect(e.message.length).toBeLessThan(300);
  return e;
}

function deep(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

describe('checkSpec quotes hostile values safely', () => {
  it('accepts a good spec', () => {
    expect(() => checkSpec(good())).not.toThrow();
  });

  it('cyclic, deep, huge, BigInt, NaN', () => {
    const cyclic: unknown[] = [1, 2];
    cyclic.push(cyclic);
    const s1 = good();
    s1.inputShape = cyclic;
    expect(specError(s1).message).toMatch(
      /inputShape\[2\] must be an integer .* got \[1, 2, \[1, 2, \[3 items\]\]\]$/,
    );
    const s2 = good();
    s2.numClasses = deep(200_000); // JSON.stringify overflows the stack on this
    expect(() => JSON.stringify(s2.numClasses)).toThrow(RangeError);
    expect(specError(s2).message).toMatch(/numClasses .* got \[\[\[1 items\]\]\]/);
    const s3 = good();
    s3.inputShape = Array.from({ length: 1_000_000 }, (_, i) => i);
    expect(specError(s3).message).toMatch(/got \[0, 1, 2, 3, … 1000000 items\]/);
    const s4 = good();
    s4.numClasses = 10n; // JSON.stringify throws a TypeError on BigInt
    expect(specError(s4).message).toMatch(/got 10n$/);
    const s5 = good();
    s5.numClasses = NaN;
    expect(specError(s5).message).toMatch(/got NaN$/); // JSON.stringify would say null
    const s6 = good();
    s6.layers = [{ kind: 'x'.repeat(10_000_000), name: 'a' }];
    expect(specError(s6).message).toMatch(/unknown layer kind "x{57}"…$/);
    const s7 = good();
    s7.layers = [{ kind: 'dense', name: 'fc', units: 4, activation: { a: 1, b: { c: { d: 1 } } } }];
    expect(specError(s7).message).toMatch(/got \{"a": 1, "b": \{"c": \{…\}\}\}$/);
  });

  it('throwing getters, toJSON and revoked proxies', () => {
    const s1 = good();
    s1.numClasses = {
      toJSON() {
        throw new Error('toJSON boom');
      },
    };
    expect(specError(s1).message).toMatch(/numClasses .* got \{"toJSON": a function\}/);
    const s2 = good();
    s2.numClasses = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('getter boom');
      },
    });
    expect(specError(s2).message).toMatch(/numClasses .* got an unreadable value/);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const s3 = good();
    s3.layers = [{ kind: 'conv2d', name: 'c', filters: 4, kernelSize: 3, padding: proxy }];
    expect(specError(s3).message).toMatch(/padding must be one of .* got an unreadable value/);
    const s4 = Object.defineProperty(good(), 'layers', {
      get() {
        throw new Error('layers boom');
      },
    });
    expect(specError(s4).message).toBe('spec could not be read: "layers boom"');
  });

  it('refuses more than MAX_LAYERS layers without walking them', () => {
    const s = good();
    s.layers = new Array(2 ** 30); // sparse: forEach would walk a billion holes
    expect(specError(s).message).toBe(`spec.layers has ${2 ** 30} entries, at most ${MAX_LAYERS}`);
  });

  it('quoteValue: bounded, never throws', () => {
    expect(quoteValue(-0)).toBe('-0');
    expect(quoteValue(undefined)).toBe('undefined');
    expect(quoteValue(Symbol('s'))).toBe('a symbol');
    expect(quoteValue('a'.repeat(1000)).length).toBeLessThanOrEqual(64);
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    expect(quoteValue(wide)).toBe('{"k0": 0, "k1": 1, "k2": 2, "k3": 3, …}');
  });
});
