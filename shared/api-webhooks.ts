import { z } from 'zod';

const id = z.string().min(1).max(200);

/** A webhook registered at a provider, as its API lists it; `ours` when it is this server's address. */
export const ProviderWebhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.string().nullable(),
  ours: z.boolean(),
});
export type ProviderWebhook = z.infer<typeof ProviderWebhookSchema>;

/**
 * A provider's webhooks as Settings shows them: where this server hears deliveries (null on the
 * desktop, or a server without a public address: jobs are then followed by polling alone), whether
 * a secret to check them is kept, and what is registered at the provider.
 */
export const ProviderWebhooksSchema = z.object({
  provider: z.string(),
  ourUrl: z.string().nullable(),
  secretSet: z.boolean(),
  webhooks: z.array(ProviderWebhookSchema),
  /** What happened, in words ("Registered; its secret is kept."), or why the list is empty. */
  message: z.string().nullable(),
});
export type ProviderWebhooks = z.infer<typeof ProviderWebhooksSchema>;

export const WEBHOOK_METHODS = {
  /** Lists the provider's webhooks (its API is asked each time). */
  'webhooks.list': { args: z.object({ provider: id }).strict(), result: ProviderWebhooksSchema },
  /** Registers this server's address at the provider (once: an existing one is reused), keeping the secret it gives. */
  'webhooks.register': { args: z.object({ provider: id }).strict(), result: ProviderWebhooksSchema },
  'webhooks.update': {
    args: z
      .object({
        provider: id,
        id,
        url: z
          .url({ protocol: /^https?$/ })
          .max(2000)
          .optional(),
        active: z.boolean().optional(),
      })
      .strict(),
    result: ProviderWebhooksSchema,
  },
  'webhooks.remove': { args: z.object({ provider: id, id }).strict(), result: ProviderWebhooksSchema },
} as const;
