import type { ApiHandlers } from '../../../shared/api';
import type { ProviderWebhooks } from '../../../shared/api-webhooks';
import { AppError } from '../../../shared/errors';
import type { Db } from '../db/connection';
import type { Logger } from '../log';
import { ProviderRequestError } from '../net/http';
import { bindSecretHere, boundAccount, secretName } from '../queue/key-binding';
import type { QueueRunner } from '../queue/runner';
import type { SecretStore } from '../secrets/secret-store';
import type { ProviderContext, ProviderModule, RegisteredWebhook, WebhookAdmin } from './contract';

type WebhookMethods = 'webhooks.list' | 'webhooks.register' | 'webhooks.update' | 'webhooks.remove';

export interface WebhooksApiContext {
  db: Db;
  providers: ReadonlyMap<string, ProviderModule>;
  secrets: SecretStore;
  runner: Pick<QueueRunner, 'contextFor'>;
  log: Logger;
  now: () => number;
  /** The environment, for `SHOOTLINE_<PROVIDER>_BASE_URL` and key overrides. */
  env?: NodeJS.ProcessEnv;
  /** The headless server's public address (`--webhook-url`); undefined on the desktop. */
  publicUrl: string | undefined;
}

const CALL_TIMEOUT_MS = 15_000;

/** Where this server hears a provider's deliveries: `<public origin>/webhooks/<provider id>`. */
export function ourWebhookUrl(publicUrl: string | undefined, providerId: string): string | null {
  if (!publicUrl) return null;
  try {
    return `${new URL(publicUrl).origin}/webhooks/${providerId}`;
  } catch {
    return null;
  }
}

/**
 * Webhooks for studios: a provider that manages its webhooks through its API (AI Visual Studio)
 * gets this server's address registered, listed, updated and removed from Settings. A secret the
 * provider gives once, on creation, is kept in the SecretStore as the provider's webhook secret
 * field (else the user pastes it there). Polling goes on whatever happens here: a webhook only
 * brings news sooner.
 */
export function createWebhooksApi(context: WebhooksApiContext): Pick<ApiHandlers, WebhookMethods> & {
  registerOwn: (only?: string) => Promise<void>;
  /** Stops: calls in flight are aborted and awaited, so nothing writes to a closed library. */
  close: () => Promise<void>;
} {
  const { db, providers, secrets, runner, log } = context;
  const env = context.env ?? {};
  const stopping = new AbortController();
  /** Per provider, the registration in progress: one at a time, so two never both create a webhook. */
  const queues = new Map<string, Promise<unknown>>();
  const serialised = <T>(id: string, work: () => Promise<T>): Promise<T> => {
    const next = (queues.get(id) ?? Promise.resolve()).then(work, work);
    queues.set(
      id,
      next.catch(() => undefined),
    );
    return next;
  };

  const adminOf = (id: string): { provider: ProviderModule; admin: WebhookAdmin; secretField: string | null } => {
    const provider = providers.get(id);
    if (!provider) throw new AppError('not_found', `No provider named ${id}.`);
    const admin = provider.account?.webhooks;
    if (!admin) throw new AppError('invalid_input', `${provider.name} has no webhooks to manage.`);
    return { provider, admin, secretField: provider.webhook?.signature?.secretField ?? null };
  };

  const withCall = async <T>(provider: ProviderModule, run: (call: ProviderContext) => Promise<T>): Promise<T> => {
    if (stopping.signal.aborted) throw new AppError('unavailable', 'The engine is stopping.');
    const call = runner.contextFor(
      provider.id,
      AbortSignal.any([stopping.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]),
    );
    if (!call) throw new AppError('unavailable', 'The queue is not running.');
    try {
      return await run(call);
    } catch (error) {
      if (error instanceof ProviderRequestError)
        throw new AppError('unavailable', `${provider.name}: ${error.message}`);
      throw error;
    }
  };

  const view = async (id: string, listed: RegisteredWebhook[], message: string | null): Promise<ProviderWebhooks> => {
    const { provider, secretField } = adminOf(id);
    const ours = ourWebhookUrl(context.publicUrl, id);
    const account = await boundAccount(db, secrets, provider, env);
    return {
      provider: id,
      ourUrl: ours,
      secretSet: secretField !== null && Boolean(account?.secrets[secretField]),
      webhooks: listed.map((webhook) => ({ ...webhook, ours: webhook.url === ours })),
      message,
    };
  };

  const list = async (id: string): Promise<RegisteredWebhook[]> => {
    const { provider, admin } = adminOf(id);
    return withCall(provider, (call) => admin.list(call));
  };

  const register = async (id: string): Promise<ProviderWebhooks> => {
    const { provider, admin, secretField } = adminOf(id);
    const url = ourWebhookUrl(context.publicUrl, id);
    if (!url) {
      throw new AppError(
        'invalid_input',
        'Webhooks need a public address: start the server with --webhook-url. Without one, jobs are followed by polling.',
      );
    }
    const existing = (await list(id)).find((webhook) => webhook.url === url);
    if (existing) {
      if (!existing.active) await withCall(provider, (call) => admin.update(call, existing.id, { active: true }));
      return view(id, await list(id), 'Already registered at this address.');
    }
    const created = await withCall(provider, (call) =>
      admin.create(call, url, async (secret) => {
        // Kept the moment it is read, before anything else can fail: it is shown only once.
        if (!secretField) return;
        await secrets.set(secretName(id, secretField), secret);
        await bindSecretHere(db, secrets, provider, secretField, env, context.now());
      }),
    );
    let message = `Registered. ${provider.name} gave no secret: paste the webhook secret from its dashboard in Settings, or deliveries are refused.`;
    if (created.secret && secretField) message = 'Registered; its secret is kept (it is shown only once).';
    log.info('webhooks.registered', {
      provider: id,
      webhookId: created.webhook.id,
      secretKept: Boolean(created.secret),
    });
    return view(id, await list(id), message);
  };

  return {
    'webhooks.list': async ({ provider: id }) => view(id, await list(id), null),
    'webhooks.register': ({ provider: id }) => serialised(id, () => register(id)),
    'webhooks.update': async ({ provider: id, id: webhookId, url, active }) => {
      const { provider, admin } = adminOf(id);
      if (url === undefined && active === undefined) {
        throw new AppError('invalid_input', 'Say what to change: the address, active, or both.');
      }
      await withCall(provider, (call) =>
        admin.update(call, webhookId, {
          ...(url === undefined ? {} : { url }),
          ...(active === undefined ? {} : { active }),
        }),
      );
      return view(id, await list(id), 'Updated.');
    },
    'webhooks.remove': async ({ provider: id, id: webhookId }) => {
      const { provider, admin } = adminOf(id);
      await withCall(provider, (call) => admin.remove(call, webhookId));
      return view(id, await list(id), 'Removed.');
    },
    /**
     * At start on a server with a public address: every provider with webhooks and a key gets this
     * server's address registered. A failure is logged and polling carries on.
     */
    close: async () => {
      stopping.abort();
      await Promise.all([...queues.values()]);
    },
    registerOwn: async (only?: string) => {
      if (!context.publicUrl) return;
      for (const provider of providers.values()) {
        if (!provider.account?.webhooks || (only !== undefined && provider.id !== only)) continue;
        const account = await boundAccount(db, secrets, provider, env);
        if (!account?.secrets.key) continue;
        try {
          await serialised(provider.id, () => register(provider.id));
        } catch (error) {
          if (stopping.signal.aborted) return;
          log.warn('webhooks.register_failed', { provider: provider.id, error });
        }
      }
    },
  };
}
