/** The labelled controls every part of the preset editor is built from. */

import { useId } from 'react';
import type { PresetDraft } from './export-model';

export type Change = (patch: Partial<PresetDraft>) => void;

/** A control with its label above it, tied by id so the label alone is the control's accessible name. */
export function Field(props: {
  label: string;
  hint?: string;
  wide?: boolean;
  children: (id: string, hintId: string | undefined) => React.ReactNode;
}): React.JSX.Element {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <div className={props.wide ? 'export-field export-field-wide' : 'export-field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, hintId)}
      {props.hint ? (
        <small id={hintId} className="muted">
          {props.hint}
        </small>
      ) : null}
    </div>
  );
}

export function Choice<T extends string>(props: {
  label: string;
  value: T;
  options: readonly T[];
  labels: Record<T, string>;
  onChange: (value: T) => void;
  hint?: string;
}): React.JSX.Element {
  const { options, onChange } = props;
  return (
    <Field label={props.label} {...(props.hint ? { hint: props.hint } : {})}>
      {(id, hintId) => (
        <select
          id={id}
          aria-describedby={hintId}
          value={props.value}
          onChange={(event) => {
            const picked = options.find((option) => option === event.target.value);
            if (picked !== undefined) onChange(picked);
          }}
        >
          {options.map((option) => (
            <option key={option} value={option}>
              {props.labels[option]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function NumberField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  placeholder?: string;
  hint?: string;
}): React.JSX.Element {
  return (
    <Field label={props.label} {...(props.hint ? { hint: props.hint } : {})}>
      {(id, hintId) => (
        <input
          id={id}
          type="number"
          inputMode="decimal"
          aria-describedby={hintId}
          value={props.value}
          min={props.min}
          max={props.max}
          step={props.step ?? 'any'}
          placeholder={props.placeholder}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

export function Check(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}): React.JSX.Element {
  return (
    <label className="export-check">
      <input type="checkbox" checked={props.checked} onChange={(event) => props.onChange(event.target.checked)} />{' '}
      {props.label}
    </label>
  );
}
