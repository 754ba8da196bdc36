import { afterEach, describe, expect, it } from 'vitest';
import { AIVS_ID } from '../../main/engine/providers/aivisualstudio';
import { startAivsSandbox, type AivsSandbox } from '../sandbox/aivisualstudio/server';
import { aivsEngine, chargesRecorded, generate } from '../support/aivisualstudio';
import { call } from '../support/engine';
import { killAtRandomMoments, runCrashChild, seedCrashLibrary } from '../support/crash-run';
import { jobsEnded } from '../support/iacrea';
import { openQueueLibrary, settled } from '../support/queue-harness';
import { tempDir } from '../support/temp';

/**
 * AI Visual Studio lists our own generations: a submit whose answer was lost is looked up there
 * (same prompt, model and type, created while the request could have been handled, in the
 * provider's clock) and adopted only when exactly one unclaimed generation fits. Otherwise a
 * person decides. Never a sibling's generation, never a second charge.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Job = Awaited<ReturnType<typeof jobsEnded>>[number];

const MODEL = {
  id: 'prunaai/z-image-turbo',
  name: 'Z-Image Turbo',
  type: 'image' as const,
  credits_per_generation: 5,
  description: 'Fast image generation',
  category: 'image-generation' as const,
};

/** Jobs that hold a generation hold distinct ones, each of their own prompt. */
function ownGenerations(jobs: readonly Job[], sandbox: AivsSandbox): void {
  const held = jobs.flatMap((job) => (job.remoteId ? [job.remoteId] : []));
  expect(new Set(held).size).toBe(held.length);
  for (const job of jobs) {
    if (!job.remoteId) continue;
    expect(sandbox.generation(job.remoteId)?.prompt).toBe(job.params.prompt);
  }
}

