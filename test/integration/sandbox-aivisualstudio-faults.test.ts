import { afterEach, describe, expect, it } from 'vitest';
import type { AivsSandboxOptions } from '../sandbox/aivisualstudio/server';
import { errorOf, fetchReply, field, startHarness, waitFor, type Harness } from '../sandbox/aivisualstudio/testkit';

/**
 * Every fault kind (types.ts `Fault`): what the client sees, what the sandbox did behind it (created,
 * charged, or nothing), and how each use is marked on its request and counted.
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

const body = { prompt: 'A futuristic city at sunset' };

describe('aivisualstudio sandbox: request faults', () => {
  it('drop-before: the socket is destroyed and nothing is created or charged', async () => {
    const h = await setup({ faults: [{ kind: 'drop-before', route: 'generate/image' }] });
    await expect(h.generate('image', body)).rejects.toThrow();
    expect(h.sandbox.generations()).toEqual([]);
    expect(h.sandbox.ledger).toEqual([]);
    expect(h.sandbox.requests[0]).toMatchObject({ outcome: 'dropped', fault: 'drop-before', status: null });
    expect(h.sandbox.counters.faulted).toBe(1);
    expect((await h.generate('image', body)).status).toBe(200);
  });

  it('drop-after-charge: created and charged, then no answer', async () => {
    const h = await setup({ faults: [{ kind: 'drop-after-charge' }] });
    await expect(h.generate('image', body)).rejects.toThrow();
    const [generation] = h.sandbox.generations();
    expect(generation).toMatchObject({ prompt: body.prompt, creditsCharged: 5 });
    expect(h.sandbox.ledger).toHaveLength(1);
    expect(h.sandbox.credits()).toBe(995);
    expect(h.sandbox.requests[0]).toMatchObject({
      outcome: 'dropped',
      fault: 'drop-after-charge',
      generationId: generation?.id,
    });
    await h.ended(generation?.id ?? '');
    expect(h.sandbox.generation(generation?.id ?? '')?.state).toBe('completed');
  });

  it('unreadable-after-charge: 200 with a body that is not JSON, the generation created and charged', async () => {
    const h = await setup({ faults: [{ kind: 'unreadable-after-charge', route: 'generate/video' }] });
    const reply = await h.generate('video', body);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('<html>upstream error</html>');
    expect(() => JSON.parse(reply.text) as unknown).toThrow();
    expect(h.sandbox.generations()).toHaveLength(1);
    expect(h.sandbox.credits()).toBe(550);
    expect(h.sandbox.requests[0]?.fault).toBe('unreadable-after-charge');
  });

  it('error-500: 500 internal_error, nothing done', async () => {
    const h = await setup({ faults: [{ kind: 'error-500', route: 'generate/image' }] });
    const reply = await h.generate('image', body);
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ error: { code: 'internal_error', message: expect.any(String) as unknown } });
    expect(h.sandbox.generations()).toEqual([]);
    expect(h.sandbox.ledger).toEqual([]);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('error-500-after-charge: 500 internal_error, but created and charged', async () => {
    const h = await setup({ faults: [{ kind: 'error-500-after-charge' }] });
    const reply = await h.generate('image', body);
    expect(reply.status).toBe(500);
    expect(errorOf(reply).code).toBe('internal_error');
    expect(h.sandbox.generations()).toHaveLength(1);
    expect(h.sandbox.ledger).toHaveLength(1);
    expect(h.sandbox.requests[0]?.generationId).toBe(h.sandbox.generations()[0]?.id);
  });

  it('after-charge faults wait for a request that creates: a refused one leaves them armed', async () => {
    const h = await setup({ faults: [{ kind: 'error-500-after-charge', route: 'generate/image' }] });
    expect((await h.generate('image', { prompt: '' })).status).toBe(400);
    expect(h.sandbox.requests[0]?.fault).toBeNull();
    expect((await h.generate('image', body)).status).toBe(500);
  });

  it('delay: the request waits before it is handled, then is answered as usual', async () => {
    const h = await setup({ faults: [{ kind: 'delay', delayMs: 400, route: 'generate/image' }] });
    const pending = h.generate('image', body);
    await waitFor(() => h.sandbox.requests.length === 1, 'the request to arrive');
    // Held before handling: nothing created while it waits.
    expect(h.sandbox.generations()).toEqual([]);
    expect(h.sandbox.requests[0]?.outcome).toBe('pending');
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(h.sandbox.requests[0]).toMatchObject({ fault: 'delay', outcome: 'answered', status: 200 });
    expect(h.sandbox.generations()).toHaveLength(1);
  });

  it('applies a fault `times` times, on its route only, and clearFaults disarms the rest', async () => {
    const h = await setup();
    h.sandbox.addFault({ kind: 'error-500', route: 'models', times: 2 });
    expect((await h.call('GET', '/api/v1/generations')).status).toBe(200);
    expect((await h.call('GET', '/api/v1/models')).status).toBe(500);
    expect((await h.call('GET', '/api/v1/models')).status).toBe(500);
    expect((await h.call('GET', '/api/v1/models')).status).toBe(200);
    h.sandbox.addFault({ kind: 'error-500', times: 5 });
    expect((await h.call('GET', '/api/v1/webhooks')).status).toBe(500);
    h.sandbox.clearFaults();
    expect((await h.call('GET', '/api/v1/webhooks')).status).toBe(200);
    expect(h.sandbox.counters.faulted).toBe(3);
  });

  it('faults the public files route too', async () => {
    const h = await setup();
    const id = await h.image();
    await h.ended(id);
    const url = h.sandbox.generation(id)?.outputs[0]?.url ?? '';
    h.sandbox.addFault({ kind: 'error-500', route: 'files' });
    expect((await fetchReply(url)).status).toBe(500);
    expect((await fetchReply(url)).status).toBe(200);
  });

  it('is applied after the key and the rate limit: an unauthenticated request does not use it up', async () => {
    const h = await setup({ faults: [{ kind: 'error-500' }] });
    expect((await h.call('GET', '/api/v1/models', { key: 'avs_live_wrong' })).status).toBe(401);
    expect((await h.call('GET', '/api/v1/models')).status).toBe(500);
  });
});

describe('aivisualstudio sandbox: generation faults', () => {
  it('fail: the generation ends failed with an error, and its credits are not refunded', async () => {
    const h = await setup({ faults: [{ kind: 'fail', route: 'generate/image' }] });
    const id = await h.image();
    expect(h.sandbox.requests[0]?.fault).toBe('fail');
    await h.ended(id);
    const got = await h.call('GET', `/api/v1/generations/${id}`);
    expect(got.json).toMatchObject({
      id,
      status: 'failed',
      error: { code: 'generation_failed', message: expect.any(String) as unknown },
    });
    expect(got.json).not.toHaveProperty('output_url');
    expect(field(got.json, 'completed_at')).toEqual(expect.any(String));
    expect(h.sandbox.generation(id)).toMatchObject({ state: 'failed', failure: 'failed', outputs: [] });
    expect(h.sandbox.credits()).toBe(995);
    expect(h.sandbox.ledger).toHaveLength(1);
  });

  it('fail with times: the next N generations fail, the one after completes', async () => {
    const h = await setup({ faults: [{ kind: 'fail', times: 2 }] });
    const ids = [await h.image(), await h.image(), await h.image()];
    for (const id of ids) await h.ended(id);
    expect(ids.map((id) => h.sandbox.generation(id)?.state)).toEqual(['failed', 'failed', 'completed']);
  });

  it('cancel: written canceled under forms.statuses canceled, failed otherwise', async () => {
    const h = await setup({ faults: [{ kind: 'cancel' }, { kind: 'cancel' }] });
    const first = await h.image();
    await h.ended(first);
    expect(field((await h.call('GET', `/api/v1/generations/${first}`)).json, 'status')).toBe('failed');
    expect(h.sandbox.generation(first)).toMatchObject({ failure: 'canceled', status: 'failed' });
    h.sandbox.setForms({ statuses: 'canceled' });
    const second = await h.image();
    await h.ended(second);
    expect(field((await h.call('GET', `/api/v1/generations/${second}`)).json, 'status')).toBe('canceled');
    expect(h.sandbox.generation(second)?.status).toBe('canceled');
  });
});
