// The engine–UI contract (src/workers/protocol.ts) must not pull tfjs onto the UI thread: every
// module it loads at run time (value imports and re-exports, transitively) is tfjs-free. Type-only
// imports are erased by the compiler and do not count.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/** Module specifiers a file loads at run time (not `import type` / `export type`). */
function runtimeImports(source: string): string[] {
  const out: string[] = [];
  const re =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) {
    if (m[5]) {
      out.push(m[5]);
      continue;
    }
    if (m[2]) continue; // import type / export type
    const clause = m[3].trim();
    // `{ type A, type B }` only: erased
    const inner = clause.match(/^\{([\s\S]*)\}$/);
    if (inner && inner[1].split(',').every((p) => !p.trim() || /^type\s/.test(p.trim()))) continue;
    out.push(m[4]);
  }
  return out;
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null; // a package
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')])
    if (existsSync(c) && c.match(/\.tsx?$/)) return c;
  throw new Error(`${from}: cannot resolve ${spec}`);
}

describe('src/workers/protocol.ts', () => {
  it('loads no tfjs at run time, however deep', () => {
    const seen = new Set<string>();
    const packages = new Map<string, string>();
    const todo = [path.join(ROOT, 'src/workers/protocol.ts')];
    while (todo.length) {
      const f = todo.pop() as string;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const spec of runtimeImports(readFileSync(f, 'utf8'))) {
        const r = resolve(f, spec);
        if (r) todo.push(r);
        else packages.set(spec, path.relative(ROOT, f));
      }
    }
    const tf = [...packages].filter(([p]) => p.startsWith('@tensorflow/'));
    expect(tf).toEqual([]);
    // the walk really followed the re-exports (catalogs, transfer tables, JSON guards)
    expect(seen.size).toBeGreaterThan(5);
    expect([...packages.keys()]).toContain('zod');
  });

  it('the walker sees a value import of tfjs (the check can fail)', () => {
    expect(runtimeImports("import * as tf from '@tensorflow/tfjs-core';")).toEqual([
      '@tensorflow/tfjs-core',
    ]);
    expect(runtimeImports("import type * as tf from '@tensorflow/tfjs-core';")).toEqual([]);
    expect(runtimeImports("import { type A, type B } from './x';")).toEqual([]);
    expect(runtimeImports("export { a, type B } from './y';")).toEqual(['./y']);
  });
});
