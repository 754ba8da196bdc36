/**
 * Arguments for the contract fuzz test, generated from each method's JSON Schema (zod's own
 * rendering of the argument schema): well-formed values drawn from pools of hostile but legal
 * strings, ids, paths and addresses, and malformed ones made by one mutation of a well-formed
 * value. Everything is drawn from one seeded generator, so a failing run can be replayed.
 */

export type JsonSchema = { [key: string]: unknown };
export type Rng = () => number;

export interface Pools {
  /** Ids of things that exist (shoots, assets, jobs, recipes, variants, presets, hot folders…). */
  ids: readonly string[];
  shootIds: readonly string[];
  assetIds: readonly string[];
  providers: readonly string[];
  operations: readonly string[];
  /** Paths: the data folder, a FIFO, a symlink loop, `/`, `..`, fresh folders… */
  paths: readonly string[];
  urls: readonly string[];
  /** Whole values for free-form fields (an export preset, operation settings). */
  presets: readonly unknown[];
  presetIds: readonly string[];
  params: readonly Record<string, unknown>[];
}

/** Strings that are legal where any string is, and have broken code before. */
export const HOSTILE_STRINGS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '/',
  '..',
  '../../etc/passwd',
  '.',
  '%2e%2e%2f',
  'C:\\Windows\\System32',
  '\\\\server\\share',
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  '0',
  '-1',
  '1e309',
  'a'.repeat(199),
  'Fotó café 写真',
  '🏠📸🌅',
  'مرحبا بالعالم',
  'zero\u200bwidth',
  'nul\u0000byte',
  'lone \ud800 surrogate',
  'line\nbreak\r\n',
  '<script>alert(1)</script>',
  "'; DROP TABLE jobs; --",
  '${process.env.HOME}',
  '{{7*7}}',
  'shootline-test',
  'my.bucket-1',
  'us-east-1',
  'AKIAEXAMPLE',
  'shootline/',
];

const KEY_POOL = ['__proto__', 'constructor', 'preset', 'variants', 'actions', 'factor', 'x', 'a'.repeat(100), '🔑'];

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;

/** A value the schema accepts, as far as the JSON Schema can say (refinements may still refuse it). */
export function generateValid(schema: JsonSchema, rng: Rng, pools: Pools, field = '', depth = 0): unknown {
  if (Array.isArray(schema.anyOf))
    return generateValid(pick(rng, schema.anyOf as JsonSchema[]), rng, pools, field, depth);
  if (Array.isArray(schema.oneOf))
    return generateValid(pick(rng, schema.oneOf as JsonSchema[]), rng, pools, field, depth);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return pick(rng, schema.enum);
  switch (schema.type) {
    case 'object':
      return generateObject(schema, rng, pools, field, depth);
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 8, min + 5);
      const length = min + Math.floor(rng() * (max - min + 1));
      const items = (schema.items ?? {}) as JsonSchema;
      const element = field.endsWith('s') ? field.slice(0, -1) : field;
      return Array.from({ length }, () => generateValid(items, rng, pools, element, depth + 1));
    }
    case 'string':
      return generateString(schema, rng, pools, field);
    case 'integer':
    case 'number':
      return generateNumber(schema, rng);
    case 'boolean':
      return chance(rng, 0.5);
    case 'null':
      return null;
    default:
      return freeForm(rng, pools, field, depth);
  }
}

function generateObject(schema: JsonSchema, rng: Rng, pools: Pools, field: string, depth: number): unknown {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const value: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (required.has(name) || chance(rng, 0.6)) value[name] = generateValid(property, rng, pools, name, depth + 1);
  }
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) {
    if (field === 'params' && chance(rng, 0.6)) return { ...pick(rng, pools.params) };
    const count = Math.floor(rng() * 4);
    for (let index = 0; index < count; index += 1) {
      setOwn(
        value,
        pick(rng, KEY_POOL),
        generateValid((extra === true ? {} : extra) as JsonSchema, rng, pools, '', depth + 1),
      );
    }
  }
  return value;
}

function generateString(schema: JsonSchema, rng: Rng, pools: Pools, field: string): string {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 10_000;
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : null;
  const candidates = candidatesFor(field, schema, pools);
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const value = chance(rng, 0.75) ? pick(rng, candidates) : pick(rng, HOSTILE_STRINGS);
    if (value.length >= min && value.length <= max && (!pattern || pattern.test(value))) return value;
  }
  // Something of a legal length, if nothing in the pools fits.
  const length = Math.min(max, Math.max(min, 1 + Math.floor(rng() * 12)));
  return Array.from({ length }, () => pick(rng, [...'abcxyz019-_.Ωé'])).join('');
}

