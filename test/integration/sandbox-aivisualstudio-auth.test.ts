import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, SCOPES, type AivsSandboxOptions, type Scope } from '../sandbox/aivisualstudio/server';
import { errorOf, field, startHarness, waitFor, type Harness, type Reply } from '../sandbox/aivisualstudio/testkit';

/**
 * The AI Visual Studio sandbox's keys, scopes, rate limit and clock against the doc: each error code
 * with its status, the order of the checks, the rate headers on every answer, and a skewed server
 * clock showing in Date, created_at, X-RateLimit-Reset and key expiry.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: AivsSandboxOptions = {}): Promise<Harness> {
  const harness = await startHarness(options);
  cleanups.push(() => harness.sandbox.close());
  return harness;
}

const RATE_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
const hasRateHeaders = (reply: Reply): boolean => RATE_HEADERS.every((name) => reply.headers.get(name) !== null);

/** An answer refused before the key was established: the code, no rate headers, no violation. */
function expectAuthRefusal(h: Harness, reply: Reply, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(errorOf(reply).code).toBe(code);
  expect(typeof errorOf(reply).message).toBe('string');
  expect(h.sandbox.violations).toEqual([]);
}

describe('aivisualstudio sandbox: keys', () => {
  it.each([
    ['no Authorization header', { key: null }],
    ['an empty Authorization header', { authorization: '' }],
    ['Bearer without a key', { authorization: 'Bearer ' }],
    ['another scheme', { authorization: `Basic ${DEFAULT_API_KEY}` }],
    ['the bare key', { authorization: DEFAULT_API_KEY }],
  ])('answers 401 missing_api_key for %s, without rate headers', async (_name, options) => {
    const h = await setup();
    const reply = await h.call('GET', '/api/v1/models', options);
    expectAuthRefusal(h, reply, 401, 'missing_api_key');
    expect(RATE_HEADERS.map((name) => reply.headers.get(name))).toEqual([null, null, null]);
    expect(h.sandbox.counters.authRefused).toBe(1);
  });

  it('answers 401 invalid_api_key for an unknown key and a revoked one', async () => {
    const h = await setup({ keys: [{ key: 'avs_live_ok_key_1', scopes: ['read'] }] });
    expectAuthRefusal(h, await h.call('GET', '/api/v1/models', { key: 'avs_live_nope' }), 401, 'invalid_api_key');
    expect((await h.call('GET', '/api/v1/models')).status).toBe(200);
    h.sandbox.revokeKey('avs_live_ok_key_1');
    expectAuthRefusal(h, await h.call('GET', '/api/v1/models'), 401, 'invalid_api_key');
    h.sandbox.addKey({ key: 'avs_live_revoked_2', scopes: ['read'], revoked: true });
    expectAuthRefusal(h, await h.call('GET', '/api/v1/models', { key: 'avs_live_revoked_2' }), 401, 'invalid_api_key');
  });

  it('answers 401 expired_api_key once expiresAt has passed, and accepts a key expiring later', async () => {
    const h = await setup({
      keys: [
        { key: 'avs_live_expired', scopes: ['read'], expiresAt: Date.now() - 1_000 },
        { key: 'avs_live_later', scopes: ['read'], expiresAt: Date.now() + 3_600_000 },
      ],
    });
    expectAuthRefusal(h, await h.call('GET', '/api/v1/models', { key: 'avs_live_expired' }), 401, 'expired_api_key');
    expect((await h.call('GET', '/api/v1/models', { key: 'avs_live_later' })).status).toBe(200);
    h.sandbox.expireKey('avs_live_later');
    expectAuthRefusal(h, await h.call('GET', '/api/v1/models', { key: 'avs_live_later' }), 401, 'expired_api_key');
  });

  it('checks a key in order: a revoked key that has also expired is invalid, not expired', async () => {
    const h = await setup({ keys: [{ key: 'avs_live_both', scopes: ['read'], expiresAt: 0, revoked: true }] });
    expectAuthRefusal(h, await h.call('GET', '/api/v1/models'), 401, 'invalid_api_key');
  });

  it.each([
    [['10.0.0.1'], 403],
    [['127.0.0.1'], 200],
    [['::ffff:127.0.0.1'], 200],
    [['10.0.0.1', '127.0.0.1'], 200],
    [[], 200],
  ])('with the allowlist %j answers %i from 127.0.0.1', async (ipAllowlist, status) => {
    const h = await setup({ keys: [{ key: 'avs_live_ip_key', scopes: ['read'], ipAllowlist }] });
    const reply = await h.call('GET', '/api/v1/models');
    if (status === 403) expectAuthRefusal(h, reply, 403, 'ip_not_allowed');
    else expect(reply.status).toBe(200);
  });
});

