import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AivsSandboxOptions } from '../sandbox/aivisualstudio/server';
import {
  errorOf,
  field,
  startHarness,
  startWebhookReceiver,
  waitFor,
  type Harness,
  type WebhookReceiver,
} from '../sandbox/aivisualstudio/testkit';

/**
 * Webhooks against the doc: CRUD and its rules, deliveries checked by the doc's own verifier (HMAC
 * over `${t}.${JSON.stringify(parsedBody)}`), event subscriptions, retries, redirects, a generation's
 * own webhook_url, and the server clock in `t`. Receivers are real HTTP servers on loopback.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: AivsSandboxOptions = {}): Promise<{ h: Harness; receiver: WebhookReceiver }> {
  const receiver = await startWebhookReceiver();
  cleanups.push(() => receiver.close());
  const h = await startHarness(options);
  cleanups.push(() => h.sandbox.close());
  return { h, receiver };
}

/** The doc's verifier, typed: the parsed payload re-serialised, the timestamp within 5 minutes. */
function verifyWebhookSignature(payload: unknown, signature: string, secret: string): boolean {
  const [timestamp = '', hash = ''] = signature.split(',').map((part) => {
    const [, value] = part.split('=');
    return value ?? '';
  });
  const now = Math.floor(Date.now() / 1000);
  if (Math.abs(now - parseInt(timestamp)) > 300) {
    return false;
  }
  const expectedHash = crypto
    .createHmac('sha256', secret)
    .update(`${timestamp}.${JSON.stringify(payload)}`)
    .digest('hex');
  return crypto.timingSafeEqual(Buffer.from(hash), Buffer.from(expectedHash));
}

const createWebhook = (h: Harness, body: unknown) => h.call('POST', '/api/v1/webhooks', { json: body });

async function register(h: Harness, url: string, events?: string[]): Promise<{ id: string; secret: string }> {
  const reply = await createWebhook(h, events === undefined ? { url } : { url, events });
  if (reply.status !== 201) throw new Error(`POST /webhooks answered ${reply.status}: ${reply.text}`);
  return { id: String(field(reply.json, 'id')), secret: String(field(reply.json, 'secret')) };
}

