import { afterEach, describe, expect, it } from 'vitest';
import { AIVS_ID } from '../../main/engine/providers/aivisualstudio';
import { SCOPES, type KeySpec } from '../sandbox/aivisualstudio/server';
import { aivsEngine, generate, sandboxCharged, type AivsSetup } from '../support/aivisualstudio';
import { call, until } from '../support/engine';
import { jobsEnded } from '../support/iacrea';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const IMAGE = { prompt: 'A glass of water on a windowsill' };

async function providerView(setup: AivsSetup) {
  const list = await call(setup.engine, 'providers.list', {});
  const view = list.find((provider) => provider.id === AIVS_ID);
  if (!view) throw new Error('AI Visual Studio is not listed');
  return view;
}

/** Runs one image and waits until the provider is paused; answers the reason and the job. */
async function pausedBy(
  setup: AivsSetup,
): Promise<{ reason: string; job: { state: string; attempts: number; remoteId: string | null } }> {
  const run = await generate(setup, 'image', IMAGE);
  const view = await until(
    () => providerView(setup),
    (provider) => provider.pausedReason !== null,
  );
  const job = await call(setup.engine, 'jobs.get', { id: run.jobIds[0] ?? '' });
  return { reason: view.pausedReason ?? '', job };
}

/** Sets the engine's key to `spec` (added to the sandbox first). */
async function useKey(setup: AivsSetup, spec: KeySpec): Promise<void> {
  setup.sandbox.addKey(spec);
  await call(setup.engine, 'providers.setKey', { provider: AIVS_ID, key: spec.key });
}

