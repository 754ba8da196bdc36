import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FORM_CHOICES, type AivsForms, type AivsSandboxOptions } from '../sandbox/aivisualstudio/server';
import {
  field,
  startHarness,
  startWebhookReceiver,
  waitFor,
  type Harness,
  type WebhookReceiver,
} from '../sandbox/aivisualstudio/testkit';

/**
 * Every reading of every silent point (forms.ts), each applied alike to the create answer, GET
 * generations/:id, the list and webhook payloads. Images end in 20 ms here; videos never do, so a
 * processing generation is always at hand.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  h: Harness;
  receiver: WebhookReceiver;
  /** The secret (or key) that signs the registered webhook's deliveries. */
  secret: string;
  /** The webhook's create answer. */
  webhook: Record<string, unknown>;
}

async function setup(forms: Partial<AivsForms>, options: AivsSandboxOptions = {}): Promise<Setup> {
  const receiver = await startWebhookReceiver();
  cleanups.push(() => receiver.close());
  const h = await startHarness({ speed: 1, durationsMs: { image: 20, video: 600_000 }, forms, ...options });
  cleanups.push(() => h.sandbox.close());
  const reply = await h.call('POST', '/api/v1/webhooks', { json: { url: receiver.url() } });
  const webhook = reply.json as Record<string, unknown>;
  const secret = h.sandbox.webhookSecretOf(String(webhook.id)) ?? '';
  return { h, receiver, secret, webhook };
}

const get = async (h: Harness, id: string): Promise<Record<string, unknown>> => {
  const reply = await h.call('GET', `/api/v1/generations/${id}`);
  const body = reply.json as Record<string, unknown>;
  const single = h.sandbox.forms.single;
  return (single === 'data' ? body.data : single === 'generation' ? body.generation : body) as Record<string, unknown>;
};

const listed = async (h: Harness): Promise<Record<string, unknown>[]> => {
  const body = (await h.call('GET', '/api/v1/generations')).json;
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  return (field(body, 'data') ?? field(body, 'generations')) as Record<string, unknown>[];
};

/** Creates an image, waits for its delivery, and returns every view of it. */
async function imageEverywhere(s: Setup, fail = false) {
  if (fail) s.h.sandbox.addFault({ kind: 'fail' });
  const created = (await s.h.generate('image', { prompt: 'A red barn' })).json as Record<string, unknown>;
  const id = String(created.id);
  await waitFor(() => s.h.sandbox.counters.delivered === 1, 'the delivery');
  const hook = s.receiver.received[0];
  const payload = JSON.parse(hook?.body ?? '') as Record<string, unknown>;
  return { id, created, got: await get(s.h, id), item: (await listed(s.h))[0] ?? {}, payload, hook };
}

const verify = (body: string, signature: string, secret: string): boolean => {
  const [t = '', v1 = ''] = signature.split(',').map((part) => part.split('=')[1] ?? '');
  const expected = crypto
    .createHmac('sha256', secret)
    .update(`${t}.${JSON.stringify(JSON.parse(body))}`)
    .digest('hex');
  return crypto.timingSafeEqual(Buffer.from(v1), Buffer.from(expected));
};

describe('aivisualstudio sandbox: forms.statuses', () => {
  it('three: processing, then completed; a failure is failed', async () => {
    const s = await setup({ statuses: 'three' });
    const views = await imageEverywhere(s);
    expect(views.created.status).toBe('processing');
    expect([views.got.status, views.item.status, field(views.payload.data, 'status')]).toEqual([
      'completed',
      'completed',
      'completed',
    ]);
    const failed = await setup({ statuses: 'three' });
    const bad = await imageEverywhere(failed, true);
    expect([bad.got.status, bad.item.status, field(bad.payload.data, 'status')]).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
    expect(bad.payload.event).toBe('generation.failed');
  });

  it.each([['pending'], ['queued']] as const)(
    '%s: that word for the first third, then processing, then completed',
    async (word) => {
      const s = await setup({ statuses: word }, { durationsMs: { image: 1_500 } });
      const created = (await s.h.generate('image', { prompt: 'p' })).json as Record<string, unknown>;
      const id = String(created.id);
      expect(created.status).toBe(word);
      expect(s.h.sandbox.generation(id)?.status).toBe(word);
      await waitFor(() => s.h.sandbox.generation(id)?.status !== word, `the end of ${word}`);
      expect(s.h.sandbox.generation(id)?.status).toBe('processing');
      expect((await get(s.h, id)).status).toBe('processing');
      await s.h.ended(id);
      expect((await get(s.h, id)).status).toBe('completed');
    },
  );

  it('canceled: a failed generation is written canceled everywhere, still a generation.failed event', async () => {
    const s = await setup({ statuses: 'canceled' });
    const views = await imageEverywhere(s, true);
    expect([views.got.status, views.item.status, field(views.payload.data, 'status')]).toEqual([
      'canceled',
      'canceled',
      'canceled',
    ]);
    expect(views.payload.event).toBe('generation.failed');
  });
});

