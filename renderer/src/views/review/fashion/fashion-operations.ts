import type { ProviderView } from '../../../../../shared/providers';
import { findOperation, type FoundOperation } from '../operation-finder';

/** An operation the fashion tools run (see findOperation). */
export type FashionOperation = FoundOperation;

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
  const find = (fits: Parameters<typeof findOperation>[1]) => findOperation(providers, fits);
  return {
    tryOn: find((operation) => operation.inputs.garment),
    describe: find((operation) => operation.makes === 'text' && operation.inputs.source !== 'none'),
    generate: find((operation) => operation.inputs.source === 'none' && operation.inputs.reference),
  };
}
