/**
 * Seeded JSON mutators of the fuzz suite: wrong types, huge and non-finite numbers, deep nesting,
 * unknown keys (also `__proto__`), removed keys, long strings and arrays; text-level damage; and
 * a non-recursive JSON writer for the deep values.
 */
import type { Rng } from '@/engine/rng';
import { pick } from './mutate';

/** Nested arrays (or objects) `depth` levels deep: the stack-overflow probe. */
export function deepValue(depth: number, objects: boolean): unknown {
  let v: unknown = objects ? {} : [];
  for (let i = 0; i < depth; i++) v = objects ? { a: v } : [v];
  return v;
}

/** Replacement values of a JSON node, most of them of a wrong type or out of range. */
function interestingValue(rng: Rng, old: unknown, jsOnly: boolean): unknown {
  const options: (() => unknown)[] = [
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 0.5,
    () => 1.5,
    () => 2 ** 31,
    () => 2 ** 32 - 1,
    () => 2 ** 53,
    () => 1e308,
    () => -1e308,
    () => 5e-324,
    () => '',
    () => 'x',
    () => '3',
    () => 'x'.repeat(1 + rng.int(20_000)),
    () => [],
    () => {},
    () => [old, old],
    () => ({ value: old }),
    () => Array.from({ length: 1 + rng.int(2_000) }, () => 0),
    // shallow, or deep enough (> 5,000) to overflow a recursive JSON.stringify
    () => deepValue(rng.next() < 0.5 ? 1 + rng.int(100) : 6_000 + rng.int(6_000), rng.next() < 0.5),
    () => (typeof old === 'number' ? old * 2 : 2),
    () => (typeof old === 'number' ? -old : -2),
    () => (typeof old === 'number' ? old + 1 : 1),
    () => (typeof old === 'number' ? String(old) : old),
    () => (typeof old === 'string' ? old + 'x' : typeof old === 'object' ? 'x' : String(old)),
    () => (typeof old === 'string' ? old.slice(0, -1) : old),
  ];
  if (jsOnly)
    options.push(
      () => NaN,
      () => Infinity,
      () => -Infinity,
      () => -0,
      () => undefined,
    );
  return pick(rng, options)();
}

type Node = { parent: Record<string, unknown> | unknown[] | null; key: string | number };

function nodes(v: unknown, out: Node[], parent: Node['parent'], key: Node['key'], depth = 0): void {
  out.push({ parent, key });
  if (depth > 40 || typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) v.forEach((x, i) => nodes(x, out, v, i, depth + 1));
  else
    for (const [k, x] of Object.entries(v))
      nodes(x, out, v as Record<string, unknown>, k, depth + 1);
}

/**
 * One to three JSON-tree mutations of a deep copy of `value`: replace a node, delete it, add an
 * unknown key, or duplicate an array element. `jsOnly` also allows NaN, ±Infinity, -0 and
 * undefined (for loaders that take parsed values rather than text).
 */
export function mutateJson(
  rng: Rng,
  value: unknown,
  jsOnly = false,
): { value: unknown; how: string } {
  const root = { v: structuredClone(value) as unknown };
  const hows: string[] = [];
  const k = rng.next() < 0.7 ? 1 : 2 + rng.int(2);
  for (let i = 0; i < k; i++) {
    const all: Node[] = [];
    nodes(root.v, all, null, 'v');
    const { parent, key } = pick(rng, all);
    const container = (parent ?? root) as Record<string | number, unknown>;
    const old = container[key];
    const op = rng.int(10);
    if (op < 6) {
      container[key] = interestingValue(rng, old, jsOnly);
      hows.push(`set ${String(key)}`);
    } else if (op === 6 && parent !== null) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, unknown>)[key];
      hows.push(`delete ${String(key)}`);
    } else if (op === 7 && typeof old === 'object' && old !== null && !Array.isArray(old)) {
      // an own property, as JSON.parse makes it (plain assignment of '__proto__' would not)
      Object.defineProperty(old, pick(rng, ['extra', '__proto__', 'constructor', '']), {
        value: interestingValue(rng, 1, jsOnly),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      hows.push(`add key to ${String(key)}`);
    } else if (op === 8 && Array.isArray(old) && old.length > 0) {
      old.push(old[rng.int(old.length)]);
      hows.push(`duplicate element of ${String(key)}`);
    } else {
      container[key] = interestingValue(rng, old, jsOnly);
      hows.push(`set ${String(key)}`);
    }
  }
  return { value: root.v, how: hows.join('; ') };
}

/** Text-level JSON damage: non-JSON numbers, cut text, stray brackets, unbalanced nesting. */
export function mutateJsonText(rng: Rng, text: string): { text: string; how: string } {
  const at = rng.int(text.length + 1);
  const ins = pick(rng, ['NaN', 'Infinity', '-0', '1e999', '-1e999', '"', '{', ']', ',', '\u0000']);
  switch (rng.int(4)) {
    case 0:
      return { text: text.slice(0, at) + ins + text.slice(at), how: `insert ${ins} @${at}` };
    case 1:
      return { text: text.slice(0, at), how: `cut at ${at}` };
    case 2: {
      const d = rng.next() < 0.5 ? 1 + rng.int(100) : 6_000 + rng.int(6_000);
      return { text: '['.repeat(d) + text + ']'.repeat(d), how: `wrap ${d} deep` };
    }
    default:
      return { text: text.replace(/\d+/, () => pick(rng, ['NaN', '1e400', '-1'])), how: 'number' };
  }
}

/**
 * JSON.stringify without recursion: the deep values above overflow the native one. Non-finite
 * numbers become null and undefined members are left out, as JSON.stringify does.
 */
export function toJsonText(value: unknown): string {
  const out: string[] = [];
  const stack: ({ lit: string } | { v: unknown })[] = [{ v: value }];
  while (stack.length > 0) {
    const top = stack.pop() as { lit: string } | { v: unknown };
    if ('lit' in top) {
      out.push(top.lit);
      continue;
    }
    const v = top.v;
    if (typeof v !== 'object' || v === null) {
      out.push(v === undefined ? 'null' : (JSON.stringify(v) ?? 'null'));
      continue;
    }
    // pushed in reverse so that popping writes them in order (no spread: arrays may be long)
    const items: ({ lit: string } | { v: unknown })[] = [];
    if (Array.isArray(v)) {
      items.push({ lit: '[' });
      v.forEach((x, i) => {
        if (i > 0) items.push({ lit: ',' });
        items.push({ v: x });
      });
      items.push({ lit: ']' });
    } else {
      items.push({ lit: '{' });
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .forEach(([k, x], i) =>
          items.push({ lit: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` }, { v: x }),
        );
      items.push({ lit: '}' });
    }
    for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
  }
  return out.join('');
}