describe('aivisualstudio sandbox: scopes', () => {
  const routes: [method: string, path: string, scope: Scope, body?: unknown][] = [
    ['GET', '/api/v1/generations', 'read'],
    ['GET', '/api/v1/generations/gen_0123456789abcdef', 'read'],
    ['GET', '/api/v1/models', 'read'],
    ['POST', '/api/v1/generate/image', 'generate:image', { prompt: 'p' }],
    ['POST', '/api/v1/generate/video', 'generate:video', { prompt: 'p' }],
    ['GET', '/api/v1/webhooks', 'webhooks'],
    ['POST', '/api/v1/webhooks', 'webhooks', { url: 'https://127.0.0.1:1/h' }],
    ['PATCH', '/api/v1/webhooks/wh_0123456789abcdef', 'webhooks', { active: false }],
    ['DELETE', '/api/v1/webhooks/wh_0123456789abcdef', 'webhooks'],
  ];

  it.each(routes)('%s %s needs %s: 403 insufficient_scope {required} without it', async (method, path, scope, body) => {
    const others = SCOPES.filter((candidate) => candidate !== scope);
    const h = await setup({ keys: [{ key: 'avs_live_partial', scopes: others }] });
    const reply = await h.call(method, path, body === undefined ? {} : { json: body });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({
      error: { code: 'insufficient_scope', message: expect.any(String) as unknown, details: { required: scope } },
    });
    expect(hasRateHeaders(reply)).toBe(true);
    expect(h.sandbox.violations).toEqual([]);
    expect(h.sandbox.counters.authRefused).toBe(1);
    h.sandbox.addKey({ key: 'avs_live_only_it', scopes: [scope] });
    const allowed = await h.call(method, path, {
      key: 'avs_live_only_it',
      ...(body === undefined ? {} : { json: body }),
    });
    expect(allowed.status).not.toBe(403);
  });

  it.each([
    ['GET', '/api/v1/keys'],
    ['POST', '/api/v1/keys'],
    ['DELETE', '/api/v1/keys/key_123'],
  ])('refuses %s %s with an API key: web session only, a violation', async (method, path) => {
    const h = await setup();
    const reply = await h.call(method, path, method === 'POST' ? { json: { name: 'ci' } } : {});
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual({
      error: {
        code: 'insufficient_scope',
        message: 'API key management needs a web session; API keys cannot use it',
      },
    });
    expect(h.rules()).toEqual(['keys-with-api-key']);
  });

  it('answers 404 not_found for an unknown path and 405 with Allow for a wrong method, both violations', async () => {
    const h = await setup();
    const unknown = await h.call('GET', '/api/v1/account');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
    expect(hasRateHeaders(unknown)).toBe(true);
    const wrong = await h.call('GET', '/api/v1/generate/image');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(errorOf(wrong).code).toBe('invalid_request');
    const put = await h.call('PUT', '/api/v1/webhooks/wh_1', { json: {} });
    expect(put.headers.get('allow')).toBe('PATCH, DELETE');
    const outside = await h.call('GET', '/v2/models', { key: null });
    expect(outside.status).toBe(404);
    expect(h.rules()).toEqual(['route', 'method', 'method', 'route']);
  });
});

