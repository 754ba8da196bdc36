import type { ProviderView } from '../../../../../shared/providers';
import { findOperation, type FoundOperation } from '../operation-finder';

/** An operation the studio tools run (see findOperation). */
export type StudioOperation = FoundOperation;

export interface StudioOperations {
  /** Pictures from a prompt alone, into a shoot. */
  images: StudioOperation | null;
  /** A video that starts from a picture (a photo or a result). */
  animate: StudioOperation | null;
}

export function studioOperations(providers: readonly ProviderView[]): StudioOperations {
  const find = (fits: Parameters<typeof findOperation>[1]) => findOperation(providers, fits);
  return {
    images: find(
      (operation) =>
        operation.makes === 'image' &&
        operation.inputs.source === 'none' &&
        !operation.inputs.firstFrame &&
        !operation.inputs.reference &&
        operation.inputs.shoot === null,
    ),
    animate: find((operation) => operation.makes === 'video' && operation.inputs.firstFrame),
  };
}

/** The choices a parameter's JSON Schema lists (an enum), with its default; empty when it lists none. */
export function enumOf(schema: unknown, name: string): { values: string[]; fallback: string | null } {
  const property = (schema as { properties?: Record<string, { enum?: unknown[]; default?: unknown }> } | null)
    ?.properties?.[name];
  const values = (property?.enum ?? []).filter((value): value is string => typeof value === 'string');
  return { values, fallback: typeof property?.default === 'string' ? property.default : (values[0] ?? null) };
}

/** A number parameter's bounds and default (a video's duration). */
export function rangeOf(schema: unknown, name: string): { min: number; max: number; fallback: number } {
  const property = (
    schema as { properties?: Record<string, { minimum?: number; maximum?: number; default?: number }> } | null
  )?.properties?.[name];
  const min = property?.minimum ?? 1;
  const max = property?.maximum ?? min;
  return { min, max, fallback: property?.default ?? min };
}

/** A string parameter's default in the JSON Schema (the operation's default model), or null. */
export function defaultOf(schema: unknown, name: string): string | null {
  const property = (schema as { properties?: Record<string, { default?: unknown }> } | null)?.properties?.[name];
  return typeof property?.default === 'string' ? property.default : null;
}
