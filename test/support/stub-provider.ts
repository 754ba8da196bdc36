import { z } from 'zod';
import type { ProviderModule } from '../../main/engine/providers/contract';

/**
 * The fixed part of a provider a test writes by hand: one operation, `generate`, that makes an image
 * from nothing. A test spreads it and writes what it is about (its account, submit, poll, fetch).
 */
export function stubProvider(options: {
  id: string;
  name: string;
  baseUrl: string | null;
  paid: boolean;
}): Pick<
  ProviderModule,
  'id' | 'name' | 'accountFields' | 'unit' | 'generative' | 'baseUrl' | 'capabilities' | 'operations'
> {
  return {
    id: options.id,
    name: options.name,
    accountFields: [],
    unit: { one: 'credit', many: 'credits', fractionDigits: 0 },
    generative: true,
    baseUrl: options.baseUrl,
    capabilities: { idempotentSubmit: true, reconcile: false, webhooks: false, stream: false },
    operations: {
      generate: {
        label: 'G',
        description: '',
        params: z.object({}),
        hints: {},
        inputs: { source: 'none' },
        paid: options.paid,
        effect: 'generated',
      },
    },
  };
}