describe('aivisualstudio sandbox: webhook endpoints', () => {
  it('creates (201, the secret once), lists without secrets, updates and deletes', async () => {
    const { h, receiver } = await setup();
    const created = await createWebhook(h, { url: receiver.url() });
    expect(created.status).toBe(201);
    expect(Object.keys(created.json as object).sort()).toEqual([
      'active',
      'created_at',
      'events',
      'id',
      'secret',
      'url',
    ]);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^wh_[0-9a-f]{16}$/) as unknown,
      url: receiver.url(),
      events: ['generation.completed', 'generation.failed'],
      active: true,
      secret: expect.stringMatching(/^whsec_[0-9a-f]{32}$/) as unknown,
    });
    const id = String(field(created.json, 'id'));
    expect(h.sandbox.webhookSecretOf(id)).toBe(field(created.json, 'secret'));

    const listed = await h.call('GET', '/api/v1/webhooks');
    expect(Object.keys(listed.json as object)).toEqual(['data']);
    const [only] = field(listed.json, 'data') as Record<string, unknown>[];
    expect(only).toMatchObject({ id, url: receiver.url(), active: true });
    expect(only).not.toHaveProperty('secret');

    const patched = await h.call('PATCH', `/api/v1/webhooks/${id}`, {
      json: { active: false, events: ['generation.failed'], url: receiver.url('/other') },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      id,
      active: false,
      events: ['generation.failed'],
      url: receiver.url('/other'),
    });
    expect(patched.json).not.toHaveProperty('secret');

    const deleted = await h.call('DELETE', `/api/v1/webhooks/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ id, deleted: true });
    expect(field((await h.call('GET', '/api/v1/webhooks')).json, 'data')).toEqual([]);
    expect(h.sandbox.violations).toEqual([]);
  });

  it.each([
    ['PATCH', { active: true }],
    ['DELETE', undefined],
  ])('answers %s of an unknown webhook 404 not_found, recorded', async (method, body) => {
    const { h } = await setup();
    const reply = await h.call(
      method,
      '/api/v1/webhooks/wh_0000000000000000',
      body === undefined ? {} : { json: body },
    );
    expect(reply.status).toBe(404);
    expect(errorOf(reply).code).toBe('not_found');
    expect(h.rules()).toEqual(['webhook-unknown']);
  });

  it.each([
    ['url-missing', 'url', { events: ['generation.completed'] }],
    ['url-type', 'url', { url: 7 }],
    ['url-scheme', 'url', { url: 'http://example.com/hook' }],
    ['url-scheme', 'url', { url: 'ftp://example.com/hook' }],
    ['url-scheme', 'url', { url: 'example.com/hook' }],
    ['events-type', 'events', { url: 'https://127.0.0.1:1/h', events: 'generation.completed' }],
    ['events-empty', 'events', { url: 'https://127.0.0.1:1/h', events: [] }],
    ['events-unknown', 'events', { url: 'https://127.0.0.1:1/h', events: ['generation.started'] }],
    [
      'events-duplicate',
      'events',
      { url: 'https://127.0.0.1:1/h', events: ['generation.failed', 'generation.failed'] },
    ],
    ['unknown-field', 'secret', { url: 'https://127.0.0.1:1/h', secret: 'mine' }],
  ])('refuses a webhook breaking %s (%s)', async (rule, name, body) => {
    const { h } = await setup();
    const reply = await createWebhook(h, body);
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toMatchObject({ code: 'invalid_request', details: { rule, field: name } });
    expect(h.rules()).toEqual([rule]);
    expect(h.sandbox.webhooks()).toEqual([]);
  });

  it.each([
    ['patch-empty', {}],
    ['active-type', { active: 'yes' }],
    ['url-scheme', { url: 'http://192.168.1.10/hook' }],
    ['events-empty', { events: [] }],
    ['unknown-field', { secret: 'x' }],
  ])('refuses a PATCH breaking %s', async (rule, body) => {
    const { h, receiver } = await setup();
    const { id } = await register(h, receiver.url());
    const reply = await h.call('PATCH', `/api/v1/webhooks/${id}`, { json: body });
    expect(reply.status).toBe(400);
    expect(h.rules()).toEqual([rule]);
  });

  it('accepts plain http for loopback hosts only, and https anywhere', async () => {
    const { h } = await setup();
    for (const url of [
      'http://localhost:9/h',
      'http://127.0.0.2:9/h',
      'http://[::1]:9/h',
      'https://hooks.example.com/h',
    ]) {
      expect((await createWebhook(h, { url })).status, url).toBe(201);
    }
    expect((await createWebhook(h, { url: 'http://hooks.example.com/h' })).status).toBe(400);
    expect(h.rules()).toEqual(['url-scheme']);
  });

  it('holds at most 10 webhooks per account: the 11th is webhook-limit', async () => {
    const { h, receiver } = await setup();
    for (let index = 0; index < 10; index += 1) await register(h, receiver.url(`/n${index}`));
    const reply = await createWebhook(h, { url: receiver.url('/eleventh') });
    expect(reply.status).toBe(400);
    expect(h.rules()).toEqual(['webhook-limit']);
  });
});

describe('aivisualstudio sandbox: deliveries', () => {
  it('POSTs generation.completed, signed so the doc’s verifier accepts it, with the generation as GET shows it', async () => {
    const { h, receiver } = await setup();
    const { id: webhookId, secret } = await register(h, receiver.url());
    const id = await h.image({ prompt: 'A futuristic city at sunset' });
    await waitFor(() => h.sandbox.counters.delivered === 1, 'the delivery');
    const [hook] = receiver.received;
    expect(hook?.contentType).toBe('application/json');
    const payload = JSON.parse(hook?.body ?? '') as Record<string, unknown>;
    expect(verifyWebhookSignature(payload, hook?.signature ?? '', secret)).toBe(true);
    expect(verifyWebhookSignature(payload, hook?.signature ?? '', 'whsec_wrong')).toBe(false);
    expect(hook?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(Object.keys(payload).sort()).toEqual(['created_at', 'data', 'event']);
    expect(payload.event).toBe('generation.completed');
    const got = await h.call('GET', `/api/v1/generations/${id}`);
    expect(payload.data).toEqual(got.json);
    expect(payload.data).toMatchObject({
      id,
      type: 'image',
      status: 'completed',
      prompt: 'A futuristic city at sunset',
    });
    expect(h.sandbox.deliveries).toEqual([
      expect.objectContaining({
        webhookId,
        url: receiver.url(),
        event: 'generation.completed',
        generationId: id,
        attempt: 1,
        status: 200,
        error: null,
        body: hook?.body,
        signatureHeader: hook?.signature,
      }),
    ]);
  });

  it('sends generation.failed to subscribers of it only, and nothing to an inactive webhook', async () => {
    const { h, receiver } = await setup();
    await register(h, receiver.url('/completed-only'), ['generation.completed']);
    const { secret } = await register(h, receiver.url('/failed-only'), ['generation.failed']);
    const { id: paused } = await register(h, receiver.url('/paused'));
    await h.call('PATCH', `/api/v1/webhooks/${paused}`, { json: { active: false } });
    h.sandbox.addFault({ kind: 'fail' });
    const id = await h.image();
    await waitFor(() => h.sandbox.counters.delivered === 1, 'the delivery');
    await h.ended(await h.image());
    await waitFor(() => h.sandbox.counters.delivered === 2, 'the second delivery');
    expect(receiver.received.map((hook) => hook.path)).toEqual(['/failed-only', '/completed-only']);
    const failed = JSON.parse(receiver.received[0]?.body ?? '') as Record<string, unknown>;
    expect(failed).toMatchObject({
      event: 'generation.failed',
      data: { id, status: 'failed', error: { code: 'generation_failed' } },
    });
    expect(verifyWebhookSignature(failed, receiver.received[0]?.signature ?? '', secret)).toBe(true);
  });

  it('retries a non-2xx after the delay with the same payload and a fresh signature, up to 3 attempts', async () => {
    const { h, receiver } = await setup();
    const { secret } = await register(h, receiver.url());
    receiver.failNext(2, 503);
    await h.image();
    await waitFor(() => h.sandbox.counters.delivered === 1, 'the third attempt to land');
    expect(h.sandbox.deliveries.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    const bodies = receiver.received.map((hook) => JSON.parse(hook.body) as unknown);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    for (const hook of receiver.received)
      expect(verifyWebhookSignature(JSON.parse(hook.body), hook.signature ?? '', secret)).toBe(true);
  });

  it('gives up after webhookAttempts, and does not follow redirects', async () => {
    const { h, receiver } = await setup({ webhookAttempts: 3 });
    await register(h, receiver.url());
    receiver.failNext(3, 302);
    await h.image();
    await waitFor(() => h.sandbox.counters.abandoned === 1, 'the delivery to be abandoned');
    expect(h.sandbox.deliveries.map((attempt) => attempt.status)).toEqual([302, 302, 302]);
    expect(receiver.received.map((hook) => hook.path)).toEqual(['/webhooks/aivs', '/webhooks/aivs', '/webhooks/aivs']);
  });

  it('records a receiver that cannot be reached as an error, and retries it', async () => {
    const { h } = await setup({ webhookAttempts: 2 });
    await register(h, 'http://127.0.0.1:1/closed');
    await h.image();
    await waitFor(() => h.sandbox.counters.abandoned === 1, 'both attempts');
    expect(h.sandbox.deliveries.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, null],
      [2, null],
    ]);
    expect(h.sandbox.deliveries[0]?.error).toEqual(expect.any(String));
  });

  it('sends a generation’s own webhook_url unsigned when no registered webhook has that URL', async () => {
    const { h, receiver } = await setup();
    const id = await h.image({ webhook_url: receiver.url('/own') });
    await waitFor(() => h.sandbox.counters.delivered === 1, 'the delivery');
    expect(receiver.received[0]?.signature).toBeNull();
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toMatchObject({ event: 'generation.completed', data: { id } });
    expect(h.sandbox.deliveries[0]).toMatchObject({
      webhookId: null,
      signatureHeader: null,
      url: receiver.url('/own'),
    });
    expect(h.sandbox.generation(id)?.webhookUrl).toBe(receiver.url('/own'));
  });

  it('signs a webhook_url that is a registered webhook’s URL with its secret, and POSTs it once', async () => {
    const { h, receiver } = await setup();
    const { id: webhookId, secret } = await register(h, receiver.url('/shared'));
    const { secret: otherSecret } = await register(h, receiver.url('/paused'));
    const paused = h.sandbox.webhooks().find((record) => record.url === receiver.url('/paused'))?.id ?? '';
    await h.call('PATCH', `/api/v1/webhooks/${paused}`, { json: { active: false } });
    await h.image({ webhook_url: receiver.url('/shared') });
    await h.image({ webhook_url: receiver.url('/paused') });
    await waitFor(() => h.sandbox.counters.delivered === 3, 'three deliveries');
    const byPath = (path: string) => receiver.received.filter((hook) => hook.path === path);
    expect(byPath('/shared')).toHaveLength(2);
    expect(byPath('/paused')).toHaveLength(1);
    for (const hook of byPath('/shared'))
      expect(verifyWebhookSignature(JSON.parse(hook.body), hook.signature ?? '', secret)).toBe(true);
    const pausedHook = byPath('/paused')[0];
    expect(verifyWebhookSignature(JSON.parse(pausedHook?.body ?? ''), pausedHook?.signature ?? '', otherSecret)).toBe(
      true,
    );
    expect(h.sandbox.deliveries.filter((attempt) => attempt.webhookId === webhookId)).toHaveLength(2);
  });

  it('signs with the server clock: a day-ahead t fails the doc’s 5-minute replay check', async () => {
    const skew = 24 * 3_600_000;
    const { h, receiver } = await setup({ clockSkewMs: skew });
    const { secret } = await register(h, receiver.url());
    await h.image();
    await waitFor(() => h.sandbox.counters.delivered === 1, 'the delivery');
    const hook = receiver.received[0];
    const t = Number(/^t=(\d+),/.exec(hook?.signature ?? '')?.[1]);
    expect(t).toBeGreaterThan(Math.floor((Date.now() + skew) / 1000) - 60);
    expect(verifyWebhookSignature(JSON.parse(hook?.body ?? ''), hook?.signature ?? '', secret)).toBe(false);
    const recomputed = crypto
      .createHmac('sha256', secret)
      .update(`${t}.${JSON.stringify(JSON.parse(hook?.body ?? ''))}`)
      .digest('hex');
    expect(hook?.signature).toBe(`t=${t},v1=${recomputed}`);
  });
});
