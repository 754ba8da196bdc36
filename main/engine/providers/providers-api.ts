import { z } from 'zod';
import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import type { AccountField, ProviderView } from '../../../shared/providers';
import type { Db } from '../db/connection';
import { getCachedCatalog, saveCatalog } from '../db/provider-catalogs-repo';
import { cachedCatalog, withFallback } from '../queue/provider-catalog';
import {
  configureProviderAccount,
  getProviderAccount,
  setAccountFields,
  setKeyOrigin,
  forgetRefusedOperations,
  refusedOperations,
} from '../db/provider-accounts-repo';
import { writeTransaction } from '../db/connection';
import type { QueueRunner } from '../queue/runner';
import type { SecretStore } from '../secrets/secret-store';
import { resolveOperation, validParams } from '../queue/enqueue';
import { resolveBaseUrl } from '../queue/base-url';
import { bindSecretHere, boundKey, keyMayTravelTo, originOf, secretFields, secretName } from '../queue/key-binding';
import type { ProviderContext, ProviderModule } from './contract';
import { ProviderRequestError } from '../net/http';

type ProviderMethods =
  | 'providers.list'
  | 'providers.setKey'
  | 'providers.removeKey'
  | 'providers.configure'
  | 'providers.test'
  | 'providers.catalog'
  | 'providers.agent'
  | 'providers.updateAgent'
  | 'providers.ledger'
  | 'providers.estimate';

export interface ProvidersApiContext {
  db: Db;
  providers: ReadonlyMap<string, ProviderModule>;
  secrets: SecretStore;
  runner: QueueRunner;
  now: () => number;
  /** The environment, for `SHOOTLINE_<PROVIDER>_BASE_URL` overrides. */
  env?: NodeJS.ProcessEnv;
  /** A provider's main key was set (its webhook is registered with it, on a server with a public address). */
  afterKeySet?: (providerId: string) => void;
}

const TEST_TIMEOUT_MS = 15_000;
/** A catalog changes rarely; it is fetched again after a day, or when the user asks. */
const CATALOG_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Provider accounts: what each provider can do, whether its key is set (never the key), where it
 * is reached, and a cheap authenticated call that proves a key works.
 */
