import { createHmac } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/engine/log';
import { AIVS_ID } from '../../main/engine/providers/aivisualstudio';
import { startServer } from '../../main/headless/server';
import { FORM_CHOICES, type AivsForms } from '../sandbox/aivisualstudio/server';
import { aivsEngine, generate, type AivsSetup } from '../support/aivisualstudio';
import { call, until } from '../support/engine';
import { postRaw } from '../support/fuzz-webhooks';
import { jobsEnded } from '../support/iacrea';

/**
 * Webhooks for studios: the headless server with a public address registers its webhook at AI
 * Visual Studio, keeps the secret it is given (or the one the user pastes), and finishes jobs from
 * verified deliveries while polling only once a minute. Whatever else arrives changes nothing.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const staticDir = path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
const TOKEN = 'aivs-webhooks-token-0123456789abcdef';

/** A port free now, so the public address is known before the engine starts. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The engine behind a headless server whose public address is its own loopback one. */
async function studio(
  forms: Partial<AivsForms>,
  videoMs = 300,
): Promise<AivsSetup & { port: number; publicUrl: string }> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const setup = await aivsEngine(cleanups, {
    // Long enough that each job's remote id is stored, and its first look taken, before its delivery.
    sandbox: { forms, durationsMs: { image: 2_000, video: videoMs } },
    // Polling slowed to once a minute: within the test, only deliveries can finish a job.
    provider: { pollIntervalMs: 60_000 },
    engine: { webhookUrl: publicUrl },
  });
  const log = createLogger({ level: 'error', write: () => undefined });
  const server = await startServer({ engine: setup.engine, log, token: TOKEN, staticDir, port, webhookUrl: publicUrl });
  cleanups.push(server.close);
  // Setting the key registered the webhook.
  await until(
    () => Promise.resolve(setup.sandbox.webhooks()),
    (hooks) => hooks.length === 1,
  );
  return { ...setup, port, publicUrl };
}

