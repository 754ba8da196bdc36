import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAixposeProvider } from '../../main/engine/providers/aixpose/index';
import type { OperationSpec } from '../../main/engine/providers/contract';
import { LOCAL_OPERATIONS } from '../../main/engine/providers/local/operations';
import { createProductaiProvider } from '../../main/engine/providers/productai/index';
import * as form from '../../renderer/src/components/recipe/schema-form';

type FieldDescriptor = form.FieldDescriptor;
type CatalogEntryLike = form.CatalogEntryLike;

/** The schema exactly as `providers.list` sends it. */
function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

function operationOf(operations: Record<string, OperationSpec>, name: string): OperationSpec {
  const spec = operations[name];
  if (!spec) throw new Error(`No operation ${name}.`);
  return spec;
}

function fieldsOf(spec: OperationSpec): FieldDescriptor[] {
  return form.describeFields(jsonSchema(spec.params), spec.hints);
}

function field(fields: FieldDescriptor[], name: string): FieldDescriptor {
  const found = fields.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`No field ${name}.`);
  return found;
}

const aixpose = createAixposeProvider();
const productai = createProductaiProvider();
const aixEnhance = operationOf(aixpose.operations, 'enhance');
const productGenerate = operationOf(productai.operations, 'generate');
const localEnhance = operationOf(LOCAL_OPERATIONS, 'enhance');
const localUpscale = operationOf(LOCAL_OPERATIONS, 'upscale');
const localListing = operationOf(LOCAL_OPERATIONS, 'resize-for-listing');

describe('describeFields on the real provider schemas', () => {
  it('turns AIXpose enhance into ordered fields with kinds, catalogs, bounds and defaults', () => {
    const fields = fieldsOf(aixEnhance);
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ['sceneType', 'enum'],
      ['sceneLocation', 'catalog'],
      ['actions', 'multi-catalog'],
      ['quickAction', 'catalog'],
      ['prompt', 'longtext'],
      ['variants', 'integer'],
      ['aspectRatio', 'catalog'],
      ['resolution', 'enum'],
      ['model', 'catalog'],
      ['upload', 'enum'],
    ]);
    expect(fields.every((f) => !f.required)).toBe(true);

    const sceneType = field(fields, 'sceneType');
    expect(sceneType.label).toBe('Scene');
    expect(sceneType.default).toBe('interior');
    expect(sceneType.options).toEqual([
      { value: 'interior', label: 'Interior' },
      { value: 'exterior', label: 'Exterior' },
    ]);

    expect(field(fields, 'sceneLocation')).toMatchObject({
      catalog: 'scene_location',
      default: 'living_room',
      minLength: 1,
      maxLength: 64,
    });
    expect(field(fields, 'actions')).toMatchObject({
      label: 'Actions',
      help: 'One per group, for the scene chosen.',
      catalog: 'action',
      maxItems: 8,
      default: [],
    });
    expect(field(fields, 'variants')).toMatchObject({ label: 'Variants', min: 1, max: 4, default: 2 });
    expect(field(fields, 'prompt').maxLength).toBe(2000);
    // The ratios come from AIXpose's catalog; the schema takes any W:H, and the field keeps its pattern.
    const aspect = field(fields, 'aspectRatio');
    expect(aspect.catalog).toBe('aspect_ratio');
    expect(aspect.options).toBeUndefined();
    expect(aspect.pattern).toBe('^[1-9]\\d?:[1-9]\\d?$');
    expect(aspect).not.toHaveProperty('default');
    expect(field(fields, 'resolution').options?.map((o) => o.label)).toEqual(['1K', '2K', '4K']);
    expect(field(fields, 'upload').options?.map((o) => o.label)).toEqual(['file', 'url', 'base64']);
  });

  it('makes every text of the AIXpose video long text (over 200 characters allowed)', () => {
    const fields = fieldsOf(operationOf(aixpose.operations, 'video'));
    expect(fields.map((f) => f.kind)).toEqual(['longtext', 'longtext', 'longtext', 'catalog']);
  });

  it('marks ProductAI’s prompt required and long, and keeps model names as they are', () => {
    const fields = fieldsOf(productGenerate);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['model', 'enum', false],
      ['prompt', 'longtext', true],
    ]);
    expect(field(fields, 'model').default).toBe('kontext-pro');
    expect(field(fields, 'model').options?.map((o) => o.label)).toContain('gpt-low');
    expect(field(fields, 'prompt').help).toBe('What the result should show.');
  });

  it('reads local enhance: a labelled preset, optional numbers with bounds, a boolean, a file format', () => {
    const fields = fieldsOf(localEnhance);
    expect(field(fields, 'preset').options?.map((o) => o.label)).toEqual(['Auto', 'Real estate', 'Product']);
    expect(field(fields, 'exposure')).toMatchObject({ kind: 'number', min: -2, max: 2, required: false });
    expect(field(fields, 'exposure')).not.toHaveProperty('default');
    expect(field(fields, 'noiseReduction').kind).toBe('boolean');
    expect(field(fields, 'output').options).toEqual([
      { value: 'jpeg', label: 'JPEG' },
      { value: 'png', label: 'PNG' },
    ]);
  });

  it('reads a union of numeric literals (upscale factor 2 or 4) as an enum of numbers', () => {
    const factor = field(fieldsOf(localUpscale), 'factor');
    expect(factor.kind).toBe('enum');
    expect(factor.options?.map((o) => o.value)).toEqual([2, 4]);
    expect(factor.default).toBe(2);
  });

  it('leaves no parameter of any real operation out of the form', () => {
    const all = [
      ...Object.values(aixpose.operations),
      ...Object.values(productai.operations),
      ...Object.values(LOCAL_OPERATIONS),
    ];
    for (const spec of all) {
      const schema = jsonSchema(spec.params);
      const fields = form.describeFields(schema, spec.hints);
      expect(form.unsupportedParams(schema, fields)).toEqual([]);
      for (const f of fields) expect(f.label).toBe(spec.hints[f.name]?.label ?? f.label);
    }
  });
});

