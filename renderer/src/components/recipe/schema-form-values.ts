/**
 * The form's values, apart from the schema they came from: defaults and stored params become the
 * form's first values, and the values (strings while typed) are checked and turned back into the
 * params a recipe stores.
 */

import { isOptionValue, optionKey, type FieldDescriptor } from './schema-form-fields';

/** What a form control holds: typed text (numbers included), a checkbox, or a set of choices. */
export type FormValue = string | boolean | string[];
export type FormValues = Record<string, FormValue>;
/** The first problem of each field that has one, as a sentence. */
export type FieldErrors = Record<string, string>;

function toFormValue(field: FieldDescriptor, source: unknown): FormValue {
  switch (field.kind) {
    case 'boolean':
      return source === true;
    case 'multi-enum':
    case 'multi-catalog': {
      if (!Array.isArray(source)) return [];
      const keys = source.filter(isOptionValue).map(optionKey);
      return [...new Set(keys)];
    }
    case 'number':
    case 'integer':
      return typeof source === 'number' && Number.isFinite(source) ? String(source) : '';
    case 'enum':
      return isOptionValue(source) && field.options?.some((option) => option.value === source) ? optionKey(source) : '';
    case 'catalog':
    case 'text':
    case 'longtext':
      if (field.list && Array.isArray(source)) return source.filter((item) => typeof item === 'string').join(', ');
      return typeof source === 'string' ? source : isOptionValue(source) ? String(source) : '';
  }
}

/** The form's first values: the stored params where given (editing a recipe), else the schema's defaults. */
export function initialValues(fields: readonly FieldDescriptor[], params: Record<string, unknown> = {}): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const given = Object.hasOwn(params, field.name) ? params[field.name] : undefined;
    values[field.name] = toFormValue(field, given !== undefined && given !== null ? given : field.default);
  }
  return values;
}

function emptyValue(field: FieldDescriptor): FormValue {
  switch (field.kind) {
    case 'boolean':
      return false;
    case 'multi-enum':
    case 'multi-catalog':
      return [];
    case 'enum':
    case 'catalog':
    case 'number':
    case 'integer':
    case 'text':
    case 'longtext':
      return '';
  }
}

/** A field's value in the form, or its empty value when the form has none. */
export function valueOf(field: FieldDescriptor, values: FormValues): FormValue {
  const value = Object.hasOwn(values, field.name) ? values[field.name] : undefined;
  return value ?? emptyValue(field);
}

function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}

type Coerced = { empty: true } | { empty: false; value: unknown } | { invalid: true };

function coerce(field: FieldDescriptor, value: FormValue): Coerced {
  switch (field.kind) {
    case 'boolean':
      return { empty: false, value: value === true };
    case 'multi-enum': {
      const chosen = Array.isArray(value) ? value : [];
      const mapped = (field.options ?? []).filter((option) => chosen.includes(optionKey(option.value)));
      return mapped.length === 0 ? { empty: true } : { empty: false, value: mapped.map((option) => option.value) };
    }
    case 'multi-catalog': {
      const chosen = Array.isArray(value) ? value.filter((item) => item !== '') : [];
      return chosen.length === 0 ? { empty: true } : { empty: false, value: chosen };
    }
    case 'number':
    case 'integer': {
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '') return { empty: true };
      const parsed = parseNumber(text);
      return parsed === undefined ? { invalid: true } : { empty: false, value: parsed };
    }
    case 'enum': {
      const key = typeof value === 'string' ? value : '';
      if (key === '') return { empty: true };
      const option = field.options?.find((candidate) => optionKey(candidate.value) === key);
      return option ? { empty: false, value: option.value } : { invalid: true };
    }
    case 'catalog':
    case 'text':
    case 'longtext': {
      const text = typeof value === 'string' ? value.trim() : '';
      if (field.list) {
        const items = splitList(text);
        return items.length === 0 ? { empty: true } : { empty: false, value: items };
      }
      return text === '' ? { empty: true } : { empty: false, value: text };
    }
  }
}

/**
 * The params a recipe stores. Empty optional fields are left out (the engine applies its
 * defaults); an unchecked optional checkbox without a default is left out too, so a preset's own
 * setting still applies. Numbers are parsed; text is trimmed; text lists are split.
 */
export function toParams(fields: readonly FieldDescriptor[], values: FormValues): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of fields) {
    const value = valueOf(field, values);
    if (field.kind === 'boolean') {
      if (value === true || field.required || 'default' in field) params[field.name] = value === true;
      continue;
    }
    const coerced = coerce(field, value);
    if ('invalid' in coerced) continue;
    if (!coerced.empty) params[field.name] = coerced.value;
    else if (field.required && field.nullable) params[field.name] = null;
  }
  return params;
}

