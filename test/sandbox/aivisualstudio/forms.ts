/**
 * The silent points of the AI Visual Studio doc (shared/api-docs/aivisualstudio.txt), each a switch
 * with its plausible readings; the first is the sandbox's default. Every answer that shows a
 * generation (create, GET one, the list, webhook payloads) is written here, so one switch changes
 * them all alike. See A9–A12 and A17–A19 in server.ts.
 */
import type { GenerationState, GenerationType, WebhookEvent, WebhookRecord } from './types';

export interface AivsForms {
  /**
   * Status words: the doc's three (processing → completed | failed); `pending` for the first third of
   * a generation's time, then processing; `queued` likewise; failures written as `canceled`.
   */
  statuses: 'three' | 'pending' | 'queued' | 'canceled';
  /** A completed generation's result: `output_url: "…"`; `output_urls: ["…"]`; `outputs: [{url, content_type}]`; `result: {url}`. */
  output: 'output_url' | 'output_urls' | 'outputs' | 'result';
  /** Times: `created_at`/`completed_at` ISO 8601; `createdAt`/`completedAt` ISO 8601; `created_at`/`completed_at` Unix seconds. */
  times: 'iso' | 'camel' | 'unix';
  /** GET generations/:id: the generation itself; `{data: generation}`; `{generation: generation}`. */
  single: 'bare' | 'data' | 'generation';
  /** GET generations: `{data, total, limit, offset}`; `{generations, total}`; a bare array. */
  list: 'data' | 'generations' | 'array';
  /**
   * The webhook secret: `secret` in the create answer only; `signing_secret` in the create answer
   * only; never in an answer (copied from the dashboard); none, deliveries signed with the API key.
   */
  webhookSecret: 'secret' | 'signing_secret' | 'dashboard' | 'api-key';
  /** Delivery bodies: JSON.stringify(payload); JSON.stringify(payload, null, 2); compact with a final newline. */
  deliveryBody: 'compact' | 'pretty' | 'newline';
}

export const FORM_CHOICES: { readonly [K in keyof AivsForms]: readonly AivsForms[K][] } = {
  statuses: ['three', 'pending', 'queued', 'canceled'],
  output: ['output_url', 'output_urls', 'outputs', 'result'],
  times: ['iso', 'camel', 'unix'],
  single: ['bare', 'data', 'generation'],
  list: ['data', 'generations', 'array'],
  webhookSecret: ['secret', 'signing_secret', 'dashboard', 'api-key'],
  deliveryBody: ['compact', 'pretty', 'newline'],
};

/** The first reading of every switch. */
export function defaultForms(): AivsForms {
  const entries = Object.entries(FORM_CHOICES).map(([name, values]) => [name, values[0]]);
  return Object.fromEntries(entries) as AivsForms;
}

