import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiMethods, methodNames } from '../../shared/api';
import { ExportPresetSchema } from '../../shared/export-preset';

type JsonSchema = Record<string, unknown>;

/**
 * Every value a caller can send is bounded by the contract itself: strings by a maximum length,
 * lists by a maximum count, and the keys of free-form objects by a length. Anything unbounded can
 * be used to make the engine build (and echo back) megabytes.
 */
function unbounded(schema: unknown, where: string, found: string[]): void {
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as JsonSchema;
  if (node.type === 'string' && node.maxLength === undefined && node.enum === undefined && node.const === undefined) {
    found.push(`${where}: string without a maximum length`);
  }
  if (node.type === 'array' && node.maxItems === undefined) found.push(`${where}: list without a maximum count`);
  if (node.type === 'object' && node.additionalProperties !== undefined && node.additionalProperties !== false) {
    const names = node.propertyNames as JsonSchema | undefined;
    if (names?.maxLength === undefined) found.push(`${where}: object whose keys have no maximum length`);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'propertyNames') continue;
    if (Array.isArray(value)) value.forEach((item, index) => unbounded(item, `${where}.${key}[${index}]`, found));
    else unbounded(value, `${where}.${key}`, found);
  }
}

describe('the API contract', () => {
  it('bounds every string, list and free-form key a caller can send', () => {
    const found: string[] = [];
    for (const method of methodNames) {
      const schema = z.toJSONSchema(apiMethods[method].args, { io: 'input', unrepresentable: 'any' });
      unbounded(schema, method, found);
    }
    expect(found).toEqual([]);
  });

  it('bounds the values it takes as free-form and validates later (an export preset)', () => {
    const found: string[] = [];
    unbounded(z.toJSONSchema(ExportPresetSchema, { io: 'input', unrepresentable: 'any' }), 'preset', found);
    expect(found).toEqual([]);
  });

  it('finds an unbounded string, list or key (so the walk above can fail)', () => {
    const found: string[] = [];
    const loose = z.object({ a: z.string(), b: z.array(z.string().max(1)), c: z.record(z.string(), z.number()) });
    unbounded(z.toJSONSchema(loose, { io: 'input' }), 'loose', found);
    expect(found).toHaveLength(3);
  });
});
