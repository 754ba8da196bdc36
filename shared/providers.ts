import { z } from 'zod';

/** What the UI may know about a provider's key: never the key itself. */
export const KeyStatusSchema = z.object({
  configured: z.boolean(),
  /** The key's last 4 characters, so the user can tell which key is in use. */
  last4: z.string().nullable(),
  source: z.enum(['env', 'stored']).nullable(),
});

/**
 * One value a provider's account needs, as the provider declares it: a secret (kept in the
 * SecretStore, bound to the provider's address, never shown again) or a plain value, and how it
 * travels (a header, a bearer token, or a field in every JSON body).
 */
export const AccountFieldSchema = z.object({
  /** 'key' is the provider's main API key. */
  id: z.string().regex(/^[a-z][a-z0-9-]{0,29}$/),
  label: z.string(),
  secret: z.boolean(),
  send: z.union([
    z.object({ header: z.string() }),
    z.object({ bearer: z.literal(true) }),
    z.object({ body: z.string() }),
    /** Kept, never sent: a webhook signing secret the engine checks deliveries with. */
    z.object({ never: z.literal(true) }),
  ]),
  help: z.string().optional(),
  /** Permissions the key needs at the provider, to say in Settings (AI Visual Studio's key scopes). */
  scopes: z.array(z.string()).optional(),
});
export type AccountField = z.infer<typeof AccountFieldSchema>;

/** What a provider's prices count, and how finely: AuraX counts quarter credits. */
export const CostUnitSchema = z.object({
  one: z.string(),
  many: z.string(),
  /** Digits after the point amounts are kept and shown with (0 for whole units, 2 for quarters). */
  fractionDigits: z.number().int().min(0).max(4),
});
export type CostUnit = z.infer<typeof CostUnitSchema>;

/** The unit an amount is shown in before its provider is known (the provider list has not loaded). */
export const DEFAULT_UNIT: CostUnit = { one: 'credit', many: 'credits', fractionDigits: 2 };

/** An amount in a provider's unit, in words: "2.25 credits", "1 token". */
export function formatAmount(amount: number, unit: CostUnit): string {
  const rounded = Number(amount.toFixed(unit.fractionDigits));
  return `${rounded.toLocaleString('en-US', { maximumFractionDigits: unit.fractionDigits })} ${rounded === 1 ? unit.one : unit.many}`;
}

export const ProviderOperationViewSchema = z.object({
  name: z.string(),
  /** Why the provider refuses this operation to the key set (a missing scope), or null. */
  unavailable: z.string().nullable(),
  label: z.string(),
  description: z.string(),
  paid: z.boolean(),
  inputs: z.object({
    /** What it works on: a photo, a photo or a result, a result, or nothing (a prompt). */
    source: z.enum(['photo', 'image', 'variant', 'none']),
    firstFrame: z.boolean(),
    mask: z.object({ purpose: z.string(), required: z.boolean() }).nullable(),
    garment: z.boolean(),
    /** An optional picture that guides a new one (a shape); the results still belong to the shoot. */
    reference: z.boolean(),
    /** Works on the shoot's approved variants (videos), or on the shoot as a whole (publishing). */
    shoot: z.enum(['approved-variants', 'whole']).nullable(),
  }),
  effect: z.enum(['none', 'edited', 'retouched', 'composite', 'generated']),
  /** What its results are: pictures, videos or words. */
  makes: z.enum(['image', 'video', 'text']),
  /** The operation's own label for its results ("Concept render — not the property as it is"), if any. */
  disclosure: z.string().nullable(),
  hints: z.record(
    z.string(),
    z.object({ label: z.string(), help: z.string().optional(), catalog: z.string().optional() }),
  ),
  /** The parameters as JSON Schema (types, enums, defaults, ranges), to build the recipe form from. */
  paramsSchema: z.unknown(),
});