describe('describeFields on other shapes zod writes', () => {
  const schema = z
    .object({
      mode: z.enum(['fast', 'careful']).nullable().optional(),
      kind: z.literal('only'),
      strength: z.number().positive().multipleOf(0.5),
      slug: z
        .string()
        .regex(/^[a-z]+$/)
        .describe('Lower case letters.'),
      tags: z.array(z.string()).optional(),
      colours: z
        .array(z.enum(['red', 'green', 'blue']))
        .min(1)
        .max(2),
      seed: z.number().int().nullish(),
      when: z.date().optional(),
      negativePrompt: z.string().max(100).optional(),
      flag: z.boolean().default(true),
    })
    .strict();
  const json = jsonSchema(schema);
  const fields = form.describeFields(json, {});

  it('unwraps nullable unions, constants, lists and ranges', () => {
    expect(field(fields, 'mode')).toMatchObject({ kind: 'enum', nullable: true, required: false, label: 'Mode' });
    expect(field(fields, 'kind')).toMatchObject({ kind: 'enum', required: true });
    expect(field(fields, 'kind').options).toEqual([{ value: 'only', label: 'Only' }]);
    expect(field(fields, 'strength')).toMatchObject({
      kind: 'number',
      min: 0,
      exclusiveMin: true,
      multipleOf: 0.5,
      required: true,
    });
    expect(field(fields, 'slug')).toMatchObject({ kind: 'text', pattern: '^[a-z]+$', help: 'Lower case letters.' });
    expect(field(fields, 'tags')).toMatchObject({ kind: 'text', list: true });
    expect(field(fields, 'colours')).toMatchObject({ kind: 'multi-enum', minItems: 1, maxItems: 2, required: true });
    // .int() writes the safe-integer range: not a bound to show.
    expect(field(fields, 'seed')).toMatchObject({ kind: 'integer', nullable: true });
    expect(field(fields, 'seed')).not.toHaveProperty('min');
    expect(field(fields, 'negativePrompt').kind).toBe('longtext');
    expect(field(fields, 'flag')).toMatchObject({ kind: 'boolean', default: true, required: false });
  });

  it('leaves out what a form cannot edit and says so', () => {
    expect(fields.map((f) => f.name)).not.toContain('when');
    expect(form.unsupportedParams(json, fields)).toEqual(['when']);
  });

  it('answers no fields for something that is not a schema', () => {
    expect(form.describeFields(null)).toEqual([]);
    expect(form.describeFields({ type: 'object' })).toEqual([]);
  });

  it('validates and coerces these shapes', () => {
    const values = {
      ...form.initialValues(fields),
      kind: 'only',
      strength: '0',
      slug: 'Not OK',
      tags: ' a, b ,, c\nd ',
      colours: ['red', 'green', 'blue'],
    };
    expect(form.validate(fields, values)).toEqual({
      strength: 'Strength must be greater than 0.',
      slug: 'Slug is not in the expected form.',
      colours: 'Choose at most 2 for Colours (now 3).',
    });
    const fixed = { ...values, strength: '1.5', slug: 'ok', colours: ['blue'] };
    expect(form.validate(fields, fixed)).toEqual({});
    expect(form.validate(fields, { ...fixed, strength: '1.2' })).toEqual({
      strength: 'Strength must be a multiple of 0.5.',
    });
    const params = form.toParams(fields, fixed);
    expect(params).toEqual({
      kind: 'only',
      strength: 1.5,
      slug: 'ok',
      tags: ['a', 'b', 'c', 'd'],
      colours: ['blue'],
      flag: true,
    });
    expect(schema.safeParse(params).success).toBe(true);
  });
});

