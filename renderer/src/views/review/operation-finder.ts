import type { ProviderView } from '../../../../shared/providers';

/** An operation a tool runs, found by what it takes and makes rather than by a provider's name. */
export interface FoundOperation {
  provider: string;
  providerName: string;
  operation: string;
  label: string;
  /** The parameters' JSON Schema: a dialog reads its enums, bounds and defaults from it. */
  paramsSchema: unknown;
  unit: ProviderView['unit'];
}

/**
 * The first operation of the providers the engine has that fits, skipping one the key set may not
 * use: a provider added later with such an operation is offered the same way, no name hard-wired.
 */
export function findOperation(
  providers: readonly ProviderView[],
  fits: (operation: ProviderView['operations'][number]) => boolean,
): FoundOperation | null {
  for (const provider of providers) {
    const operation = provider.operations.find((candidate) => candidate.unavailable === null && fits(candidate));
    if (operation) {
      return {
        provider: provider.id,
        providerName: provider.name,
        operation: operation.name,
        label: operation.label,
        paramsSchema: operation.paramsSchema,
        unit: provider.unit,
      };
    }
  }
  return null;
}