export const ProviderViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Runs on this machine: no key, no network, no cost. */
  local: z.boolean(),
  needsKey: z.boolean(),
  key: KeyStatusSchema,
  /** Set when keys cannot be stored protected (Linux without a keyring): shown next to the key field. */
  keyWarning: z.string().nullable(),
  /**
   * Set when a key is configured but not sent where the provider is reached now (it was entered
   * for another address): the sentence to show beside the key field.
   */
  keyNotSent: z.string().nullable(),
  /** Every value the account needs, with whether each secret is set (never the secret) or each plain value. */
  accountFields: z.array(
    AccountFieldSchema.extend({
      status: KeyStatusSchema.nullable(),
      value: z.string().nullable(),
    }),
  ),
  unit: CostUnitSchema,
  baseUrl: z.string().nullable(),
  concurrency: z.number().int(),
  reachable: z.boolean(),
  balance: z.number().nullable(),
  /** Why the queue paused it (out of credits, key refused), if it did. */
  pausedReason: z.string().nullable(),
  capabilities: z.object({
    idempotentSubmit: z.boolean(),
    reconcile: z.boolean(),
    webhooks: z.boolean(),
    stream: z.boolean(),
  }),
  /** Its webhooks are managed through its API (Settings lists, registers, updates and removes them). */
  webhookAdmin: z.boolean(),
  operations: z.array(ProviderOperationViewSchema),
});
export type ProviderView = z.infer<typeof ProviderViewSchema>;

export const ProviderTestResultSchema = z.object({ ok: z.boolean(), message: z.string() });

export const CatalogEntrySchema = z.object({
  kind: z.string(),
  id: z.string(),
  label: z.string(),
  description: z.string().optional(),
  group: z.string().optional(),
  appliesTo: z.array(z.string()).optional(),
  /** What one use costs in the provider's unit (a model's credits per generation), when listed. */
  credits: z.number().nonnegative().optional(),
});
export type CatalogEntryView = z.infer<typeof CatalogEntrySchema>;

/** A provider's catalog, cached: `message` says why it may be old (offline, key refused). */
export const ProviderCatalogSchema = z.object({
  provider: z.string(),
  entries: z.array(CatalogEntrySchema),
  fetchedAt: z.number().nullable(),
  message: z.string().nullable(),
});
export type ProviderCatalog = z.infer<typeof ProviderCatalogSchema>;

export const AgentSettingsSchema = z.object({
  enabled: z.boolean(),
  autoApply: z.boolean(),
  learnedPreferences: z.array(z.string()),
  updatedAt: z.string().nullable(),
});

export const LedgerEntrySchema = z.object({
  at: z.number(),
  amount: z.number(),
  remoteId: z.string().optional(),
  note: z.string().optional(),
});

/** Staging storage as the UI sees it: the settings without the secret, and whether the secret is set. */
export const StagingViewSchema = z.object({
  configured: z.boolean(),
  settings: z
    .object({
      endpoint: z.string(),
      region: z.string(),
      bucket: z.string(),
      prefix: z.string(),
      accessKeyId: z.string(),
      urlExpirySeconds: z.number().int(),
      cleanup: z.boolean(),
      addressing: z.enum(['path', 'virtual']),
    })
    .nullable(),
  secret: KeyStatusSchema,
});
export type StagingView = z.infer<typeof StagingViewSchema>;

export const StagingConfigureSchema = z
  .object({
    endpoint: z.string().min(1).max(2000),
    region: z.string().min(1).max(64).optional(),
    bucket: z.string().min(1).max(63),
    prefix: z.string().max(500).optional(),
    accessKeyId: z.string().min(1).max(500),
    /** Sent once; left out, the stored one is kept. */
    secretAccessKey: z.string().min(1).max(500).optional(),
    urlExpirySeconds: z.number().int().optional(),
    cleanup: z.boolean().optional(),
    addressing: z.enum(['path', 'virtual']).optional(),
  })
  .strict();
