/**
 * The recipe form's model, without DOM or React: an operation's parameter schema (JSON Schema as
 * produced by zod's `z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })`) and its
 * hints become an ordered list of field descriptors; defaults become the form's first values; the
 * form's values (strings while typed) are checked and turned back into the params a recipe stores.
 *
 * Rules the JSON Schema cannot carry (AIXpose's "actions, a quick action or a prompt") are the
 * engine's to enforce: `recipes.create` answers with a sentence the editor shows.
 */

export type FieldKind =
  'enum' | 'multi-enum' | 'catalog' | 'multi-catalog' | 'number' | 'integer' | 'boolean' | 'text' | 'longtext';

export type OptionValue = string | number | boolean;

export interface FieldOption {
  value: OptionValue;
  label: string;
}

export interface ParamHint {
  label: string;
  help?: string;
  catalog?: string;
}

export interface FieldDescriptor {
  name: string;
  label: string;
  help?: string;
  kind: FieldKind;
  /** The schema's choices (enum, multi-enum; for a catalog field, the values the schema allows). */
  options?: FieldOption[];
  /** The catalog kind whose entries are the choices (catalog, multi-catalog). */
  catalog?: string;
  /** Numeric bounds (number, integer). */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  multipleOf?: number;
  /** Text length bounds (text, longtext, catalog). */
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** How many choices (multi-enum, multi-catalog, a text list). */
  minItems?: number;
  maxItems?: number;
  /** A text field that stands for a list of strings, typed separated by commas or new lines. */
  list?: boolean;
  default?: unknown;
  /** The caller must give it: required by the schema and without a default. */
  required: boolean;
  /** The schema accepts null as well. */
  nullable: boolean;
}

/** What a form control holds: typed text (numbers included), a checkbox, or a set of choices. */
export type FormValue = string | boolean | string[];
export type FormValues = Record<string, FormValue>;
/** The first problem of each field that has one, as a sentence. */
export type FieldErrors = Record<string, string>;

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

type JsonSchema = Record<string, unknown>;

/** Past this many characters a text parameter gets a multi-line box. */
export const LONG_TEXT_THRESHOLD = 200;
/** zod writes `.int()`'s bounds as the safe-integer range: no bound a user needs to see. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOptionValue(value: unknown): value is OptionValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < UNBOUNDED ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** "maxMegapixels" → "Max megapixels", "scene_location" → "Scene location". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ACRONYMS = new Set(['jpeg', 'jpg', 'png', 'webp', 'tiff', 'heic', 'url', 'hdr', 'ai', 'id']);

/**
 * Labels for a set of enum values: word-like sets read as words ("real_estate" → "Real estate",
 * "jpeg" → "JPEG"); anything else ("2K", "16:9", "gpt-low", 2) is shown as it is.
 */
export function optionLabels(values: readonly OptionValue[]): string[] {
  const wordLike = values.every((value) => typeof value === 'string' && /^[a-z]+(_[a-z]+)*$/.test(value));
  return values.map((value) => {
    if (!wordLike || typeof value !== 'string') return String(value);
    if (ACRONYMS.has(value)) return value.toUpperCase();
    return humanize(value);
  });
}

function toOptions(values: readonly OptionValue[]): FieldOption[] {
  const labels = optionLabels(values);
  return values.map((value, index) => ({ value, label: labels[index] ?? String(value) }));
}

/** Follows a local `$ref` (`#/$defs/Name`, `#/definitions/Name`) against the root schema. */
function resolve(schema: unknown, root: JsonSchema, depth = 0): JsonSchema {
  if (!isRecord(schema)) return {};
  const ref = schema.$ref;
  if (typeof ref !== 'string' || depth > 20) return schema;
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const defs = match ? root[match[1] ?? ''] : undefined;
  const target = match && isRecord(defs) ? defs[decodeURIComponent(match[2] ?? '')] : undefined;
  const { $ref: _ref, ...rest } = schema;
  return { ...resolve(target, root, depth + 1), ...rest };
}

