/**
 * Labelled form controls for the Setup view. A number field keeps what the user types while it
 * has focus and commits only valid values (a number in [min, max], an integer where asked; empty
 * means "engine default" for optional fields), so typing "0." never resets the input.
 */
import { useState, type ReactNode } from 'react';
import type { FieldSpec } from '../../store/setup';

interface NumberFieldProps {
  label: string;
  value: number | null;
  onChange(v: number | null): void;
  /** range and integrality, usually SETUP_FIELDS[key] */
  spec: Pick<FieldSpec<unknown>, 'min' | 'max' | 'int'>;
  /** empty is allowed and means "the engine's default" (shown as the placeholder) */
  placeholder?: string;
  /** a short explanation shown as a tooltip */
  title?: string;
  step?: number | 'any';
}

/** Whether `text` is a valid value; returns it (null for an allowed empty field) or undefined. */
function parse(
  text: string,
  spec: NumberFieldProps['spec'],
  optional: boolean,
): number | null | undefined {
  if (text.trim() === '') return optional ? null : undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) return undefined;
  if (spec.min !== undefined && v < spec.min) return undefined;
  if (spec.max !== undefined && v > spec.max) return undefined;
  if (spec.int && !Number.isInteger(v)) return undefined;
  return v;
}

export function NumberField({
  label,
  value,
  onChange,
  spec,
  placeholder,
  title,
  step,
}: NumberFieldProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const optional = placeholder !== undefined;
  const text = draft ?? (value === null ? '' : String(value));
  const invalid = draft !== null && parse(draft, spec, optional) === undefined;
  const range =
    spec.min !== undefined && spec.max !== undefined ? `${spec.min} to ${spec.max}` : '';
  return (
    <label className="field" title={title}>
      <span>{label}</span>
      <input
        type="number"
        value={text}
        placeholder={placeholder}
        step={step ?? (spec.int ? 1 : 'any')}
        min={spec.min}
        max={spec.max}
        aria-invalid={invalid}
        onFocus={() => setDraft(text)}
        onBlur={() => setDraft(null)}
        onChange={(e) => {
          setDraft(e.target.value);
          const v = parse(e.target.value, spec, optional);
          if (v !== undefined) onChange(v);
        }}
      />
      {invalid ? (
        <small className="field-error">
          {spec.int ? 'an integer' : 'a number'}
          {range ? ` from ${range}` : ''}
        </small>
      ) : null}
    </label>
  );
}

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  options: readonly T[];
  onChange(v: T): void;
  /** display text per option (defaults to the value) */
  names?: Partial<Record<T, string>>;
  title?: string;
}

export function SelectField<T extends string>({
  label,
  value,
  options,
  onChange,
  names,
  title,
}: SelectFieldProps<T>) {
  return (
    <label className="field" title={title}>
      <span>{label}</span>
      <select
        value={value}
        onChange={(e) => {
          const v = options.find((o) => o === e.target.value);
          if (v !== undefined) onChange(v);
        }}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {names?.[o] ?? o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A titled card of fields laid out in a responsive row. */
export function FieldCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card setup-card" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
