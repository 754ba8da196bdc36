import type { ProviderView } from '../../../../../shared/providers';

/** An operation the fashion tools run, found by what it takes rather than by a provider's name. */
export interface FashionOperation {
  provider: string;
  providerName: string;
  operation: string;
  label: string;
}

export interface FashionOperations {
  /** Dresses a person in a garment (takes a garment). */
  tryOn: FashionOperation | null;
  /** Writes a product description from a photo. */
  describe: FashionOperation | null;
  /** Makes product pictures from a prompt, optionally in a reference's shape. */
  generate: FashionOperation | null;
}

/**
 * The operations behind Try on, Describe and Generate product images, from the providers the
 * engine has: a provider added later with a try-on is offered the same way, no name hard-wired.
 */
export function fashionOperations(providers: readonly ProviderView[]): FashionOperations {
  const find = (fits: (operation: ProviderView['operations'][number]) => boolean): FashionOperation | null => {
    for (const provider of providers) {
      const operation = provider.operations.find(fits);
      if (operation) {
        return {
          provider: provider.id,
          providerName: provider.name,
          operation: operation.name,
          label: operation.label,
        };
      }
    }
    return null;
  };
  return {
    tryOn: find((operation) => operation.inputs.garment),
    describe: find((operation) => operation.name === 'describe' && operation.inputs.source !== 'none'),
    generate: find((operation) => operation.inputs.source === 'none' && operation.inputs.reference),
  };
}