function candidatesFor(field: string, schema: JsonSchema, pools: Pools): readonly string[] {
  const name = field.toLowerCase();
  if (schema.format === 'uri' || name.endsWith('url') || name === 'endpoint') return pools.urls;
  if (name === 'provider') return pools.providers;
  if (name === 'operation') return pools.operations;
  if (name === 'shootid') return [...pools.shootIds, ...pools.ids];
  if (name === 'assetid') return [...pools.assetIds, ...pools.ids];
  if (name === 'presetid') return [...pools.presetIds, ...pools.ids];
  if (name === 'id' || name.endsWith('id')) return pools.ids;
  if (name === 'path' || name.endsWith('root') || name.endsWith('folder') || name.endsWith('path')) return pools.paths;
  return HOSTILE_STRINGS;
}

function generateNumber(schema: JsonSchema, rng: Rng): number {
  const integer = schema.type === 'integer';
  const exclusiveMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const min = typeof schema.minimum === 'number' ? schema.minimum : exclusiveMin !== undefined ? exclusiveMin : -1e6;
  const max = typeof schema.maximum === 'number' ? Math.min(schema.maximum, 1e9) : 1e6;
  const low = exclusiveMin !== undefined ? min + (integer ? 1 : 0.5) : min;
  const candidates = [low, max, 0, 1, 2, 3, 100, low + (max - low) * rng()].filter((n) => n >= low && n <= max);
  const value = pick(rng, candidates.length > 0 ? candidates : [low]);
  return integer ? Math.round(value) : value;
}

function freeForm(rng: Rng, pools: Pools, field: string, depth: number): unknown {
  if (field === 'preset' && pools.presets.length > 0 && chance(rng, 0.7))
    return mutateDeep(pick(rng, pools.presets), rng);
  if (depth > 3) return pick(rng, [null, 1, 'x', true]);
  return pick(rng, [
    null,
    0,
    -1,
    1.5,
    true,
    'text',
    [],
    {},
    [1, 'two', null],
    { nested: { deeper: [1, 2, 3] } },
    pick(rng, HOSTILE_STRINGS),
  ]);
}

/** A copy of a real value (an export preset) with one field changed, so validation deep inside runs. */
function mutateDeep(value: unknown, rng: Rng): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  if (chance(rng, 0.5)) return copy;
  const keys = Object.keys(copy);
  if (keys.length === 0) return copy;
  copy[pick(rng, keys)] = pick(rng, [null, -1, 'x'.repeat(300), {}, [], 1e12, '__proto__', true]);
  return copy;
}

/** Numbers JSON cannot spell are written into the frame text as these, then replaced by literals. */
export const RAW_NUMBERS: Readonly<Record<string, string>> = {
  '\u0000inf\u0000': '1e309',
  '\u0000-inf\u0000': '-1e309',
  '\u0000tiny\u0000': '1e-400',
  '\u0000unsafe\u0000': '9007199254740993',
  '\u0000huge\u0000': '1.7976931348623157e308',
};

/** One malformed version of a well-formed value. */
export function malformed(schema: JsonSchema, valid: unknown, rng: Rng): unknown {
  const mutation = Math.floor(rng() * 9);
  if (mutation === 0) return pick(rng, [null, [], 'args', 42, true]);
  if (typeof valid !== 'object' || valid === null || Array.isArray(valid)) return { unexpected: 1 };
  const copy = { ...(valid as Record<string, unknown>) };
  const properties = Object.keys(schema.properties ?? {});
  const required = (schema.required ?? []) as string[];
  const target = properties.length > 0 ? pick(rng, properties) : null;
  switch (mutation) {
    case 1:
      if (required.length > 0) delete copy[pick(rng, required)];
      else setOwn(copy, pick(rng, ['extra', '__proto__', 'constructor']), 1);
      return copy;
    case 2:
      setOwn(copy, pick(rng, ['extra', '__proto__', 'constructor', 'then']), pick(rng, [1, {}, 'x']));
      return copy;
    case 3:
      if (target) copy[target] = pick(rng, [42, true, null, [], {}, 'wrong', [[[]]]]);
      return copy;
    case 4:
      if (target) copy[target] = 'x'.repeat(100_000 + Math.floor(rng() * 800_000));
      return copy;
    case 5:
      if (target) copy[target] = pick(rng, Object.keys(RAW_NUMBERS));
      return copy;
    case 6:
      if (target) copy[target] = pick(rng, ['\ud800', '\u0000', '🏠'.repeat(5000), '\u202e\u202d', '\uffff']);
      return copy;
    case 7:
      if (target) copy[target] = deepNesting(200);
      return copy;
    default:
      if (target) copy[target] = Array.from({ length: 5000 }, (_, index) => index);
      return copy;
  }
}

function deepNesting(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value;
}

/** Sets an own property, even one called `__proto__` (which plain assignment would not make). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The frame text, with the placeholders for numbers JSON cannot spell replaced by their literals. */
export function frameText(frame: unknown): string {
  let text = JSON.stringify(frame);
  for (const [placeholder, literal] of Object.entries(RAW_NUMBERS)) {
    text = text.split(JSON.stringify(placeholder)).join(literal);
  }
  return text;
}