export function createProvidersApi(context: ProvidersApiContext): Pick<ApiHandlers, ProviderMethods> {
  const { db, providers, secrets, runner } = context;

  const requireProvider = (id: string): ProviderModule => {
    const provider = providers.get(id);
    if (!provider) throw new AppError('not_found', `No provider named ${id}.`);
    return provider;
  };

  const env = context.env ?? {};

  /** Why a configured key is not sent where the provider is reached now, if it is not. */
  const keyNotSent = async (provider: ProviderModule, baseUrl: string): Promise<string | null> => {
    const bound = await boundKey(db, secrets, provider, env);
    const origin = originOf(baseUrl);
    if (!bound || !origin) return null;
    if (bound.origin !== origin) {
      return `This key was entered for ${bound.origin ?? 'another address'}; enter it again to use it at ${origin}.`;
    }
    return keyMayTravelTo(origin) ? null : `Keys go over https only (plain http only to this machine).`;
  };

  /** Each account field with its state: a secret as set or not (never its value), a plain value as entered. */
  const fieldViews = async (provider: ProviderModule): Promise<ProviderView['accountFields']> => {
    const plain = getProviderAccount(db, provider.id).fields;
    return Promise.all(
      provider.accountFields.map(async (field) => ({
        ...field,
        status: field.secret ? await secrets.describe(secretName(provider.id, field.id)) : null,
        value: field.secret ? null : (plain[field.id] ?? null),
      })),
    );
  };

  const view = async (provider: ProviderModule): Promise<ProviderView> => {
    const account = getProviderAccount(db, provider.id);
    const refused = refusedOperations(db, provider.id);
    const mainKey = secretFields(provider)[0];
    const needsKey = mainKey !== undefined;
    const baseUrl = provider.baseUrl === null ? null : resolveBaseUrl(db, provider, env);
    return {
      id: provider.id,
      name: provider.name,
      local: provider.baseUrl === null,
      needsKey,
      key: mainKey
        ? await secrets.describe(secretName(provider.id, mainKey.id))
        : { configured: false, last4: null, source: null },
      keyWarning: needsKey ? secrets.warning() : null,
      keyNotSent: needsKey && baseUrl ? await keyNotSent(provider, baseUrl) : null,
      accountFields: await fieldViews(provider),
      unit: provider.unit,
      baseUrl,
      concurrency: account.concurrency ?? provider.concurrency ?? 4,
      reachable: runner.reachability().get(provider.id) ?? true,
      balance: account.balance,
      pausedReason: account.pausedReason,
      capabilities: provider.capabilities,
      webhookAdmin: provider.account?.webhooks !== undefined,
      operations: Object.entries(provider.operations).map(([name, spec]) => ({
        name,
        unavailable: refused.get(name) ?? null,
        label: spec.label,
        description: spec.description,
        paid: spec.paid,
        inputs: {
          source: spec.inputs.source,
          firstFrame: spec.inputs.firstFrame ?? false,
          mask: spec.inputs.mask ?? null,
          garment: spec.inputs.garment ?? false,
          reference: spec.inputs.reference ?? false,
          shoot: spec.inputs.shootVariants ? 'approved-variants' : spec.inputs.shoot ? 'whole' : null,
        },
        effect: spec.effect,
        makes: spec.makes ?? 'image',
        disclosure: spec.disclosure ?? null,
        hints: spec.hints,
        paramsSchema: paramsJsonSchema(spec.params),
      })),
    };
  };

  /** The account field a request names, checked to be one the provider declares, of the right kind. */
  const requireField = (provider: ProviderModule, id: string, secret: boolean): AccountField => {
    const field = provider.accountFields.find((candidate) => candidate.id === id);
    if (!field) {
      if (provider.accountFields.length === 0) throw new AppError('invalid_input', `${provider.name} needs no key.`);
      const known = provider.accountFields.map((candidate) => candidate.id).join(', ');
      throw new AppError('invalid_input', `${provider.name} has no account field "${id}" (it has: ${known}).`);
    }
    if (field.secret !== secret) {
      throw new AppError(
        'invalid_input',
        secret
          ? `${provider.name}'s "${field.label}" is not a secret: set it with the account's other fields.`
          : `${provider.name}'s "${field.label}" is a secret: set it as a key, where it is stored protected.`,
      );
    }
    return field;
  };

  /** Runs an account call through the provider's gate; its failures reach the user as sentences. */
  const withProvider = async <T>(id: string, run: (call: ProviderContext) => Promise<T>): Promise<T> => {
    const provider = requireProvider(id);
    const signal = AbortSignal.timeout(TEST_TIMEOUT_MS);
    const call = runner.contextFor(id, signal);
    if (!call) throw new AppError('unavailable', 'The queue is not running.');
    try {
      return await run(call);
    } catch (error) {
      if (error instanceof ProviderRequestError) {
        throw new AppError('unavailable', `${provider.name}: ${error.message}`);
      }
      throw error;
    }
  };

  return {
    'providers.list': () => Promise.all([...providers.values()].map(view)),

    'providers.setKey': async ({ provider: id, field, key }) => {
      const provider = requireProvider(id);
      requireField(provider, field, true);
      await secrets.set(secretName(id, field), key);
      await bindSecretHere(db, secrets, provider, field, env, context.now());
      // Another key may hold other scopes: operations the old one was refused are offered again.
      if (field === 'key') {
        forgetRefusedOperations(db, id);
        context.afterKeySet?.(id);
      }
      return view(provider);
    },

    'providers.removeKey': async ({ provider: id, field }) => {
      const provider = requireProvider(id);
      requireField(provider, field, true);
      await secrets.remove(secretName(id, field));
      const anyLeft = await boundKey(db, secrets, provider, env);
      if (!anyLeft) setKeyOrigin(db, id, null, context.now());
      return view(provider);
    },

    'providers.configure': ({ provider: id, baseUrl, concurrency, fields }) => {
      const provider = requireProvider(id);
      if (provider.baseUrl === null && baseUrl) {
        throw new AppError('invalid_input', `${provider.name} runs on this machine; it has no address to set.`);
      }
      const origin = baseUrl ? originOf(baseUrl) : null;
      if (origin && !keyMayTravelTo(origin)) {
        throw new AppError(
          'invalid_input',
          `Use an https:// address for ${provider.name}; plain http:// is only for a sandbox on this machine.`,
        );
      }
      for (const field of Object.keys(fields ?? {})) requireField(provider, field, false);
      writeTransaction(db, () => {
        configureProviderAccount(db, id, { baseUrl, concurrency }, context.now());
        if (fields) setAccountFields(db, id, fields, context.now());
      });
      return view(provider);
    },

    'providers.catalog': async ({ provider: id, refresh }) => {
      const provider = requireProvider(id);
      const cached = getCachedCatalog(db, id);
      const fetchCatalog = provider.account?.catalog;
      const answer = (message: string | null) => ({
        provider: id,
        entries: cachedCatalog(db, provider),
        fetchedAt: cached?.fetchedAt ?? null,
        message,
      });
      if (!fetchCatalog) return answer(null);
      if (cached && !refresh && context.now() - cached.fetchedAt < CATALOG_MAX_AGE_MS) return answer(null);
      if (!(await boundKey(db, secrets, provider, env))) {
        return answer(`Set a ${provider.name} key to load its catalog.`);
      }
      try {
        const entries = await withProvider(id, (call) => fetchCatalog(call));
        saveCatalog(db, id, entries, context.now());
        return { provider: id, entries: withFallback(provider, entries), fetchedAt: context.now(), message: null };
      } catch (error) {
        const why = error instanceof ProviderRequestError ? error.message : 'It could not be loaded.';
        return answer(
          cached
            ? `Showing ${provider.name}'s catalog as of ${new Date(cached.fetchedAt).toISOString()}: ${why}`
            : `${provider.name}'s catalog could not be loaded: ${why}`,
        );
      }
    },

    'providers.agent': async ({ provider: id }) => {
      const agent = requireProvider(id).account?.agent;
      if (!agent) throw new AppError('invalid_input', `${requireProvider(id).name} has no agent.`);
      return withProvider(id, (call) => agent.get(call));
    },

    'providers.updateAgent': async ({ provider: id, enabled, autoApply }) => {
      const agent = requireProvider(id).account?.agent;
      if (!agent) throw new AppError('invalid_input', `${requireProvider(id).name} has no agent.`);
      if (enabled === undefined && autoApply === undefined) {
        throw new AppError('invalid_input', 'Say what to change: enabled, autoApply or both.');
      }
      return withProvider(id, (call) =>
        agent.update(call, {
          ...(enabled === undefined ? {} : { enabled }),
          ...(autoApply === undefined ? {} : { autoApply }),
        }),
      );
    },

    'providers.estimate': ({ provider: id, operation, params }) => {
      const { module, spec } = resolveOperation(providers, id, operation);
      const parsed = validParams(spec, params);
      const estimate = module.estimateCost(operation, parsed, {}, cachedCatalog(db, module));
      return {
        credits: estimate.credits,
        durationMs: estimate.durationMs ?? null,
        uncertain: estimate.uncertain === true,
      };
    },

    'providers.ledger': async ({ provider: id }) => {
      const ledger = requireProvider(id).account?.ledger;
      if (!ledger) return [];
      return withProvider(id, (call) => ledger(call));
    },

    'providers.test': async ({ provider: id }) => {
      const provider = requireProvider(id);
      if (secretFields(provider).length === 0) return { ok: true, message: `${provider.name} needs no key.` };
      if (!(await boundKey(db, secrets, provider, env))) {
        return {
          ok: false,
          message: `No key is set for ${provider.name}. Paste the key from your ${provider.name} account.`,
        };
      }
      const test = provider.account?.test ?? provider.account?.balance;
      if (!test) return { ok: false, message: `${provider.name} offers no way to test a key without a paid request.` };
      const signal = AbortSignal.timeout(TEST_TIMEOUT_MS);
      const call = runner.contextFor(id, signal);
      if (!call) throw new AppError('unavailable', 'The queue is not running.');
      try {
        const answer = await test(call);
        // The key works now: whatever an earlier one (or this one, before its scopes changed) was
        // refused is offered again, and learnt again if still refused.
        forgetRefusedOperations(db, id);
        return { ok: true, message: typeof answer === 'number' ? `The key works: ${answer} credits left.` : answer };
      } catch (error) {
        if (error instanceof ProviderRequestError) return { ok: false, message: `${provider.name}: ${error.message}` };
        if (signal.aborted) return { ok: false, message: `${provider.name} did not answer within 15 seconds.` };
        throw error;
      }
    },
  };
}

/**
 * An operation's parameters as JSON Schema (the UI builds its form from it). A schema never changes
 * while the engine runs, and converting one costs about as much as the rest of a provider's view:
 * made once each, not on every `providers.list` (the UI asks several times as it starts).
 */
const jsonSchemas = new WeakMap<z.ZodType, unknown>();
function paramsJsonSchema(params: z.ZodType): unknown {
  let converted = jsonSchemas.get(params);
  if (converted === undefined) {
    converted = z.toJSONSchema(params, { io: 'input', unrepresentable: 'any' });
    jsonSchemas.set(params, converted);
  }
  return converted;
}
