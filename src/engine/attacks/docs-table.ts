/**
 * The attack table of docs/attacks.md, generated from the catalog (catalog.ts): every attack,
 * built-in or registered, with its label, file, norm, kind, update rule and Fashion-MNIST
 * defaults. No tfjs. `npm run docs:tables` writes it; tests/cli/docs-tables.test.ts checks it.
 */
import { markdownTable } from '../markdown-table';
import { attackCatalog, attackDefaults } from './catalog';

const NORM = { linf: 'L∞', l2: 'L2' } as const;

/** `eps 0.1, steps 20, …`: an attack's full options at the Fashion-MNIST budget. */
function defaultsText(name: string): string {
  return Object.entries(attackDefaults(name, 'fashion-mnist'))
    .map(([k, v]) => `${k} ${typeof v === 'string' ? `'${v}'` : String(v)}`)
    .join(', ');
}

/** The markdown table of every attack in the catalog, in catalog order. */
export function attackTableMarkdown(): string {
  return markdownTable(
    ['name', 'label', 'file', 'norm', 'kind', 'update', 'defaults (Fashion-MNIST)'],
    attackCatalog().map((a) => [
      `\`${a.name}\``,
      a.label,
      a.file,
      NORM[a.norm],
      a.kind,
      a.update,
      defaultsText(a.name),
    ]),
  );
}
