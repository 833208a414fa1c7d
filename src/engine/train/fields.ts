/**
 * The option fields of the objective and schedule catalogs (objectives/catalog.ts,
 * schedules/catalog.ts): name, type, range, default and meaning as plain data, with a rule for
 * the defaults derived from other fields (PGD-AT's step 2.5·ε/steps). The zod schemas beside each
 * objective and schedule validate configs; tests/engine/train/catalogs.test.ts holds the two
 * together (same defaults, same bounds). No tfjs.
 */
import { markdownTable } from '../markdown-table';
import { citeMarkdown, type PaperRef } from '../papers';

/** A default computed from the resolved values of the other fields. */
export interface DerivedDefault {
  /** the rule as the docs and the UI write it, e.g. '2.5·ε/steps (Madry et al.)' */
  rule: string;
  of(values: Readonly<Record<string, number>>): number;
}

interface FieldBase {
  name: string;
  /** what the field means, with its unit */
  description: string;
}

/** One field of an objective or schedule config. */
export type TrainField = FieldBase &
  (
    | {
        type: 'number';
        /** absent: unbounded below */
        min?: number;
        /** when true the value must be > min */
        exclusiveMin?: boolean;
        max?: number;
        /** when true the value must be < max */
        exclusiveMax?: boolean;
        default?: number;
        /** a default computed from other fields (then `default` is absent) */
        derived?: DerivedDefault;
      }
    | { type: 'integer'; min: number; max?: number; default: number }
    | { type: 'boolean'; default: boolean }
    | { type: 'enum'; values: readonly string[]; default: string }
    /** strictly increasing integers ≥ min */
    | { type: 'integers'; min: number; default: readonly number[] }
  );

/** One kind of a train catalog (an objective or a schedule). */
export interface TrainKindInfo {
  /** the config's `kind`, e.g. 'pgd-at' */
  kind: string;
  /** what the Setup view shows */
  label: string;
  paper?: PaperRef;
  /** the loss or the learning rate as a formula (docs table) */
  formula: string;
  options: readonly TrainField[];
  /** what the fields do not say (docs table), e.g. a nested guard */
  note?: string;
}

/** The field `name` of `info`, or undefined. */
export function trainField(info: TrainKindInfo, name: string): TrainField | undefined {
  return info.options.find((f) => f.name === name);
}

/** The default of a number field: its `default`, else its derived rule over `values`. */
export function numberDefault(
  info: TrainKindInfo,
  name: string,
  values: Readonly<Record<string, number>> = {},
): number | undefined {
  const f = trainField(info, name);
  if (f?.type !== 'number') return f?.type === 'integer' ? f.default : undefined;
  return f.default ?? f.derived?.of(values);
}

/** A number as the docs write it: 1e-6 rather than 0.000001. */
const num = (v: number) => (v !== 0 && Math.abs(v) < 0.002 ? v.toExponential() : String(v));

/** `eps 0.1, steps 10, stepSize 2.5·ε/steps`: the defaults as the docs tables write them. */
export function defaultsText(info: TrainKindInfo): string {
  const parts = info.options.map((f) => {
    switch (f.type) {
      case 'number':
        return `${f.name} ${
          f.default !== undefined
            ? num(f.default)
            : (f.derived?.rule.replace(/ \(.*\)$/, '') ?? '—')
        }`;
      case 'enum':
        return `${f.name} '${f.default}'`;
      case 'integers':
        return `${f.name} [${f.default.join(', ')}]`;
      default:
        return `${f.name} ${String(f.default)}`;
    }
  });
  if (info.note) parts.push(info.note);
  return parts.join(', ');
}

/** The docs table of a train catalog: kind, label, formula, defaults, paper. */
export function trainKindTable(catalog: readonly TrainKindInfo[], formulaHead: string): string {
  return markdownTable(
    ['kind', 'label', formulaHead, 'defaults', 'paper'],
    catalog.map((k) => [
      `\`${k.kind}\``,
      k.label,
      k.formula,
      defaultsText(k),
      k.paper ? citeMarkdown(k.paper) : '',
    ]),
  );
}
