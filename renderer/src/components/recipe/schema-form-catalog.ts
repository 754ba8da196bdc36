/**
 * Catalog-backed fields: which catalog kinds a form needs, which entries apply to the current
 * choices, and what to do with chosen entries that stop applying.
 */

import { optionKey, type FieldDescriptor } from './schema-form-fields';
import { fitsText, valueOf, type FormValue, type FormValues } from './schema-form-values';

export interface CatalogEntryLike {
  kind: string;
  id: string;
  label: string;
  description?: string;
  group?: string;
  appliesTo?: string[];
}

export interface CatalogChoice {
  value: string;
  label: string;
  description?: string;
  group?: string;
}

export interface ChoiceGroup {
  /** null for choices without a group. */
  group: string | null;
  choices: CatalogChoice[];
}

/** The catalog kinds a form needs (empty: no catalog to load). */
export function catalogKinds(fields: readonly FieldDescriptor[]): string[] {
  return [...new Set(fields.flatMap((field) => (field.catalog ? [field.catalog] : [])))];
}

/**
 * The values an entry's `appliesTo` is compared with: the current choices of the plain enum
 * fields (AIXpose's scene type, "interior" or "exterior").
 */
export function catalogContext(fields: readonly FieldDescriptor[], values: FormValues): Set<string> {
  const context = new Set<string>();
  for (const field of fields) {
    if (field.kind !== 'enum') continue;
    const value = valueOf(field, values);
    if (typeof value === 'string' && value !== '') context.add(value);
  }
  return context;
}

function applies(entry: CatalogEntryLike, context: ReadonlySet<string>): boolean {
  if (!entry.appliesTo || entry.appliesTo.length === 0) return true;
  return entry.appliesTo.some((target) => context.has(target));
}

/**
 * A catalog field's choices: the entries of its kind that apply to the current choices, limited
 * to the values the schema allows when it lists them. Empty when the catalog has none of its kind.
 */
export function catalogChoices(
  field: FieldDescriptor,
  entries: readonly CatalogEntryLike[],
  context: ReadonlySet<string>,
): CatalogChoice[] {
  if (!field.catalog) return [];
  const allowed = field.options ? new Set(field.options.map((option) => optionKey(option.value))) : null;
  const seen = new Set<string>();
  const choices: CatalogChoice[] = [];
  for (const entry of entries) {
    if (entry.kind !== field.catalog || seen.has(entry.id)) continue;
    // Only what the recipe's schema will take: its listed values, else its pattern and length.
    if (allowed && !allowed.has(entry.id)) continue;
    if (!allowed && !fitsText(field, entry.id)) continue;
    if (!applies(entry, context)) continue;
    seen.add(entry.id);
    choices.push({
      value: entry.id,
      label: entry.label || entry.id,
      ...(entry.description ? { description: entry.description } : {}),
      ...(entry.group ? { group: entry.group } : {}),
    });
  }
  return choices;
}

export function hasCatalogKind(entries: readonly CatalogEntryLike[], kind: string | undefined): boolean {
  return kind !== undefined && entries.some((entry) => entry.kind === kind);
}

/** Choices by group, groups in the order they first appear; ungrouped choices form one group of their own. */
export function groupChoices(choices: readonly CatalogChoice[]): ChoiceGroup[] {
  const groups: ChoiceGroup[] = [];
  for (const choice of choices) {
    const name = choice.group ?? null;
    let group = groups.find((candidate) => candidate.group === name);
    if (!group) {
      group = { group: name, choices: [] };
      groups.push(group);
    }
    group.choices.push(choice);
  }
  return groups;
}

/**
 * After a choice changes what applies (another scene type) or the catalog arrives: drops
 * catalog choices that no longer apply. A single choice that must have a value (it has a default
 * or is required) moves to the first one that applies. Kinds the catalog lacks are left alone.
 */
export function pruneCatalogValues(
  fields: readonly FieldDescriptor[],
  values: FormValues,
  entries: readonly CatalogEntryLike[],
): FormValues {
  const context = catalogContext(fields, values);
  let next: FormValues | null = null;
  for (const field of fields) {
    if (!field.catalog || !hasCatalogKind(entries, field.catalog)) continue;
    const available = new Set(catalogChoices(field, entries, context).map((choice) => choice.value));
    const value = valueOf(field, values);
    let updated: FormValue = value;
    if (field.kind === 'multi-catalog' && Array.isArray(value)) {
      const kept = value.filter((id) => available.has(id));
      if (kept.length !== value.length) updated = kept;
    } else if (field.kind === 'catalog' && typeof value === 'string' && value !== '' && !available.has(value)) {
      const keepsAValue = field.required || ('default' in field && field.default !== null);
      updated = keepsAValue ? ([...available][0] ?? value) : '';
    }
    if (updated !== value) {
      next ??= { ...values };
      next[field.name] = updated;
    }
  }
  return next ?? values;
}