describe('each error code of the doc leads to the right job outcome or provider pause', () => {
  it('invalid_api_key (unknown): the provider pauses saying the key is not valid; nothing is charged', async () => {
    const setup = await aivsEngine(cleanups);
    await call(setup.engine, 'providers.setKey', { provider: AIVS_ID, key: 'avs_live_not_a_key_of_ours' });
    const { reason, job } = await pausedBy(setup);
    expect(reason).toContain('refused the API key: the API key is not valid');
    expect(job.state).toBe('queued');
    expect(setup.sandbox.ledger).toEqual([]);
  }, 60_000);

  it('invalid_api_key (revoked): the same words; a new key and a resume finish the job', async () => {
    const setup = await aivsEngine(cleanups);
    setup.sandbox.revokeKey(setup.sandbox.apiKey);
    const { reason } = await pausedBy(setup);
    expect(reason).toContain('revoked');
    await useKey(setup, { key: 'avs_live_fresh_key_0001', scopes: [...SCOPES] });
    await call(setup.engine, 'queue.resume', { scope: 'provider', id: AIVS_ID });
    const ids = (await call(setup.engine, 'jobs.list', {})).jobs.map((job) => job.id);
    const jobs = await jobsEnded(setup.engine, ids);
    expect(jobs.map((job) => job.state)).toEqual(['done']);
    expect(sandboxCharged(setup.sandbox)).toBe(5);
  }, 60_000);

  it('expired_api_key: the provider pauses saying the key has expired', async () => {
    const setup = await aivsEngine(cleanups);
    await useKey(setup, { key: 'avs_live_expired_0001', scopes: [...SCOPES], expiresAt: Date.now() - 60_000 });
    const { reason } = await pausedBy(setup);
    expect(reason).toContain('the API key has expired');
    expect(setup.sandbox.ledger).toEqual([]);
  }, 60_000);

  it('ip_not_allowed: the provider pauses naming the key’s IP allowlist', async () => {
    const setup = await aivsEngine(cleanups);
    await useKey(setup, { key: 'avs_live_office_only_01', scopes: [...SCOPES], ipAllowlist: ['203.0.113.7'] });
    const { reason } = await pausedBy(setup);
    expect(reason).toContain("may not be used from this machine's address");
  }, 60_000);

  it('missing_api_key: a key entered for another address is withheld, and the refusal says so', async () => {
    const setup = await aivsEngine(cleanups);
    // The key was entered while the provider was reached elsewhere: it is never sent to the sandbox.
    await call(setup.engine, 'providers.configure', { provider: AIVS_ID, baseUrl: 'https://aivisualstudio.co' });
    await call(setup.engine, 'providers.setKey', { provider: AIVS_ID, key: setup.sandbox.apiKey });
    await call(setup.engine, 'providers.configure', { provider: AIVS_ID, baseUrl: setup.sandbox.baseUrl });
    const { reason } = await pausedBy(setup);
    expect(setup.sandbox.requests.some((request) => request.status === 401 && request.apiKey === null)).toBe(true);
    expect(reason).toMatch(/key/i);
    expect(setup.sandbox.ledger).toEqual([]);
  }, 60_000);

  it('insufficient_scope on generate:video: that operation fails and shows unavailable; images go on; a new key brings it back', async () => {
    const setup = await aivsEngine(cleanups);
    await useKey(setup, { key: 'avs_live_images_only_1', scopes: ['read', 'generate:image'] });
    const video = await generate(setup, 'video', { prompt: 'A kite over the dunes' });
    const [failed] = await jobsEnded(setup.engine, video.jobIds);
    expect(failed?.state).toBe('failed');
    expect(failed?.lastError?.message).toContain('lacks the "generate:video" scope');

    const view = await providerView(setup);
    expect(view.pausedReason).toBeNull();
    expect(view.operations.find((operation) => operation.name === 'video')?.unavailable).toContain('generate:video');
    expect(view.operations.find((operation) => operation.name === 'image')?.unavailable).toBeNull();
    // Refused before anything is queued, with the reason.
    const refused = await setup.engine.call('shoots.runOperation', {
      shootId: setup.shootId,
      provider: AIVS_ID,
      operation: 'video',
      params: { prompt: 'Again' },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const images = await generate(setup, 'image', IMAGE);
    expect((await jobsEnded(setup.engine, images.jobIds)).map((job) => job.state)).toEqual(['done']);

    await useKey(setup, { key: 'avs_live_everything_01', scopes: [...SCOPES] });
    expect((await providerView(setup)).operations.every((operation) => operation.unavailable === null)).toBe(true);
    expect(sandboxCharged(setup.sandbox)).toBe(5);
  }, 60_000);

  it('insufficient_scope on read: a generation charged but not followable pauses the provider; a key with read finishes it, charged once', async () => {
    const setup = await aivsEngine(cleanups);
    await useKey(setup, { key: 'avs_live_no_read_00001', scopes: ['generate:image'] });
    const { reason, job } = await pausedBy(setup);
    expect(reason).toContain('"read" scope');
    // Held with its generation: resumed, it is followed, not sent again.
    expect(job.remoteId).toBe(setup.sandbox.ledger[0]?.generationId);
    await useKey(setup, { key: 'avs_live_with_read_0001', scopes: [...SCOPES] });
    await call(setup.engine, 'queue.resume', { scope: 'provider', id: AIVS_ID });
    const ids = (await call(setup.engine, 'jobs.list', {})).jobs.map((entry) => entry.id);
    expect((await jobsEnded(setup.engine, ids)).map((entry) => entry.state)).toEqual(['done']);
    expect(setup.sandbox.ledger).toHaveLength(1);
  }, 60_000);

  it('insufficient_credits (403 here): the provider pauses for credits, nothing is created or charged', async () => {
    const setup = await aivsEngine(cleanups, { sandbox: { credits: 4 } });
    const { reason, job } = await pausedBy(setup);
    expect(reason).toBe('AI Visual Studio has run out of credits. Top up, then resume it.');
    expect(job.state).toBe('queued');
    expect(setup.sandbox.generations()).toEqual([]);
    expect(setup.sandbox.counters.noCredits).toBeGreaterThan(0);
  }, 60_000);

  it('rate_limited: a window another client used up holds the job until it resets; it then finishes', async () => {
    const setup = await aivsEngine(cleanups, { sandbox: { rateLimit: { requests: 5, windowMs: 1_500 } } });
    // Another client of the same key spends the window.
    for (let sent = 0; sent < 5; sent++) {
      await fetch(`${setup.sandbox.baseUrl}/api/v1/models`, {
        headers: { authorization: `Bearer ${setup.sandbox.apiKey}` },
      });
    }
    const run = await generate(setup, 'image', IMAGE);
    const [job] = await jobsEnded(setup.engine, run.jobIds);
    expect(job?.state).toBe('done');
    expect(setup.sandbox.counters.rateLimited).toBeGreaterThan(0);
    expect(setup.sandbox.ledger).toHaveLength(1);
  }, 60_000);

  it('invalid_request: a model the catalog no longer has, or of the wrong type, fails the job with the field named', async () => {
    const setup = await aivsEngine(cleanups);
    const unknown = await generate(setup, 'image', { ...IMAGE, model: 'acme/retired-model' });
    const wrongType = await generate(setup, 'video', { prompt: 'Rain', model: 'prunaai/z-image-turbo' });
    const jobs = await jobsEnded(setup.engine, [...unknown.jobIds, ...wrongType.jobIds]);
    expect(jobs.map((job) => job.state)).toEqual(['failed', 'failed']);
    for (const job of jobs) expect(job.lastError?.message).toContain('model');
    expect(setup.sandbox.ledger).toEqual([]);
    expect(setup.sandbox.violations.map((violation) => violation.rule).sort()).toEqual(['model-type', 'model-unknown']);
  }, 60_000);

  it('not_found: a generation the provider no longer knows fails its job, never resent', async () => {
    const setup = await aivsEngine(cleanups, { sandbox: { durationsMs: { image: 60_000 } } });
    const run = await generate(setup, 'image', IMAGE);
    await until(
      () => call(setup.engine, 'jobs.get', { id: run.jobIds[0] ?? '' }),
      (job) => job.state === 'remote',
    );
    // The provider loses the work: a new sandbox on the same address knows no generation.
    const { port } = setup.sandbox;
    await setup.sandbox.close();
    const { startAivsSandbox } = await import('../sandbox/aivisualstudio/server');
    const fresh = await startAivsSandbox({ port });
    cleanups.push(() => fresh.close());
    const [job] = await jobsEnded(setup.engine, run.jobIds);
    expect(job?.state).toBe('failed');
    expect(job?.lastError?.message).toContain('not found');
    expect(fresh.ledger).toEqual([]);
  }, 60_000);

  it('internal_error: on a poll it is retried; on a submit that charged, the work is found and adopted', async () => {
    const setup = await aivsEngine(cleanups, {
      sandbox: {
        faults: [
          { kind: 'error-500', route: 'generation', times: 2 },
          { kind: 'error-500-after-charge', route: 'generate/image' },
        ],
      },
    });
    const run = await generate(setup, 'image', IMAGE);
    const [job] = await jobsEnded(setup.engine, run.jobIds);
    expect(job?.state).toBe('done');
    expect(setup.sandbox.ledger).toHaveLength(1);
    expect(job?.remoteId).toBe(setup.sandbox.ledger[0]?.generationId);
    expect(job?.costCharged).toBe(5);
  }, 60_000);

  it('internal_error before anything was made: nothing matches in the listing, so a person decides', async () => {
    const setup = await aivsEngine(cleanups, { sandbox: { faults: [{ kind: 'error-500', route: 'generate/image' }] } });
    const run = await generate(setup, 'image', IMAGE);
    const [job] = await jobsEnded(setup.engine, run.jobIds);
    expect(job?.state).toBe('needs_review');
    expect(job?.lastError?.message).toContain('no matching generation was found');
    expect(setup.sandbox.ledger).toEqual([]);
  }, 60_000);
});
