import { afterEach, describe, expect, it } from 'vitest';
import { signTestDelivery, testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { call, startTestEngine, until } from '../support/engine';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SECRET = 'whsec-CANARY-5511';

/** An engine whose test provider polls once a minute and, by its polls, never finishes: only a webhook can. */
async function setup(webhook: 'signed' | 'unsigned') {
  const server = await startTestProvider({ dedupe: true, pollsUntilDone: 1_000_000 });
  cleanups.push(server.close);
  const provider = testProviderModule({
    id: 'hooked',
    baseUrl: server.url,
    idempotentSubmit: true,
    pollIntervalMs: 60_000,
    webhook,
  });
  const { engine } = startTestEngine({ providers: [provider] });
  if (webhook === 'signed') {
    await call(engine, 'providers.setKey', { provider: 'hooked', field: 'webhook-secret', key: SECRET });
  }
  const shoot = await call(engine, 'shoots.create', { name: 'Hooks' });
  await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'hooked', autoApprove: true });
  const run = await call(engine, 'shoots.runOperation', {
    shootId: shoot.id,
    provider: 'hooked',
    operation: 'imagine',
    params: {},
  });
  const jobId = run.jobIds[0] ?? '';
  // Sent, and polled once: from here on the queue would wait a minute before asking again.
  const remote = await until(
    () => call(engine, 'jobs.get', { id: jobId }),
    (job) => job.state === 'remote' && server.totals.polls === 1,
  );
  const send = (body: unknown, signature?: string) =>
    engine.receiveWebhook(
      'hooked',
      signature === undefined ? {} : { 'x-test-signature': signature },
      Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    );
  return { engine, server, jobId, remoteId: remote.remoteId ?? '', send };
}

const seconds = () => Math.floor(Date.now() / 1000);

describe('webhooks', () => {
  it('completes a job by a signed delivery, and forged, stale, malformed and replayed deliveries change nothing', async () => {
    const { engine, server, jobId, remoteId, send } = await setup('signed');
    const done = {
      id: remoteId,
      deliveryId: 'dlv-1',
      status: { status: 'done', outputs: [{ index: 0, url: `/files/${remoteId}` }] },
    };
    const refusals = [
      await send(done, signTestDelivery('not-the-secret', done, seconds())),
      await send(done, signTestDelivery(SECRET, done, seconds() - 600)),
      await send(done, signTestDelivery(SECRET, done, seconds() + 600)),
      await send(done, 't=abc,v1=xyz'),
      await send(done),
      await send('{"id": "unterminated', signTestDelivery(SECRET, {}, seconds())),
      await send(
        { ...done, status: { status: 'failed', error: { message: 'forged' } } },
        signTestDelivery(SECRET, done, seconds()),
      ),
    ];
    expect(refusals.map((answer) => answer.status)).toEqual([401, 401, 401, 400, 400, 400, 401]);
    expect((await call(engine, 'jobs.get', { id: jobId })).state).toBe('remote');

    expect(await send(done, signTestDelivery(SECRET, done, seconds()))).toEqual({ status: 200, message: 'Heard.' });
    await until(
      () => call(engine, 'jobs.get', { id: jobId }),
      (job) => job.state === 'done',
    );
    // Done by the delivery: no second status read was needed.
    expect(server.totals.polls).toBe(1);
    expect(await call(engine, 'variants.list', { jobId })).toHaveLength(1);
    // The same delivery again (a replay inside the signature's window, freshly signed): refused, nothing changes.
    expect(await send(done, signTestDelivery(SECRET, done, seconds()))).toEqual({
      status: 401,
      message: 'This delivery was already heard.',
    });
    expect(await call(engine, 'variants.list', { jobId })).toHaveLength(1);
    expect(await engine.receiveWebhook('nobody', {}, Buffer.from('{}'))).toMatchObject({ status: 404 });
  });

  it('takes an unsigned delivery as a hint: the job reads its status from the provider, and nothing else changes', async () => {
    const { engine, server, jobId, remoteId, send } = await setup('unsigned');
    // It claims the job is done; an unsigned claim is not believed, only checked.
    const claim = { id: remoteId, status: { status: 'done', outputs: [{ index: 0, url: '/files/forged' }] } };
    expect(await send(claim)).toEqual({ status: 200, message: 'Heard.' });
    await until(
      () => Promise.resolve(server.totals.polls),
      (polls) => polls === 2,
    );
    const job = await call(engine, 'jobs.get', { id: jobId });
    expect(job.state).toBe('remote');
    expect(await call(engine, 'variants.list', { jobId })).toEqual([]);
    expect(server.totals.downloads).toBe(0);
    // A delivery about no job of ours is answered, and changes nothing.
    expect(await send({ id: 'r999' })).toMatchObject({ status: 202 });
    expect(await send({ nothing: true })).toMatchObject({ status: 400 });
  });
});