describe('aivisualstudio sandbox: forms.output', () => {
  it.each([
    ['output_url', (url: string) => ({ output_url: url })],
    ['output_urls', (url: string) => ({ output_urls: [url] })],
    ['outputs', (url: string) => ({ outputs: [{ url, content_type: 'image/webp' }] })],
    ['result', (url: string) => ({ result: { url } })],
  ] as const)('%s: on GET, the list and the payload once completed, absent before', async (output, expected) => {
    const s = await setup({ output });
    const views = await imageEverywhere(s);
    const url = s.h.sandbox.generation(views.id)?.outputs[0]?.url ?? '';
    for (const view of [views.got, views.item, views.payload.data]) expect(view).toMatchObject(expected(url));
    const video = String(field((await s.h.generate('video', { prompt: 'p' })).json, 'id'));
    const processing = await get(s.h, video);
    for (const name of ['output_url', 'output_urls', 'outputs', 'result']) expect(processing).not.toHaveProperty(name);
    expect(views.created).not.toHaveProperty(output);
  });
});

describe('aivisualstudio sandbox: forms.times', () => {
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

  it.each([
    ['iso', 'created_at', 'completed_at', (value: unknown) => typeof value === 'string' && ISO.test(value)],
    ['camel', 'createdAt', 'completedAt', (value: unknown) => typeof value === 'string' && ISO.test(value)],
    [
      'unix',
      'created_at',
      'completed_at',
      (value: unknown) => Number.isInteger(value) && Math.abs(Number(value) - Date.now() / 1000) < 60,
    ],
  ] as const)('%s: %s and %s on every view, the envelope and webhooks', async (times, created, completed, valid) => {
    const s = await setup({ times });
    const views = await imageEverywhere(s);
    expect(valid(views.created[created])).toBe(true);
    expect(views.created).not.toHaveProperty(completed);
    for (const view of [views.got, views.item, views.payload.data as Record<string, unknown>]) {
      expect(valid(view[created]), JSON.stringify(view)).toBe(true);
      expect(valid(view[completed]), JSON.stringify(view)).toBe(true);
    }
    expect(valid(views.payload[created])).toBe(true);
    expect(valid(s.webhook[created])).toBe(true);
    const other = times === 'camel' ? 'created_at' : 'createdAt';
    expect(views.got).not.toHaveProperty(other);
    const video = String(field((await s.h.generate('video', { prompt: 'p' })).json, 'id'));
    expect(await get(s.h, video)).not.toHaveProperty(completed);
  });
});

describe('aivisualstudio sandbox: forms.single and forms.list', () => {
  it.each([
    ['bare', (body: unknown) => field(body, 'id')],
    ['data', (body: unknown) => field(field(body, 'data'), 'id')],
    ['generation', (body: unknown) => field(field(body, 'generation'), 'id')],
  ] as const)('single %s', async (single, idOf) => {
    const s = await setup({ single });
    const id = await s.h.image();
    const body = (await s.h.call('GET', `/api/v1/generations/${id}`)).json;
    expect(idOf(body)).toBe(id);
    if (single !== 'bare') expect(Object.keys(body as object)).toEqual([single]);
  });

  it.each([
    ['data', ['data', 'limit', 'offset', 'total']],
    ['generations', ['generations', 'total']],
    ['array', null],
  ] as const)('list %s', async (list, keys) => {
    const s = await setup({ list });
    const id = await s.h.image();
    const body = (await s.h.call('GET', '/api/v1/generations')).json;
    if (keys === null) expect(Array.isArray(body)).toBe(true);
    else expect(Object.keys(body as object).sort()).toEqual([...keys]);
    if (keys !== null) expect(field(body, 'total')).toBe(1);
    expect((await listed(s.h)).map((item) => item.id)).toEqual([id]);
  });
});

