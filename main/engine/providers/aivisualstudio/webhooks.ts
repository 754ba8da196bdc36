import { ProviderRequestError } from '../../net/http';
import { asRecord, LIST_NAMES, parseJson, pickList, pickRecord, pickString } from '../../net/tolerant';
import type { ProviderContext, RegisteredWebhook, WebhookAdmin } from '../contract';
import type { Call } from './calls';

/** The events a Shootline webhook asks for: both the doc lists. */
export const WEBHOOK_EVENTS = ['generation.completed', 'generation.failed'] as const;

/**
 * AI Visual Studio's `/webhooks`, for Settings. The doc shows the create request only: the answers
 * are read in every plausible form, and the secret is taken wherever the create answer gives it
 * (`secret`, `signing_secret`, `webhook_secret`, inside `data` or not). When it gives none, the user
 * pastes it from the dashboard (docs/providers/aivisualstudio.md, W3).
 */
export function webhookAdmin(call: Call): WebhookAdmin {
  const path = (context: ProviderContext, id?: string) =>
    `${context.baseUrl}/api/v1/webhooks${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;
  const json = { 'content-type': 'application/json' };
  return {
    list: async (context) => {
      const response = await call(context, { method: 'GET', url: path(context), call: 'read' }, 'webhooks');
      const list = pickList(parseJson(response.body), 'webhooks', ...LIST_NAMES);
      if (!list) throw unreadable('its webhooks');
      return list.flatMap((entry) => {
        const webhook = readWebhook(entry);
        return webhook ? [webhook] : [];
      });
    },
    create: async (context, url, keep) => {
      const body = JSON.stringify({ url, events: WEBHOOK_EVENTS });
      const response = await call(
        context,
        { method: 'POST', url: path(context), headers: json, body, call: 'read' },
        'webhooks',
      );
      const root = parseJson(response.body);
      const secret = secretOf(root);
      if (secret) await keep(secret);
      const webhook = readWebhook(root);
      if (!webhook) throw unreadable('the webhook it registered');
      return { webhook, secret };
    },
    update: async (context, id, patch) => {
      const response = await call(
        context,
        { method: 'PATCH', url: path(context, id), headers: json, body: JSON.stringify(patch), call: 'read' },
        'webhooks',
      );
      const webhook = readWebhook(parseJson(response.body));
      if (!webhook) throw unreadable('the webhook it updated');
      return webhook;
    },
    remove: async (context, id) => {
      await call(context, { method: 'DELETE', url: path(context, id), call: 'read' }, 'webhooks');
    },
  };
}

function readWebhook(body: unknown): RegisteredWebhook | null {
  const root = asRecord(body);
  const record = pickString(root, 'id') ? root : (pickRecord(root, 'data', 'webhook') ?? root);
  const id = pickString(record, 'id');
  const url = pickString(record, 'url');
  if (!id || !url) return null;
  const events = (pickList(record, 'events') ?? []).filter((event): event is string => typeof event === 'string');
  const active = asRecord(record)?.active;
  return {
    id,
    url,
    events,
    active: active !== false,
    createdAt: pickString(record, 'created_at', 'createdAt') ?? null,
  };
}

/** The signing secret, wherever the create answer puts it; null when it gives none. */
function secretOf(body: unknown): string | null {
  const names = ['secret', 'signing_secret', 'signingSecret', 'webhook_secret'];
  return pickString(body, ...names) ?? pickString(pickRecord(body, 'data', 'webhook'), ...names) ?? null;
}

function unreadable(what: string): ProviderRequestError {
  return new ProviderRequestError(`AI Visual Studio sent ${what} in a form Shootline cannot read.`, {
    kind: 'invalid_response',
  });
}