/** Merges named forms into `current`; throws on an unknown name or value so a typo cannot pass as a default. */
export function mergeForms(current: AivsForms, changes: Partial<AivsForms>): AivsForms {
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(changes) as [string, unknown][]) {
    if (value === undefined) continue;
    if (!Object.hasOwn(FORM_CHOICES, name)) throw new Error(`unknown aivisualstudio form ${JSON.stringify(name)}`);
    const allowed: readonly unknown[] = FORM_CHOICES[name as keyof AivsForms];
    if (!allowed.includes(value)) {
      throw new Error(`forms.${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    }
    named[name] = value;
  }
  return { ...current, ...(named as Partial<AivsForms>) };
}

/** What the writers need to know about a generation. */
export interface GenerationFacts {
  id: string;
  type: GenerationType;
  model: string;
  prompt: string;
  state: GenerationState;
  createdAt: number;
  completedAt: number | null;
  /** From creation to the end, in ms (after `speed`): the early third is pending/queued in those readings. */
  durationMs: number;
  creditsCharged: number;
  outputs: readonly { url: string; contentType: string }[];
  errorMessage: string | null;
}

/** The status word a generation shows at `now` (A9). */
export function statusWord(facts: GenerationFacts, forms: AivsForms, now: number): string {
  switch (facts.state) {
    case 'completed':
      return 'completed';
    case 'failed':
      return forms.statuses === 'canceled' ? 'canceled' : 'failed';
    case 'processing': {
      const early = now < facts.createdAt + facts.durationMs / 3;
      if (early && forms.statuses === 'pending') return 'pending';
      if (early && forms.statuses === 'queued') return 'queued';
      return 'processing';
    }
  }
}

/** One instant as the times reading writes it: ISO 8601 to the second (as the doc shows), or Unix seconds. */
export function stamp(ms: number, forms: AivsForms): string | number {
  if (forms.times === 'unix') return Math.floor(ms / 1000);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function createdKey(forms: AivsForms): string {
  return forms.times === 'camel' ? 'createdAt' : 'created_at';
}

function timeFields(createdAt: number, completedAt: number | null, forms: AivsForms): Record<string, unknown> {
  const fields: Record<string, unknown> = { [createdKey(forms)]: stamp(createdAt, forms) };
  if (completedAt !== null)
    fields[forms.times === 'camel' ? 'completedAt' : 'completed_at'] = stamp(completedAt, forms);
  return fields;
}

function outputFields(outputs: GenerationFacts['outputs'], forms: AivsForms): Record<string, unknown> {
  const first = outputs[0];
  switch (forms.output) {
    case 'output_url':
      return first ? { output_url: first.url } : {};
    case 'output_urls':
      return { output_urls: outputs.map((output) => output.url) };
    case 'outputs':
      return { outputs: outputs.map((output) => ({ url: output.url, content_type: output.contentType })) };
    case 'result':
      return first ? { result: { url: first.url } } : {};
  }
}

/** The create answer: the doc's seven fields, status and time as the forms say (A8). */
export function createdView(facts: GenerationFacts, forms: AivsForms, now: number): Record<string, unknown> {
  return {
    id: facts.id,
    status: statusWord(facts, forms, now),
    prompt: facts.prompt,
    model: facts.model,
    type: facts.type,
    credits_charged: facts.creditsCharged,
    ...timeFields(facts.createdAt, null, forms),
  };
}

/** A generation as GET, the list and webhook payloads show it (A10). */
export function generationView(facts: GenerationFacts, forms: AivsForms, now: number): Record<string, unknown> {
  return {
    id: facts.id,
    type: facts.type,
    status: statusWord(facts, forms, now),
    prompt: facts.prompt,
    model: facts.model,
    credits_charged: facts.creditsCharged,
    ...(facts.state === 'completed' ? outputFields(facts.outputs, forms) : {}),
    ...(facts.state === 'failed'
      ? { error: { code: 'generation_failed', message: facts.errorMessage ?? 'The generation failed' } }
      : {}),
    ...timeFields(facts.createdAt, facts.completedAt, forms),
  };
}

export function singleEnvelope(view: Record<string, unknown>, forms: AivsForms): unknown {
  if (forms.single === 'data') return { data: view };
  return forms.single === 'generation' ? { generation: view } : view;
}

export function listEnvelope(
  views: readonly Record<string, unknown>[],
  page: { total: number; limit: number; offset: number },
  forms: AivsForms,
): unknown {
  switch (forms.list) {
    case 'data':
      return { data: views, total: page.total, limit: page.limit, offset: page.offset };
    case 'generations':
      return { generations: views, total: page.total };
    case 'array':
      return views;
  }
}

/** The field naming the secret in a webhook's create answer, or null when the reading shows none (A18). */
export function secretField(forms: AivsForms): 'secret' | 'signing_secret' | null {
  if (forms.webhookSecret === 'secret') return 'secret';
  if (forms.webhookSecret === 'signing_secret') return 'signing_secret';
  return null;
}

/** A webhook as the API shows it; the secret only in its create answer (`withSecret`). */
export function webhookView(record: WebhookRecord, forms: AivsForms, withSecret: boolean): Record<string, unknown> {
  const field = withSecret ? secretField(forms) : null;
  return {
    id: record.id,
    url: record.url,
    events: [...record.events],
    active: record.active,
    ...(field ? { [field]: record.secret } : {}),
    [createdKey(forms)]: stamp(record.createdAt, forms),
  };
}

/** The payload POSTed to webhooks: the doc's envelope, its time written as the forms say (A19). */
export function eventPayload(
  event: WebhookEvent,
  data: Record<string, unknown>,
  at: number,
  forms: AivsForms,
): Record<string, unknown> {
  return { event, data, [createdKey(forms)]: stamp(at, forms) };
}