describe('aivisualstudio sandbox: forms.webhookSecret and forms.deliveryBody', () => {
  it.each([
    ['secret', 'secret'],
    ['signing_secret', 'signing_secret'],
  ] as const)('%s: the secret in field %s of the create answer only, and it signs', async (webhookSecret, name) => {
    const s = await setup({ webhookSecret });
    expect(s.webhook[name]).toMatch(/^whsec_[0-9a-f]{32}$/);
    expect(Object.keys(s.webhook).filter((key) => key.includes('secret'))).toEqual([name]);
    const listed = field((await s.h.call('GET', '/api/v1/webhooks')).json, 'data') as Record<string, unknown>[];
    expect(listed[0]).not.toHaveProperty(name);
    const views = await imageEverywhere(s);
    expect(verify(views.hook?.body ?? '', views.hook?.signature ?? '', String(s.webhook[name]))).toBe(true);
  });

  it('dashboard: no secret in any answer; deliveries signed with the one webhookSecretOf gives', async () => {
    const s = await setup({ webhookSecret: 'dashboard' });
    expect(Object.keys(s.webhook).some((key) => key.includes('secret'))).toBe(false);
    expect(s.secret).toMatch(/^whsec_[0-9a-f]{32}$/);
    const views = await imageEverywhere(s);
    expect(verify(views.hook?.body ?? '', views.hook?.signature ?? '', s.secret)).toBe(true);
  });

  it('api-key: no secret anywhere; deliveries signed with the API key that created the webhook', async () => {
    const s = await setup({ webhookSecret: 'api-key' });
    expect(Object.keys(s.webhook).some((key) => key.includes('secret'))).toBe(false);
    expect(s.secret).toBe(s.h.sandbox.apiKey);
    const views = await imageEverywhere(s);
    expect(verify(views.hook?.body ?? '', views.hook?.signature ?? '', s.h.sandbox.apiKey)).toBe(true);
  });

  it.each([
    ['compact', (payload: unknown) => JSON.stringify(payload)],
    ['pretty', (payload: unknown) => JSON.stringify(payload, null, 2)],
    ['newline', (payload: unknown) => `${JSON.stringify(payload)}\n`],
  ] as const)(
    'deliveryBody %s: the body as sent, the signature over the re-serialised payload either way',
    async (deliveryBody, written) => {
      const s = await setup({ deliveryBody });
      const views = await imageEverywhere(s);
      const body = views.hook?.body ?? '';
      expect(body).toBe(written(views.payload));
      expect(verify(body, views.hook?.signature ?? '', s.secret)).toBe(true);
    },
  );
});

describe('aivisualstudio sandbox: forms together', () => {
  it('writes one generation alike in the create answer, GET, the list and the payload, whatever the switches', async () => {
    const s = await setup({
      statuses: 'queued',
      output: 'outputs',
      times: 'camel',
      single: 'data',
      list: 'generations',
    });
    const views = await imageEverywhere(s);
    expect(views.got).toEqual(views.item);
    expect(views.payload.data).toEqual(views.got);
    for (const name of ['id', 'prompt', 'model', 'type', 'credits_charged', 'createdAt']) {
      expect(views.created[name]).toEqual(views.got[name]);
    }
    expect(views.payload).toHaveProperty('createdAt');
  });

  it('switches at run time, refuses unknown readings, and lists every reading', async () => {
    const s = await setup({});
    expect(s.h.sandbox.forms).toEqual({
      statuses: 'three',
      output: 'output_url',
      times: 'iso',
      single: 'bare',
      list: 'data',
      webhookSecret: 'secret',
      deliveryBody: 'compact',
    });
    s.h.sandbox.setForms({ times: 'unix' });
    expect(field((await s.h.generate('image', { prompt: 'p' })).json, 'created_at')).toEqual(expect.any(Number));
    expect(() => s.h.sandbox.setForms({ times: 'rfc' as AivsForms['times'] })).toThrow(/forms.times/);
    expect(Object.values(FORM_CHOICES).map((choices) => choices.length)).toEqual([4, 4, 3, 3, 3, 4, 3]);
  });
});
