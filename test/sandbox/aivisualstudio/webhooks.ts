import { createHmac, randomBytes } from 'node:crypto';
import { eventPayload, generationView, type AivsForms } from './forms';
import type { Registry } from './generations';
import { MAX_WEBHOOKS, type AivsCounters, type DeliveryRecord, type WebhookEvent, type WebhookRecord } from './types';

/**
 * Registered webhooks and deliveries (A17–A20): the account's webhooks with their secrets, who gets
 * an event, and the signed POSTs with their retries.
 */

interface StoredWebhook extends WebhookRecord {
  /** The API key that created it: what signs its deliveries in the 'api-key' reading. */
  creatorKey: string;
}

export interface DeliveryTarget {
  webhookId: string | null;
  url: string;
  secret: string | null;
}

export class WebhookStore {
  private readonly items: StoredWebhook[] = [];

  list(): WebhookRecord[] {
    return this.items.map(({ creatorKey: _creatorKey, ...record }) => ({ ...record, events: [...record.events] }));
  }

  get(id: string): WebhookRecord | undefined {
    return this.list().find((record) => record.id === id);
  }

  full(): boolean {
    return this.items.length >= MAX_WEBHOOKS;
  }

  create(url: string, events: readonly WebhookEvent[], creatorKey: string, now: number): WebhookRecord {
    let id: string;
    do id = `wh_${randomBytes(8).toString('hex')}`;
    while (this.items.some((item) => item.id === id));
    const secret = `whsec_${randomBytes(16).toString('hex')}`;
    this.items.push({ id, url, events: [...events], active: true, secret, createdAt: now, creatorKey });
    return this.get(id) as WebhookRecord;
  }

  update(id: string, changes: { url?: string; events?: WebhookEvent[]; active?: boolean }): WebhookRecord | undefined {
    const item = this.items.find((candidate) => candidate.id === id);
    if (!item) return undefined;
    if (changes.url !== undefined) item.url = changes.url;
    if (changes.events !== undefined) item.events = [...changes.events];
    if (changes.active !== undefined) item.active = changes.active;
    return this.get(id);
  }

  delete(id: string): boolean {
    const index = this.items.findIndex((item) => item.id === id);
    if (index < 0) return false;
    this.items.splice(index, 1);
    return true;
  }

  /** What signs a webhook's deliveries under `forms` (A18). */
  signingSecret(id: string, forms: AivsForms): string | undefined {
    const item = this.items.find((candidate) => candidate.id === id);
    if (!item) return undefined;
    return forms.webhookSecret === 'api-key' ? item.creatorKey : item.secret;
  }

