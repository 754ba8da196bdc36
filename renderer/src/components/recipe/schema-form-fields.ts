/**
 * The recipe form model's first stage (see schema-form.ts): an operation's parameter schema (JSON
 * Schema as produced by zod's `z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })`)
 * and its hints become an ordered list of field descriptors. The whole schema interpretation ($ref,
 * unions, nullability, each type's keywords) lives here so it reads as one algorithm.
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

type JsonSchema = Record<string, unknown>;

/** Past this many characters a text parameter gets a multi-line box. */
export const LONG_TEXT_THRESHOLD = 200;
/** zod writes `.int()`'s bounds as the safe-integer range: no bound a user needs to see. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isOptionValue(value: unknown): value is OptionValue {
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