describe('AI Visual Studio: a lost answer is found in the listing', () => {
  it('an answer dropped after the sandbox charged: the job adopts its generation, charged once at the listed charge', async () => {
    const setup = await aivsEngine(cleanups, {
      sandbox: {
        faults: [{ kind: 'drop-after-charge', route: 'generate/image' }],
        // Dearer than the doc's price the estimate uses: the charge recorded is the listing's.
        models: [{ ...MODEL, credits_per_generation: 7 }],
      },
    });
    const run = await generate(setup, 'image', { prompt: 'A lighthouse in fog' });
    const [job] = await jobsEnded(setup.engine, run.jobIds);
    expect(job?.state).toBe('done');
    expect(setup.sandbox.ledger).toHaveLength(1);
    expect(job?.remoteId).toBe(setup.sandbox.ledger[0]?.generationId);
    // Adopted with what the listing says it cost: one charge in the engine's ledger too.
    expect(chargesRecorded(setup.dataDir).filter((entry) => entry.kind === 'charge')).toEqual([
      { kind: 'charge', amount: 7 },
    ]);
    expect(setup.sandbox.violations).toEqual([]);
  }, 60_000);

  it('an answer that cannot be read (200, not JSON), with the provider’s clock ten minutes ahead: found all the same', async () => {
    const setup = await aivsEngine(cleanups, {
      sandbox: {
        clockSkewMs: 10 * 60_000,
        faults: [{ kind: 'unreadable-after-charge', route: 'generate/image' }],
        forms: { times: 'unix', list: 'generations' },
      },
    });
    const run = await generate(setup, 'image', { prompt: 'A canal at night' });
    const [job] = await jobsEnded(setup.engine, run.jobIds);
    expect(job?.state).toBe('done');
    expect(job?.remoteId).toBe(setup.sandbox.ledger[0]?.generationId);
    expect(setup.sandbox.ledger).toHaveLength(1);
  }, 60_000);

  it('4 different prompts, two answers dropped: each of the two adopts its own generation', async () => {
    const setup = await aivsEngine(cleanups, {
      sandbox: { faults: [{ kind: 'drop-after-charge', route: 'generate/image', times: 2 }] },
    });
    const ids: string[] = [];
    for (const prompt of ['A red chair', 'A blue chair', 'A green chair', 'A white chair']) {
      ids.push(...(await generate(setup, 'image', { prompt })).jobIds);
    }
    const jobs = await jobsEnded(setup.engine, ids);
    expect(jobs.map((job) => job.state)).toEqual(['done', 'done', 'done', 'done']);
    ownGenerations(jobs, setup.sandbox);
    expect(setup.sandbox.ledger).toHaveLength(4);
  }, 60_000);

  it('the same prompt again after the first finished, its answer dropped: it adopts the unclaimed generation, not the first job’s', async () => {
    const setup = await aivsEngine(cleanups);
    const params = { prompt: 'A bowl of cherries' };
    const first = await jobsEnded(setup.engine, (await generate(setup, 'image', params)).jobIds);
    setup.sandbox.addFault({ kind: 'drop-after-charge', route: 'generate/image' });
    const second = await jobsEnded(setup.engine, (await generate(setup, 'image', params)).jobIds);
    expect([...first, ...second].map((job) => job.state)).toEqual(['done', 'done']);
    ownGenerations([...first, ...second], setup.sandbox);
    expect(setup.sandbox.ledger).toHaveLength(2);
  }, 60_000);

  it('the same prompt and model at two ratios, both answers dropped: the listing cannot tell them apart, so neither takes the other’s', async () => {
    const setup = await aivsEngine(cleanups, {
      sandbox: { faults: [{ kind: 'drop-after-charge', route: 'generate/image', times: 2 }] },
    });
    const ids: string[] = [];
    for (const aspectRatio of ['1:1', '16:9']) {
      ids.push(...(await generate(setup, 'image', { prompt: 'A stack of plates', aspectRatio })).jobIds);
    }
    const jobs = await jobsEnded(setup.engine, ids);
    for (const job of jobs) {
      if (job.state === 'done') {
        expect(setup.sandbox.generation(job.remoteId ?? '')?.aspectRatio).toBe(job.params.aspectRatio);
      } else {
        expect(job.state).toBe('needs_review');
      }
    }
    expect(jobs.filter((job) => job.state === 'needs_review').length).toBeGreaterThanOrEqual(1);
    expect(setup.sandbox.ledger).toHaveLength(2);
  }, 60_000);

  it('the listing cannot be read and the job is out of attempts: review with a possible charge, never "failed"', async () => {
    const setup = await aivsEngine(cleanups, {
      sandbox: {
        faults: [
          { kind: 'drop-after-charge', route: 'generate/image' },
          { kind: 'error-500', route: 'generations', times: 50 },
        ],
      },
    });
    await call(setup.engine, 'settings.set', { patch: { retryLimit: 2 } });
    const run = await generate(setup, 'image', { prompt: 'A tin of biscuits' });
    const [job] = await jobsEnded(setup.engine, run.jobIds);
    expect(job?.state).toBe('needs_review');
    const recorded = chargesRecorded(setup.dataDir);
    expect(recorded.filter((entry) => entry.kind === 'possible_charge')).toEqual([
      { kind: 'possible_charge', amount: 5 },
    ]);
    expect(setup.sandbox.ledger).toHaveLength(1);
  }, 60_000);

  it('4 identical prompts, two answers dropped: each job adopts its own or goes to review, never a sibling’s', async () => {
    const setup = await aivsEngine(cleanups, {
      sandbox: { faults: [{ kind: 'drop-after-charge', route: 'generate/image', times: 2 }] },
    });
    const run = await generate(setup, 'image', { prompt: 'The same bowl of lemons' }, 4);
    const jobs = await jobsEnded(setup.engine, run.jobIds);
    const review = jobs.filter((job) => job.state === 'needs_review');
    expect(jobs.filter((job) => job.state === 'done').length + review.length).toBe(4);
    // Two generations whose answers were lost look the same: neither can be told to be this job's.
    expect(review.length).toBeGreaterThanOrEqual(1);
    for (const job of review) expect(job.lastError?.message).toContain('cannot tell which one');
    ownGenerations(jobs, setup.sandbox);
    expect(setup.sandbox.ledger).toHaveLength(4);
    // Nothing was sent again: one generate request per job.
    const generates = setup.sandbox.requests.filter((request) => request.route === 'generate/image');
    expect(generates).toHaveLength(4);
    const queue = await call(setup.engine, 'providers.list', {});
    expect(queue.find((provider) => provider.id === AIVS_ID)?.pausedReason).toBeNull();
  }, 60_000);
});