describe('initial values', () => {
  it('come from the defaults, as the form holds them (numbers as text)', () => {
    expect(form.initialValues(fieldsOf(aixEnhance))).toEqual({
      sceneType: 'interior',
      sceneLocation: 'living_room',
      actions: [],
      quickAction: '',
      prompt: '',
      variants: '2',
      aspectRatio: '',
      resolution: '2K',
      model: '',
      upload: 'file',
    });
  });

  it('take a stored recipe’s params over the defaults, and ignore values the schema does not allow', () => {
    const fields = fieldsOf(localUpscale);
    expect(form.initialValues(fields, { factor: 4, maxMegapixels: 80, output: 'tiff' })).toEqual({
      factor: '4',
      maxMegapixels: '80',
      output: '',
    });
    const enhance = fieldsOf(localEnhance);
    expect(form.initialValues(enhance, { exposure: 0.5, noiseReduction: true })).toMatchObject({
      preset: 'auto',
      exposure: '0.5',
      contrast: '',
      noiseReduction: true,
    });
  });
});

describe('toParams', () => {
  it('sends AIXpose enhance’s defaults, leaving out empty optional fields', () => {
    const fields = fieldsOf(aixEnhance);
    const params = form.toParams(fields, form.initialValues(fields));
    expect(params).toEqual({
      sceneType: 'interior',
      sceneLocation: 'living_room',
      variants: 2,
      resolution: '2K',
      upload: 'file',
    });
    // The engine's own rule (actions, a quick action or a prompt) is not in the JSON Schema: it says so.
    expect(aixEnhance.params.safeParse(params).success).toBe(false);
    const withActions = form.toParams(fields, {
      ...form.initialValues(fields),
      actions: ['interior-style-japandi'],
      variants: ' 3 ',
      aspectRatio: '3:2',
    });
    expect(withActions).toMatchObject({ actions: ['interior-style-japandi'], variants: 3, aspectRatio: '3:2' });
    expect(aixEnhance.params.safeParse(withActions).success).toBe(true);
  });

  it('trims a prompt and the real ProductAI schema accepts the result', () => {
    const fields = fieldsOf(productGenerate);
    const params = form.toParams(fields, { model: 'seedream', prompt: '  white seamless background  ' });
    expect(params).toEqual({ model: 'seedream', prompt: 'white seamless background' });
    expect(productGenerate.params.safeParse(params).success).toBe(true);
  });

  it('maps enum keys back to their typed values and parses numbers', () => {
    const fields = fieldsOf(localUpscale);
    const params = form.toParams(fields, { factor: '4', maxMegapixels: '120.5', output: 'png' });
    expect(params).toEqual({ factor: 4, maxMegapixels: 120.5, output: 'png' });
    expect(localUpscale.params.safeParse(params).success).toBe(true);
  });

  it('leaves an unchecked optional checkbox and empty numbers out, so the preset decides', () => {
    const fields = fieldsOf(localEnhance);
    const values = form.initialValues(fields);
    expect(form.toParams(fields, values)).toEqual({ preset: 'auto', output: 'jpeg' });
    const changed = { ...values, preset: 'real_estate', exposure: '-0.5', noiseReduction: true };
    const params = form.toParams(fields, changed);
    expect(params).toEqual({ preset: 'real_estate', exposure: -0.5, noiseReduction: true, output: 'jpeg' });
    expect(localEnhance.params.safeParse(params).success).toBe(true);
  });

  it('leaves out a number that is not one rather than sending NaN', () => {
    const fields = fieldsOf(localListing);
    expect(form.toParams(fields, { longEdge: 'abc', maxMegabytes: '' })).toEqual({});
  });
});

