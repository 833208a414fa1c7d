/**
 * Markdown tables for the docs, generated from the catalogs (attacks, architectures, objectives,
 * schedules) so a docs table never drifts from the code: `markdownTable` renders one, and
 * `replaceGeneratedBlock` swaps the block between `<!-- generated: ID -->` and
 * `<!-- end generated: ID -->` in a page (src/cli/docs-tables.ts, `npm run docs:tables`).
 */

/** A cell's text with pipes escaped and line breaks flattened. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

/** A markdown table: a header row, the `|---|` rule, one line per row; ends without a newline. */
export function markdownTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (r: readonly string[]) => `| ${r.map(cell).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** The markers around a generated block in a markdown page. */
export function generatedMarkers(id: string): { begin: string; end: string } {
  return { begin: `<!-- generated: ${id} -->`, end: `<!-- end generated: ${id} -->` };
}

/** The text between the markers of `id` (trimmed), or null when the page has no such block. */
export function generatedBlock(page: string, id: string): string | null {
  const { begin, end } = generatedMarkers(id);
  const i = page.indexOf(begin);
  const j = page.indexOf(end, i + begin.length);
  return i < 0 || j < 0 ? null : page.slice(i + begin.length, j).trim();
}

/** `page` with the block of `id` replaced by `content`; throws when the markers are missing. */
export function replaceGeneratedBlock(page: string, id: string, content: string): string {
  const { begin, end } = generatedMarkers(id);
  const i = page.indexOf(begin);
  const j = page.indexOf(end, i + begin.length);
  if (i < 0 || j < 0) throw new Error(`no block '${begin}' … '${end}' in the page`);
  return `${page.slice(0, i + begin.length)}\n${content}\n${page.slice(j)}`;
}