describe('aivisualstudio sandbox: rate limit', () => {
  it('lets 60 requests through a window, counting Remaining down, and answers the 61st 429 rate_limited', async () => {
    const h = await setup();
    const before = Date.now();
    const remaining: string[] = [];
    for (let index = 0; index < 60; index += 1) {
      const reply = await h.call('GET', index % 2 === 0 ? '/api/v1/models' : '/api/v1/generations');
      expect(reply.status).toBe(200);
      expect(reply.headers.get('x-ratelimit-limit')).toBe('60');
      remaining.push(reply.headers.get('x-ratelimit-remaining') ?? '');
    }
    expect(remaining).toEqual(Array.from({ length: 60 }, (_, index) => String(59 - index)));
    const over = await h.call('GET', '/api/v1/models');
    expect(over.status).toBe(429);
    expect(errorOf(over).code).toBe('rate_limited');
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(over.headers.get('x-ratelimit-reset'));
    expect(Number.isInteger(reset)).toBe(true);
    expect(reset).toBeGreaterThanOrEqual(Math.ceil((before + 60_000) / 1000));
    expect(reset).toBeLessThanOrEqual(Math.ceil((Date.now() + 60_000) / 1000));
    expect(h.sandbox.counters.rateLimited).toBe(1);
    expect(h.sandbox.violations).toEqual([]);
    // Another key has its own window.
    h.sandbox.addKey({ key: 'avs_live_second', scopes: ['read'] });
    const other = await h.call('GET', '/api/v1/models', { key: 'avs_live_second' });
    expect(other.headers.get('x-ratelimit-remaining')).toBe('59');
  });

  it('counts refused requests after the key but not auth refusals, and opens a new window after Reset', async () => {
    const h = await setup({ rateLimit: { requests: 3, windowMs: 1_500 } });
    await h.call('GET', '/api/v1/models', { key: 'avs_live_unknown' });
    const first = await h.call('GET', '/api/v1/models');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    const refused = await h.generate('image', {});
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('1');
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBe(reset);
    expect((await h.call('GET', '/api/v1/generations')).headers.get('x-ratelimit-remaining')).toBe('0');
    const over = await h.call('GET', '/api/v1/generations');
    expect(over.status).toBe(429);
    expect(over.headers.get('x-ratelimit-reset')).toBe(String(reset));
    await waitFor(() => Date.now() >= reset * 1000, 'the window to end');
    const again = await h.call('GET', '/api/v1/models');
    expect(again.status).toBe(200);
    expect(again.headers.get('x-ratelimit-remaining')).toBe('2');
    expect(Number(again.headers.get('x-ratelimit-reset'))).toBeGreaterThan(reset - 1);
  });

  it('puts the rate headers and a Date on every answer to a key: 200, 201, 400, 403, 404, 405, 429, 500', async () => {
    const h = await setup({ credits: 0, rateLimit: { requests: 7, windowMs: 60_000 } });
    h.sandbox.addFault({ kind: 'error-500', route: 'generation' });
    const replies = [
      await h.call('GET', '/api/v1/generations'),
      await h.call('POST', '/api/v1/webhooks', { json: { url: 'https://127.0.0.1:1/h' } }),
      await h.generate('image', { prompt: '' }),
      await h.generate('image', { prompt: 'p' }),
      await h.call('GET', '/api/v1/nothing'),
      await h.call('DELETE', '/api/v1/models'),
      await h.call('GET', '/api/v1/generations/gen_0123456789abcdef'),
      await h.call('GET', '/api/v1/models'),
    ];
    expect(replies.map((reply) => reply.status)).toEqual([200, 201, 400, 403, 404, 405, 500, 429]);
    for (const reply of replies) {
      expect(hasRateHeaders(reply), reply.text).toBe(true);
      expect(reply.headers.get('date')).not.toBeNull();
    }
    expect(replies.map((reply) => reply.headers.get('x-ratelimit-remaining'))).toEqual([
      '6',
      '5',
      '4',
      '3',
      '2',
      '1',
      '0',
      '0',
    ]);
  });
});

describe('aivisualstudio sandbox: server clock', () => {
  const SKEW = 3 * 24 * 3_600_000;

  it('writes Date, created_at and X-RateLimit-Reset from the skewed clock', async () => {
    const h = await setup({ clockSkewMs: SKEW, rateLimit: { requests: 60, windowMs: 10_000 } });
    const before = Date.now() + SKEW;
    const reply = await h.generate('image', { prompt: 'p' });
    const after = Date.now() + SKEW;
    const date = Date.parse(reply.headers.get('date') ?? '');
    expect(date).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(date).toBeLessThanOrEqual(after);
    const created = Date.parse(String(field(reply.json, 'created_at')));
    expect(created).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(created).toBeLessThanOrEqual(after);
    const reset = Number(reply.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(Math.ceil((before + 10_000) / 1000));
    expect(reset).toBeLessThanOrEqual(Math.ceil((after + 10_000) / 1000));
    expect(h.sandbox.requests[0]?.at).toBeGreaterThanOrEqual(before);
  });

  it('expires keys by the server clock: a key expiring in an hour is expired on a server two hours ahead', async () => {
    const h = await setup({
      clockSkewMs: 2 * 3_600_000,
      keys: [{ key: 'avs_live_hour_left', scopes: ['read'], expiresAt: Date.now() + 3_600_000 }],
    });
    expectAuthRefusal(h, await h.call('GET', '/api/v1/models'), 401, 'expired_api_key');
  });

  it('records only the last 4 characters of a key', async () => {
    const h = await setup();
    await h.call('GET', '/api/v1/models');
    await h.call('GET', '/api/v1/models', { key: null });
    expect(h.sandbox.requests.map((request) => request.apiKey)).toEqual(['_key', null]);
    expect(JSON.stringify(h.sandbox.requests)).not.toContain(DEFAULT_API_KEY);
  });
});