describe('validate', () => {
  it('says when a number is out of range, not whole or not a number', () => {
    const fields = fieldsOf(aixEnhance);
    const values = { ...form.initialValues(fields), actions: ['a'] };
    expect(form.validate(fields, values)).toEqual({});
    expect(form.validate(fields, { ...values, variants: '7' })).toEqual({
      variants: 'Variants must be between 1 and 4.',
    });
    expect(form.validate(fields, { ...values, variants: '0' }).variants).toBe('Variants must be between 1 and 4.');
    expect(form.validate(fields, { ...values, variants: '2.5' }).variants).toBe('Variants must be a whole number.');
    expect(form.validate(fields, { ...values, variants: 'two' }).variants).toBe('Variants must be a number.');
  });

  it('checks lengths, choices counts and the schema’s enum values', () => {
    const fields = fieldsOf(aixEnhance);
    const values = form.initialValues(fields);
    const errors = form.validate(fields, {
      ...values,
      prompt: 'x'.repeat(2001),
      actions: Array.from({ length: 9 }, (_, i) => `action-${i}`),
      aspectRatio: 'widescreen',
      resolution: '8K',
    });
    expect(errors).toMatchObject({
      prompt: 'Instructions (instead of actions) must be at most 2000 characters (now 2001).',
      actions: 'Choose at most 8 for Actions (now 9).',
      aspectRatio: expect.stringContaining('Aspect ratio') as unknown,
      resolution: 'Choose one of the listed values for Resolution.',
    });
    expect(Object.keys(errors)).toHaveLength(4);
    expect(form.isValid(errors)).toBe(false);
  });

  it('requires a required field, whitespace counting as empty', () => {
    const fields = fieldsOf(productGenerate);
    const values = form.initialValues(fields);
    expect(form.validate(fields, values)).toEqual({ prompt: 'Prompt is required.' });
    expect(form.validate(fields, { ...values, prompt: '   ' })).toEqual({ prompt: 'Prompt is required.' });
    expect(form.isValid(form.validate(fields, { ...values, prompt: 'On marble' }))).toBe(true);
  });

  it('uses the hint’s label in range messages for decimals', () => {
    const fields = fieldsOf(localListing);
    expect(form.validate(fields, { longEdge: '100', maxMegabytes: '0.1' })).toEqual({
      longEdge: 'Long edge (px) must be between 256 and 8192.',
      maxMegabytes: 'Largest file (MB) must be between 0.2 and 50.',
    });
  });
});