interface Variant {
  /** The non-null alternatives, flattened out of nested anyOf/oneOf. */
  alternatives: JsonSchema[];
  nullable: boolean;
}

function flatten(schema: JsonSchema, root: JsonSchema, depth = 0): Variant {
  const resolved = resolve(schema, root);
  const union = Array.isArray(resolved.anyOf) ? resolved.anyOf : Array.isArray(resolved.oneOf) ? resolved.oneOf : null;
  if (union && depth < 10) {
    const { anyOf: _anyOf, oneOf: _oneOf, ...outer } = resolved;
    let nullable = false;
    const alternatives: JsonSchema[] = [];
    for (const member of union) {
      const inner = flatten({ ...outer, ...resolve(member, root) }, root, depth + 1);
      nullable ||= inner.nullable;
      alternatives.push(...inner.alternatives);
    }
    return { alternatives, nullable };
  }
  const type = resolved.type;
  if (type === 'null') return { alternatives: [], nullable: true };
  if (Array.isArray(type)) {
    const types = type.filter((entry): entry is string => typeof entry === 'string' && entry !== 'null');
    const nullable = types.length < type.length;
    if (types.length === 0) return { alternatives: [], nullable };
    return { alternatives: types.map((entry) => ({ ...resolved, type: entry })), nullable };
  }
  if (Array.isArray(resolved.enum) && resolved.enum.includes(null)) {
    return {
      alternatives: [{ ...resolved, enum: resolved.enum.filter((entry) => entry !== null) }],
      nullable: true,
    };
  }
  return { alternatives: [resolved], nullable: false };
}

/** The fixed choices of a schema (enum or const), or null when it is open. */
function choicesOf(schema: JsonSchema): OptionValue[] | null {
  if (Array.isArray(schema.enum)) return schema.enum.filter(isOptionValue);
  if ('const' in schema && isOptionValue(schema.const)) return [schema.const];
  return null;
}

/** A union made only of enums and constants ("2 or 4") is one enum. */
function unionChoices(alternatives: JsonSchema[]): OptionValue[] | null {
  const values: OptionValue[] = [];
  for (const alternative of alternatives) {
    const choices = choicesOf(alternative);
    if (!choices) return null;
    for (const choice of choices) if (!values.includes(choice)) values.push(choice);
  }
  return values;
}

function isLongText(name: string, maxLength: number | undefined): boolean {
  if (maxLength !== undefined && maxLength > LONG_TEXT_THRESHOLD) return true;
  return /^(prompt|description)$/i.test(name) || /(Prompt|Description)$/.test(name);
}

type Shape = Omit<FieldDescriptor, 'name' | 'label' | 'help' | 'default' | 'required' | 'nullable'>;