describe('AI Visual Studio webhooks, registered by the headless server', () => {
  it.each(FORM_CHOICES.webhookSecret)(
    'secret "%s": registered once, the secret kept or pasted, a run completed by deliveries',
    async (webhookSecret) => {
      // Each body reading too (compact, pretty, a final newline): each verifies over the re-serialised payload.
      const bodies = {
        secret: 'compact',
        signing_secret: 'pretty',
        dashboard: 'newline',
        'api-key': 'pretty',
      } as const;
      const setup = await studio({ webhookSecret, deliveryBody: bodies[webhookSecret] });
      const [hook] = setup.sandbox.webhooks();
      expect(hook?.url).toBe(`${setup.publicUrl}/webhooks/${AIVS_ID}`);
      expect(hook?.events).toEqual(['generation.completed', 'generation.failed']);
      const listed = await call(setup.engine, 'webhooks.list', { provider: AIVS_ID });
      expect(listed.webhooks.map((webhook) => webhook.ours)).toEqual([true]);
      const given = webhookSecret === 'secret' || webhookSecret === 'signing_secret';
      expect(listed.secretSet).toBe(given);
      if (webhookSecret === 'dashboard') {
        // Not in any answer: the user copies it from the dashboard into Settings.
        await call(setup.engine, 'providers.setKey', {
          provider: AIVS_ID,
          field: 'webhook-secret',
          key: setup.sandbox.webhookSecretOf(hook?.id ?? '') ?? '',
        });
      }
      const run = await generate(setup, 'image', { prompt: 'A bicycle against a wall' }, 3);
      const jobs = await jobsEnded(setup.engine, run.jobIds);
      expect(jobs.map((job) => job.state)).toEqual(['done', 'done', 'done']);
      // At most the one look each job takes right after it is sent, while its generation still ran:
      // no poll could have finished it.
      const looks = setup.sandbox.requests.filter((request) => request.route === 'generation');
      expect(looks.length).toBeLessThanOrEqual(3);
      for (const look of looks) {
        expect(look.at).toBeLessThan(setup.sandbox.generation(look.generationId ?? '')?.completedAt ?? 0);
      }
      expect(setup.sandbox.deliveries.filter((delivery) => delivery.status === 200)).toHaveLength(3);
      // Registering again finds the one there: no second webhook.
      await call(setup.engine, 'webhooks.register', { provider: AIVS_ID });
      expect(setup.sandbox.webhooks()).toHaveLength(1);
    },
    60_000,
  );

  it('Settings pauses, resumes, removes and registers again; without a public address it says so', async () => {
    const setup = await studio({});
    const [hook] = setup.sandbox.webhooks();
    const paused = await call(setup.engine, 'webhooks.update', {
      provider: AIVS_ID,
      id: hook?.id ?? '',
      active: false,
    });
    expect(paused.webhooks[0]?.active).toBe(false);
    expect(setup.sandbox.webhooks()[0]?.active).toBe(false);
    const again = await call(setup.engine, 'webhooks.register', { provider: AIVS_ID });
    expect(again.webhooks.map((webhook) => webhook.active)).toEqual([true]);
    const removed = await call(setup.engine, 'webhooks.remove', { provider: AIVS_ID, id: hook?.id ?? '' });
    expect(removed.webhooks).toEqual([]);
    expect(setup.sandbox.webhooks()).toEqual([]);
    const registered = await call(setup.engine, 'webhooks.register', { provider: AIVS_ID });
    expect(registered.message).toContain('secret is kept');
    expect(setup.sandbox.webhooks()).toHaveLength(1);

    const desktop = await aivsEngine(cleanups);
    const refused = await desktop.engine.call('webhooks.register', { provider: AIVS_ID });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((await call(desktop.engine, 'webhooks.list', { provider: AIVS_ID })).ourUrl).toBeNull();
  }, 60_000);

  it('forged, stale, malformed and replayed deliveries change nothing', async () => {
    // The video outlasts the test: only a delivery could finish it early.
    const setup = await studio({}, 120_000);
    const [hook] = setup.sandbox.webhooks();
    const secret = setup.sandbox.webhookSecretOf(hook?.id ?? '') ?? '';
    // One job finishes by its delivery, whose body is kept for the replay.
    const first = await generate(setup, 'image', { prompt: 'A jar of honey' });
    await jobsEnded(setup.engine, first.jobIds);
    const heard = setup.sandbox.deliveries.find((delivery) => delivery.status === 200);
    if (!heard?.signatureHeader) throw new Error('no delivery was heard');

    // Another waits at the provider; every delivery below claims it is done.
    const waiting = await generate(setup, 'video', { prompt: 'A jar of jam', duration: 1 });
    const job = await until(
      () => call(setup.engine, 'jobs.get', { id: waiting.jobIds[0] ?? '' }),
      (candidate) => candidate.remoteId !== null,
    );
    const claim = {
      event: 'generation.completed',
      data: {
        id: job.remoteId,
        type: 'video',
        status: 'completed',
        output_url: `${setup.sandbox.baseUrl}/files/x.mp4`,
      },
      created_at: new Date().toISOString(),
    };
    const sign = (key: string, at: number, payload: unknown) =>
      `t=${at},v1=${createHmac('sha256', key)
        .update(`${at}.${JSON.stringify(payload)}`)
        .digest('hex')}`;
    const now = Math.floor(Date.now() / 1000);
    const post = (headers: Record<string, string>, body: string) =>
      postRaw(setup.port, { host: `127.0.0.1:${setup.port}`, target: `/webhooks/${AIVS_ID}`, headers, body });
    const body = JSON.stringify(claim);
    expect(await post({ 'x-webhook-signature': sign('whsec_forged', now, claim) }, body)).toBe(401);
    expect(await post({ 'x-webhook-signature': sign(secret, now - 600, claim) }, body)).toBe(401);
    expect(await post({ 'x-webhook-signature': 'v1=abc' }, body)).toBe(400);
    expect(await post({}, body)).toBe(400);
    expect(await post({ 'x-webhook-signature': sign(secret, now, claim) }, '{"event": ')).toBe(400);
    expect(await post({ 'x-webhook-signature': heard.signatureHeader }, heard.body)).toBe(401);

    const after = await call(setup.engine, 'jobs.get', { id: job.id });
    expect(after.state).not.toBe('done');
    expect(await call(setup.engine, 'variants.list', {})).toHaveLength(1);
  }, 60_000);
});