  /**
   * Who gets `event` (A19): each active webhook subscribed to it, then the generation's own
   * webhook_url unless one of those already has that URL. That URL is signed with the secret of a
   * registered webhook of the same URL, if any, else sent unsigned.
   */
  targets(event: WebhookEvent, webhookUrl: string | null, forms: AivsForms): DeliveryTarget[] {
    const targets: DeliveryTarget[] = this.items
      .filter((item) => item.active && item.events.includes(event))
      .map((item) => ({ webhookId: item.id, url: item.url, secret: this.signingSecret(item.id, forms) ?? null }));
    if (webhookUrl !== null && !targets.some((target) => target.url === webhookUrl)) {
      const same = this.items.find((item) => item.url === webhookUrl);
      targets.push({
        webhookId: same?.id ?? null,
        url: webhookUrl,
        secret: same ? (this.signingSecret(same.id, forms) ?? null) : null,
      });
    }
    return targets;
  }
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.JSON.stringify(payload)")>`, as the doc's verifier recomputes it. */
export function signatureHeader(secret: string, t: number, payload: unknown): string {
  const v1 = createHmac('sha256', secret)
    .update(`${t}.${JSON.stringify(payload)}`)
    .digest('hex');
  return `t=${t},v1=${v1}`;
}

export interface DeliveryPlan {
  webhookId: string | null;
  url: string;
  secret: string | null;
  event: WebhookEvent;
  generationId: string;
  payload: Record<string, unknown>;
  /** The body as sent, compact or pretty (A19). */
  body: string;
  attempts: number;
  retryDelayMs: number;
  timeoutMs: number;
  now: () => number;
  stop: AbortSignal;
  record: (attempt: DeliveryRecord) => void;
}

/** Sends until a 2xx or the attempts run out, a fresh `t` each time; says whether it was delivered. Never throws. */
export async function deliver(plan: DeliveryPlan): Promise<boolean> {
  for (let attempt = 1; attempt <= plan.attempts; attempt += 1) {
    if (plan.stop.aborted) return false;
    const at = plan.now();
    const header = plan.secret === null ? null : signatureHeader(plan.secret, Math.floor(at / 1000), plan.payload);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(plan.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'AIVisualStudio-Webhooks (sandbox)',
          ...(header === null ? {} : { 'X-Webhook-Signature': header }),
        },
        body: plan.body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(plan.timeoutMs), plan.stop]),
      });
      await response.arrayBuffer().catch(() => undefined);
      status = response.status;
    } catch (problem) {
      error = problem instanceof Error ? problem.message : String(problem);
    }
    plan.record({
      webhookId: plan.webhookId,
      url: plan.url,
      event: plan.event,
      generationId: plan.generationId,
      attempt,
      signatureHeader: header,
      body: plan.body,
      status,
      error,
      at,
    });
    if (status !== null && status >= 200 && status < 300) return true;
    if (attempt < plan.attempts && !(await wait(plan.retryDelayMs, plan.stop))) return false;
  }
  return false;
}

/** Resolves true after `ms`, or false at once when `stop` aborts first. */
function wait(ms: number, stop: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (stop.aborted) {
      resolve(false);
      return;
    }
    const onStop = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onStop);
      resolve(true);
    }, ms);
    stop.addEventListener('abort', onStop, { once: true });
  });
}

export interface AnnouncerDeps {
  /** Late-bound: the registry is built with the announcer as its `ended` callback. */
  registry: () => Registry;
  store: WebhookStore;
  forms: () => AivsForms;
  now: () => number;
  deliveries: DeliveryRecord[];
  counters: AivsCounters;
  /** Keeps a delivery in the set close() waits for. */
  track: (work: Promise<unknown>) => void;
  stop: AbortSignal;
  attempts: number;
  retryDelayMs: number;
  timeoutMs: number;
}

/** What happens when a generation ends (A19): one payload, sent to every target with its own retries. */
export function announcer(deps: AnnouncerDeps): (id: string) => void {
  return (id) => {
    const forms = deps.forms();
    const registry = deps.registry();
    const record = registry.record(id, forms);
    const facts = registry.facts(id);
    if (!record || !facts) return;
    const event = facts.state === 'completed' ? 'generation.completed' : 'generation.failed';
    const now = deps.now();
    const payload = eventPayload(event, generationView(facts, forms, now), now, forms);
    const body =
      forms.deliveryBody === 'pretty'
        ? JSON.stringify(payload, null, 2)
        : `${JSON.stringify(payload)}${forms.deliveryBody === 'newline' ? '\n' : ''}`;
    for (const target of deps.store.targets(event, record.webhookUrl, forms)) {
      const sending = deliver({
        ...target,
        event,
        generationId: id,
        payload,
        body,
        attempts: deps.attempts,
        retryDelayMs: deps.retryDelayMs,
        timeoutMs: deps.timeoutMs,
        now: deps.now,
        stop: deps.stop,
        record: (attempt) => {
          deps.deliveries.push(attempt);
          deps.counters.deliveryAttempts += 1;
        },
      }).then((delivered) => {
        if (delivered) deps.counters.delivered += 1;
        else deps.counters.abandoned += 1;
      });
      deps.track(sending);
    }
  };
}