describe('catalog choices', () => {
  const entries: CatalogEntryLike[] = [
    { kind: 'action', id: 'style-japandi', label: 'Japandi', group: 'Style', appliesTo: ['interior'] },
    { kind: 'action', id: 'style-nordic', label: 'Nordic', group: 'Style', appliesTo: ['interior'] },
    { kind: 'action', id: 'declutter', label: 'Declutter', group: 'Cleanup', appliesTo: ['interior', 'exterior'] },
    { kind: 'action', id: 'sky-blue', label: 'Blue sky', group: 'Sky', appliesTo: ['exterior'] },
    { kind: 'scene_location', id: 'living_room', label: 'living room', group: 'interior', appliesTo: ['interior'] },
    { kind: 'scene_location', id: 'kitchen', label: 'kitchen', group: 'interior', appliesTo: ['interior'] },
    { kind: 'scene_location', id: 'garden', label: 'garden', group: 'exterior', appliesTo: ['exterior'] },
    { kind: 'aspect_ratio', id: '16:9', label: '16:9' },
    { kind: 'aspect_ratio', id: '5:4', label: '5:4' },
    { kind: 'model', id: 'm1', label: 'Model one', description: 'Fast' },
  ];
  const fields = fieldsOf(aixEnhance);

  it('names the kinds to load', () => {
    expect(form.catalogKinds(fields)).toEqual(['scene_location', 'action', 'quick_action', 'aspect_ratio', 'model']);
    expect(form.catalogKinds(fieldsOf(localEnhance))).toEqual([]);
  });

  it('keeps the entries that apply to the scene type, grouped in order', () => {
    const values = form.initialValues(fields);
    const context = form.catalogContext(fields, values);
    const actions = form.catalogChoices(field(fields, 'actions'), entries, context);
    expect(actions.map((c) => c.value)).toEqual(['style-japandi', 'style-nordic', 'declutter']);
    expect(form.groupChoices(actions).map((g) => [g.group, g.choices.length])).toEqual([
      ['Style', 2],
      ['Cleanup', 1],
    ]);
    const outside = form.catalogContext(fields, { ...values, sceneType: 'exterior' });
    expect(form.catalogChoices(field(fields, 'actions'), entries, outside).map((c) => c.value)).toEqual([
      'declutter',
      'sky-blue',
    ]);
    expect(form.catalogChoices(field(fields, 'model'), entries, context)).toEqual([
      { value: 'm1', label: 'Model one', description: 'Fast' },
    ]);
  });

  it('offers only the aspect ratios the schema allows: any W:H the catalog names, nothing else', () => {
    const context = form.catalogContext(fields, form.initialValues(fields));
    const withOdd = [...entries, { kind: 'aspect_ratio', id: 'widescreen', label: 'Widescreen' }];
    expect(form.catalogChoices(field(fields, 'aspectRatio'), withOdd, context).map((c) => c.value)).toEqual([
      '16:9',
      '5:4',
    ]);
  });

  it('drops choices that stop applying when the scene type changes', () => {
    const values = { ...form.initialValues(fields), actions: ['style-japandi', 'declutter'] };
    const pruned = form.pruneCatalogValues(fields, { ...values, sceneType: 'exterior' }, entries);
    expect(pruned.actions).toEqual(['declutter']);
    // The room has a default, so it moves to the first place that applies outside.
    expect(pruned.sceneLocation).toBe('garden');
    // Nothing to change: the same object comes back.
    expect(form.pruneCatalogValues(fields, values, entries)).toBe(values);
    // Without a catalog of that kind (offline), the values are kept.
    expect(form.pruneCatalogValues(fields, { ...values, sceneType: 'exterior' }, [])).toMatchObject({
      actions: ['style-japandi', 'declutter'],
      sceneLocation: 'living_room',
    });
  });
});

describe('labels', () => {
  it('humanizes names and word-like enum values only', () => {
    expect(form.humanize('maxMegapixels')).toBe('Max megapixels');
    expect(form.humanize('scene_location')).toBe('Scene location');
    expect(form.optionLabels(['telea', 'navier_stokes'])).toEqual(['Telea', 'Navier stokes']);
    expect(form.optionLabels(['gpt-low', 'seedream'])).toEqual(['gpt-low', 'seedream']);
    expect(form.optionLabels([2, 4])).toEqual(['2', '4']);
  });
});