function formatNumber(value: number): string {
  return String(value);
}

function rangeMessage(field: FieldDescriptor): string {
  const { label, min, max, exclusiveMin, exclusiveMax } = field;
  if (min !== undefined && max !== undefined && !exclusiveMin && !exclusiveMax) {
    return `${label} must be between ${formatNumber(min)} and ${formatNumber(max)}.`;
  }
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${exclusiveMin ? 'greater than' : 'at least'} ${formatNumber(min)}`);
  if (max !== undefined) parts.push(`${exclusiveMax ? 'less than' : 'at most'} ${formatNumber(max)}`);
  return `${label} must be ${parts.join(' and ')}.`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function isMultipleOf(value: number, step: number): boolean {
  const ratio = value / step;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9 * Math.max(1, Math.abs(ratio));
}

function validateField(field: FieldDescriptor, value: FormValue): string | null {
  const { label } = field;
  const coerced = coerce(field, value);
  if ('invalid' in coerced) {
    if (field.kind === 'enum') return `Choose one of the listed values for ${label}.`;
    return `${label} must be a number.`;
  }
  if (coerced.empty) {
    if (!field.required || field.nullable) return null;
    switch (field.kind) {
      case 'enum':
      case 'catalog':
        return `Choose ${label}.`;
      case 'multi-enum':
      case 'multi-catalog':
        return `Choose at least one for ${label}.`;
      case 'boolean':
      case 'number':
      case 'integer':
      case 'text':
      case 'longtext':
        return `${label} is required.`;
    }
  }
  const parsed = coerced.value;
  switch (field.kind) {
    case 'number':
    case 'integer': {
      if (typeof parsed !== 'number') return null;
      if (field.kind === 'integer' && !Number.isInteger(parsed)) return `${label} must be a whole number.`;
      const { min, max } = field;
      const low = min !== undefined && (field.exclusiveMin ? parsed <= min : parsed < min);
      const high = max !== undefined && (field.exclusiveMax ? parsed >= max : parsed > max);
      if (low || high) return rangeMessage(field);
      if (field.multipleOf !== undefined && !isMultipleOf(parsed, field.multipleOf)) {
        return `${label} must be a multiple of ${formatNumber(field.multipleOf)}.`;
      }
      return null;
    }
    case 'multi-enum':
    case 'multi-catalog':
      return itemsMessage(field, Array.isArray(parsed) ? parsed.length : 0);
    case 'catalog':
    case 'text':
    case 'longtext': {
      if (Array.isArray(parsed)) return itemsMessage(field, parsed.length);
      if (typeof parsed !== 'string') return null;
      const length = [...parsed].length;
      if (field.minLength !== undefined && length < field.minLength) {
        return `${label} must be at least ${plural(field.minLength, 'character', 'characters')}.`;
      }
      if (field.maxLength !== undefined && length > field.maxLength) {
        return `${label} must be at most ${plural(field.maxLength, 'character', 'characters')} (now ${length}).`;
      }
      if (field.pattern !== undefined && !matches(field.pattern, parsed)) {
        return `${label} is not in the expected form.`;
      }
      if (field.kind === 'catalog' && field.options && !field.options.some((option) => option.value === parsed)) {
        return `Choose one of the listed values for ${label}.`;
      }
      return null;
    }
    case 'enum':
    case 'boolean':
      return null;
  }
}

function itemsMessage(field: FieldDescriptor, chosen: number): string | null {
  if (field.minItems !== undefined && chosen < field.minItems) {
    return `Choose at least ${field.minItems} for ${field.label}.`;
  }
  if (field.maxItems !== undefined && chosen > field.maxItems) {
    return `Choose at most ${field.maxItems} for ${field.label} (now ${chosen}).`;
  }
  return null;
}

/** Whether a text meets the field's pattern and length rules (a catalog entry's id, say). */
export function fitsText(field: FieldDescriptor, text: string): boolean {
  if (field.pattern !== undefined && !matches(field.pattern, text)) return false;
  if (field.maxLength !== undefined && text.length > field.maxLength) return false;
  return field.minLength === undefined || text.length >= field.minLength;
}

function matches(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return true;
  }
}

/** Each field's first problem, as a sentence ("Variants must be between 1 and 4."); empty when all is well. */
export function validate(fields: readonly FieldDescriptor[], values: FormValues): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of fields) {
    const message = validateField(field, valueOf(field, values));
    if (message) errors[field.name] = message;
  }
  return errors;
}

export function isValid(errors: FieldErrors): boolean {
  return Object.keys(errors).length === 0;
}