function shapeOf(name: string, variant: Variant, hint: ParamHint | undefined, root: JsonSchema): Shape | null {
  const { alternatives } = variant;
  const catalog = hint?.catalog;
  if (alternatives.length === 0) return null;
  const union = alternatives.length > 1 ? unionChoices(alternatives) : null;
  if (alternatives.length > 1 && !union) return null;
  const schema = alternatives[0] ?? {};
  const choices = union ?? choicesOf(schema);

  if (choices) {
    if (choices.length === 0) return null;
    if (catalog && choices.every((choice) => typeof choice === 'string')) {
      return { kind: 'catalog', catalog, options: toOptions(choices) };
    }
    return { kind: 'enum', options: toOptions(choices) };
  }

  switch (schema.type) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'integer':
    case 'number': {
      const shape: Shape = { kind: schema.type === 'integer' ? 'integer' : 'number' };
      const minimum = finite(schema.minimum);
      const maximum = finite(schema.maximum);
      const exclusiveMinimum = finite(schema.exclusiveMinimum);
      const exclusiveMaximum = finite(schema.exclusiveMaximum);
      if (exclusiveMinimum !== undefined && (minimum === undefined || exclusiveMinimum >= minimum)) {
        shape.min = exclusiveMinimum;
        shape.exclusiveMin = true;
      } else if (minimum !== undefined) shape.min = minimum;
      if (exclusiveMaximum !== undefined && (maximum === undefined || exclusiveMaximum <= maximum)) {
        shape.max = exclusiveMaximum;
        shape.exclusiveMax = true;
      } else if (maximum !== undefined) shape.max = maximum;
      const multipleOf = finite(schema.multipleOf);
      if (multipleOf !== undefined && multipleOf > 0) shape.multipleOf = multipleOf;
      return shape;
    }
    case 'string': {
      const minLength = count(schema.minLength);
      const maxLength = count(schema.maxLength);
      const shape: Shape = catalog
        ? { kind: 'catalog', catalog }
        : { kind: isLongText(name, maxLength) ? 'longtext' : 'text' };
      if (minLength !== undefined) shape.minLength = minLength;
      if (maxLength !== undefined) shape.maxLength = maxLength;
      if (typeof schema.pattern === 'string') shape.pattern = schema.pattern;
      return shape;
    }
    case 'array': {
      const items = flatten(resolve(schema.items, root), root);
      if (items.nullable) return null;
      const itemChoices =
        items.alternatives.length > 1 ? unionChoices(items.alternatives) : choicesOf(items.alternatives[0] ?? {});
      let shape: Shape;
      if (itemChoices && itemChoices.length > 0) {
        shape =
          catalog && itemChoices.every((choice) => typeof choice === 'string')
            ? { kind: 'multi-catalog', catalog, options: toOptions(itemChoices) }
            : { kind: 'multi-enum', options: toOptions(itemChoices) };
      } else if (items.alternatives.length === 1 && items.alternatives[0]?.type === 'string') {
        shape = catalog ? { kind: 'multi-catalog', catalog } : { kind: 'text', list: true };
      } else {
        return null;
      }
      const minItems = count(schema.minItems);
      const maxItems = count(schema.maxItems);
      if (minItems !== undefined) shape.minItems = minItems;
      if (maxItems !== undefined) shape.maxItems = maxItems;
      return shape;
    }
    default:
      return null;
  }
}

/**
 * The fields of an operation's form, in the schema's order. Parameters the form cannot edit
 * (objects, `{}` for what JSON Schema cannot say) are left out; `unsupportedParams` names them.
 */
export function describeFields(paramsSchema: unknown, hints: Record<string, ParamHint> = {}): FieldDescriptor[] {
  if (!isRecord(paramsSchema)) return [];
  const root = paramsSchema;
  const schema = resolve(paramsSchema, root);
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((n) => typeof n === 'string') : []);
  const fields: FieldDescriptor[] = [];
  for (const [name, raw] of Object.entries(properties)) {
    const property = resolve(raw, root);
    const hint = Object.hasOwn(hints, name) ? hints[name] : undefined;
    const variant = flatten(property, root);
    const shape = shapeOf(name, variant, hint, root);
    if (!shape) continue;
    const hasDefault = 'default' in property;
    const help = hint?.help ?? (typeof property.description === 'string' ? property.description : undefined);
    fields.push({
      name,
      label: hint?.label ?? humanize(name),
      ...(help ? { help } : {}),
      ...shape,
      ...(hasDefault ? { default: property.default } : {}),
      required: required.has(name) && !hasDefault,
      nullable: variant.nullable,
    });
  }
  return fields;
}

/** The parameters of a schema that `describeFields` leaves out; their stored values are kept as they are. */
export function unsupportedParams(paramsSchema: unknown, fields: readonly FieldDescriptor[]): string[] {
  if (!isRecord(paramsSchema) || !isRecord(paramsSchema.properties)) return [];
  const known = new Set(fields.map((field) => field.name));
  return Object.keys(paramsSchema.properties).filter((name) => !known.has(name));
}

/** The key an option has in a form (a `<select>` value): its value as a string. */
export function optionKey(value: OptionValue): string {
  return String(value);
}

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

function valueOf(field: FieldDescriptor, values: FormValues): FormValue {
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

function fitsText(field: FieldDescriptor, text: string): boolean {
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