describe('AI Visual Studio and a crash', () => {
  async function world() {
    const sandbox = await startAivsSandbox({
      durationsMs: { image: 300 },
      rateLimit: { requests: 1_000, windowMs: 1_000 },
      // Every request waits a little, so a kill lands while requests are in flight.
      faults: [{ kind: 'delay', delayMs: 60, times: 500 }],
    });
    cleanups.push(() => sandbox.close());
    const dir = tempDir('shootline-aivs-crash-');
    const jobs = seedCrashLibrary(dir, AIVS_ID, { operation: 'image', costEstimate: 5 }, (index) => ({
      params: { prompt: `A crash-proof harbour, take ${index}`, model: 'prunaai/z-image-turbo' },
    })).length;
    const start = (killBeforeSend = 0) => {
      const run = runCrashChild([dir, AIVS_ID, sandbox.baseUrl, sandbox.apiKey, String(killBeforeSend)]);
      cleanups.push(() => run.child.kill('SIGKILL'));
      return run;
    };
    return { sandbox, dir, jobs, start };
  }

  /** Every job done or in review; no prompt charged twice; every done job's generation its own. */
  function checkNoDuplicateCharge(dir: string, sandbox: AivsSandbox, jobs: number): void {
    const { db } = openQueueLibrary(dir);
    try {
      expect(settled(db)).toBe(true);
      const rows = db.prepare('SELECT state, remote_id, params_json FROM jobs').all() as {
        state: string;
        remote_id: string | null;
        params_json: string;
      }[];
      expect(rows.every((row) => row.state === 'done' || row.state === 'needs_review')).toBe(true);
      const prompts = sandbox.ledger.map((entry) => sandbox.generation(entry.generationId)?.prompt);
      expect(new Set(prompts).size).toBe(prompts.length);
      expect(sandbox.ledger.length).toBeLessThanOrEqual(jobs);
      for (const row of rows.filter((candidate) => candidate.state === 'done')) {
        const prompt = (JSON.parse(row.params_json) as { prompt: string }).prompt;
        expect(sandbox.generation(row.remote_id ?? '')?.prompt).toBe(prompt);
      }
    } finally {
      db.close();
    }
    expect(sandbox.violations).toEqual([]);
  }

  it('killed just before a generate leaves: the listing shows nothing, so that job goes to review', async () => {
    const { sandbox, dir, jobs, start } = await world();
    expect((await start(1).exited).signal).toBe('SIGKILL');
    expect(sandbox.ledger).toHaveLength(0);
    expect((await start().exited).output).toContain('settled');
    checkNoDuplicateCharge(dir, sandbox, jobs);
    expect(sandbox.ledger).toHaveLength(jobs - 1);
  }, 120_000);

  it('killed at seeded random moments: all done or reviewed, no duplicate charge', async () => {
    const { sandbox, dir, jobs, start } = await world();
    await killAtRandomMoments({
      start: () => start(),
      requestsMade: () => sandbox.counters.requests,
      seed: 28,
      times: 4,
      maxDelayMs: 400,
    });
    expect((await start().exited).output).toContain('settled');
    checkNoDuplicateCharge(dir, sandbox, jobs);
  }, 180_000);
});
