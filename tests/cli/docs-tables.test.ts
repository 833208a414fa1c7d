// The docs tables generated from the catalogs (src/cli/docs-tables.ts) match what the docs say:
// a catalog change without `npm run docs:tables` fails here, naming the page and the table.
import { describe, expect, it } from 'vitest';
import { DOC_TABLES, docTableStates } from '@/cli/docs-tables';
import { generatedMarkers, replaceGeneratedBlock } from '@/engine/markdown-table';

describe('docs tables', () => {
  it('every generated table in the docs equals its catalog rendering', async () => {
    const states = await docTableStates();
    expect(states.length).toBe(DOC_TABLES.length);
    for (const { table, current, generated } of states) {
      expect(current, `${table.page}: no '${generatedMarkers(table.id).begin}' block`).not.toBe(
        null,
      );
      expect(current, `${table.page}: table '${table.id}' is stale; run npm run docs:tables`).toBe(
        generated,
      );
    }
  });

  it('replaces exactly the marked block', () => {
    const page = 'a\n<!-- generated: t -->\nold\n<!-- end generated: t -->\nb\n';
    expect(replaceGeneratedBlock(page, 't', '| x |')).toBe(
      'a\n<!-- generated: t -->\n| x |\n<!-- end generated: t -->\nb\n',
    );
    expect(() => replaceGeneratedBlock(page, 'u', '')).toThrow(/no block/);
  });
});
