import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../main/engine/db/connection';
import { applyJobEvent, getJob, listJobEvents } from '../../main/engine/db/jobs-repo';
import { providerPausedReasons, setProviderPausedReason } from '../../main/engine/db/provider-accounts-repo';
import type { QueueRunner } from '../../main/engine/queue/runner';
import { NEEDS_REVIEW_MESSAGE } from '../../shared/jobs';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider, type TestProviderOptions, type TestProviderServer } from '../support/test-provider/server';
import { countByState, createRunner, enqueue, openQueueLibrary, settled, waitFor } from '../support/queue-harness';
import { ManualClock } from '../support/manual-clock';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A test provider server, a library, and a runner over a module for that server (id defaults by dedupe). */
async function setup(
  serverOptions: TestProviderOptions,
  moduleOptions: Partial<Omit<Parameters<typeof testProviderModule>[0], 'baseUrl'>> = {},
) {
  const server = await startTestProvider(serverOptions);
  cleanups.push(server.close);
  const dir = tempDir();
  const { db, shootId } = openQueueLibrary(dir);
  cleanups.push(() => db.close());
  const provider = testProviderModule({
    id: serverOptions.dedupe ? 'dedupe' : 'plain',
    idempotentSubmit: serverOptions.dedupe,
    ...moduleOptions,
    baseUrl: server.url,
  });
  const runner = createRunner(db, dir, [provider]);
  cleanups.push(() => runner.stop());
  return { server, db, shootId, runner, provider, dir };
}

function chargedOnce(server: TestProviderServer): boolean {
  return [...server.charged.values()].every((count) => count === 1);
}

async function runToEnd(db: Db, runner: QueueRunner): Promise<void> {
  runner.start();
  await waitFor(
    () => settled(db),
    () => JSON.stringify(countByState(db)),
  );
}

describe('the queue runner', () => {
  it.each([true, false])('takes every job to done, each charged once (dedupe %s)', async (dedupe) => {
    const { server, db, shootId, runner } = await setup({ dedupe, pollsUntilDone: 1 });
    const ids = enqueue(db, shootId, dedupe ? 'dedupe' : 'plain', 20);
    await runToEnd(db, runner);
    expect(countByState(db)).toEqual({ done: 20 });
    expect(server.charged.size).toBe(20);
    expect(chargedOnce(server)).toBe(true);
    const variants = db.prepare('SELECT COUNT(*) AS n FROM variants').get() as { n: number };
    expect(variants.n).toBe(20);
    const events = listJobEvents(db, ids[0] ?? '').map((event) => event.toState);
    expect(events).toEqual(['queued', 'preparing', 'submitting', 'remote', 'fetching', 'done']);
  });

  it('retries a failed submit with the same key on a deduping provider: done, charged once', async () => {
    const { server, db, shootId, runner } = await setup({
      dedupe: true,
      onSubmit: ({ n }) => (n <= 2 ? { kind: 'reset' } : undefined),
    });
    const [id] = enqueue(db, shootId, 'dedupe', 1);
    await runToEnd(db, runner);
    expect(getJob(db, id ?? '')?.state).toBe('done');
    expect([...server.received.values()]).toEqual([3]); // the same key, three times
    expect([...server.charged.values()]).toEqual([1]);
  });

  it('sends a job to review when a non-deduping provider may have it, and a resend completes it', async () => {
    const { server, db, shootId, runner } = await setup({
      dedupe: false,
      onSubmit: ({ n }) => (n === 1 ? { kind: 'reset' } : undefined),
    });
    const [id = ''] = enqueue(db, shootId, 'plain', 1);
    await runToEnd(db, runner);
    const review = getJob(db, id);
    expect(review).toMatchObject({ state: 'needs_review', lastError: { message: NEEDS_REVIEW_MESSAGE } });
    expect(server.totals.submits).toBe(1); // not resent by itself

    expect(runner.resend(id).ok).toBe(true);
    await waitFor(
      () => getJob(db, id)?.state === 'done',
      () => getJob(db, id)?.state ?? 'missing',
    );
    expect(server.totals.submits).toBe(2);
  });

  it('retries a refused submit (5xx before anything was created) and counts the attempts', async () => {
    const { db, shootId, runner } = await setup({
      dedupe: false,
      onSubmit: ({ n }) => (n <= 2 ? { kind: 'status', status: 503 } : undefined),
    });
    const [id = ''] = enqueue(db, shootId, 'plain', 1);
    await runToEnd(db, runner);
    expect(getJob(db, id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('fails a job at once on a permanent error, and after its attempts on repeated transient ones', async () => {
    const { db, shootId, runner } = await setup({
      dedupe: false,
      onSubmit: ({ n }) =>
        n === 1
          ? { kind: 'status', status: 422, body: { error: { code: 'bad_params' } } }
          : { kind: 'status', status: 503 },
    });
    const [permanent = ''] = enqueue(db, shootId, 'plain', 1);
    await runToEnd(db, runner);
    expect(getJob(db, permanent)).toMatchObject({ state: 'failed', attempts: 0, lastError: { code: 'invalid_input' } });
    const [transient = ''] = enqueue(db, shootId, 'plain', 1, { maxAttempts: 3 });
    runner.wake();
    await waitFor(
      () => settled(db),
      () => JSON.stringify(countByState(db)),
    );
    expect(getJob(db, transient)).toMatchObject({ state: 'failed', attempts: 3, lastError: { code: 'unavailable' } });
  });

  it('waits at least as long as Retry-After asks before the next attempt', async () => {
    const arrivals: number[] = [];
    const { db, shootId, runner } = await setup({
      dedupe: true,
      onSubmit: ({ n }) => {
        arrivals.push(Date.now());
        return n === 1 ? { kind: 'status', status: 429, retryAfter: '3' } : undefined;
      },
    });
    const [id = ''] = enqueue(db, shootId, 'dedupe', 1);
    runner.start();
    await waitFor(
      () => getJob(db, id)?.state === 'done',
      () => getJob(db, id)?.state ?? '',
      20_000,
    );
    const retry = listJobEvents(db, id).find((event) => event.event === 'transient_error');
    expect(retry?.error?.code).toBe('rate_limited');
    const scheduled = db
      .prepare("SELECT at FROM job_events WHERE job_id = ? AND event = 'dispatch' ORDER BY id")
      .all(id) as { at: number }[];
    expect((scheduled[1]?.at ?? 0) - (retry?.at ?? 0)).toBeGreaterThanOrEqual(3_000);
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(3_000);
  });

  it('aborts the request in flight when a job is canceled', async () => {
    const { server, db, shootId, runner } = await setup({ dedupe: true, onSubmit: () => ({ kind: 'hang' }) });
    const [id = ''] = enqueue(db, shootId, 'dedupe', 1);
    runner.start();
    await waitFor(
      () => server.totals.submits === 1,
      () => `submits ${server.totals.submits}`,
    );
    const { applyJobEvent } = await import('../../main/engine/db/jobs-repo');
    expect(applyJobEvent(db, id, { type: 'cancel' }, Date.now()).ok).toBe(true);
    runner.abortJob(id);
    await waitFor(
      () => server.abandoned === 1,
      () => `abandoned ${server.abandoned}`,
    );
    await waitFor(
      () => !runner.isRunning(id),
      () => 'still running',
    );
    expect(getJob(db, id)?.state).toBe('canceled');
  });

  it('resumes a three-step submit after a failure between steps, sending no step twice', async () => {
    const { server, db, shootId, runner } = await setup(
      {
        dedupe: false,
        onSubmit: ({ step, n }) => (step === 'enhance' && n === 3 ? { kind: 'status', status: 503 } : undefined),
      },
      { steps: ['project', 'picture', 'enhance'] },
    );
    const [id = ''] = enqueue(db, shootId, 'plain', 1);
    await runToEnd(db, runner);
    expect(getJob(db, id)?.state).toBe('done');
    const perStep = [...server.received.entries()].map(([key, n]) => [key.split('.').at(-1), n]);
    expect(perStep).toEqual([
      ['project', 1],
      ['picture', 1],
      ['enhance', 2],
    ]);
    expect([...server.charged.values()]).toEqual([1, 1, 1]);
  });
});

describe('credits and leases', () => {
  it('pauses a provider whose balance cannot cover the next job, spends no attempt, and resumes after a top-up', async () => {
    const { server, db, shootId, runner } = await setup(
      { dedupe: true, balance: 2 },
      { id: 'paid', withBalance: true, concurrency: 1 },
    );
    const ids = enqueue(db, shootId, 'paid', 3);
    runner.start();
    await waitFor(
      () => providerPausedReasons(db).has('paid'),
      () => JSON.stringify(countByState(db)),
    );
    await waitFor(
      () => countByState(db).done === 2,
      () => JSON.stringify(countByState(db)),
    );
    expect(providerPausedReasons(db).get('paid')).toMatch(/run out of credits/);
    const held = getJob(db, ids[2] ?? '');
    expect(held).toMatchObject({ state: 'queued', attempts: 0 });
    expect(server.charged.size).toBe(2);

    server.setBalance(5);
    setProviderPausedReason(db, 'paid', null, Date.now()); // what queue.resume does for a provider
    runner.wake();
    await waitFor(
      () => settled(db),
      () => JSON.stringify(countByState(db)),
    );
    expect(countByState(db)).toEqual({ done: 3 });
    const ledger = db.prepare("SELECT SUM(amount) AS total FROM credit_ledger WHERE kind = 'charge'").get() as {
      total: number;
    };
    expect(ledger.total).toBe(3);
  });

  it('at start, takes back a job a worker held when it died', async () => {
    const { server, db, shootId, runner } = await setup({ dedupe: true });
    const [id = ''] = enqueue(db, shootId, 'dedupe', 1);
    // Another worker took the job, sent nothing, and vanished; its lease ran out a second ago.
    applyJobEvent(
      db,
      id,
      { type: 'dispatch', leaseOwner: 'dead-worker', leaseExpiresAt: Date.now() - 1_000 },
      Date.now(),
    );
    runner.start();
    await waitFor(
      () => getJob(db, id)?.state === 'done',
      () => getJob(db, id)?.state ?? '',
    );
    const events = listJobEvents(db, id);
    expect(events.find((event) => event.event === 'hold')?.detail).toMatch(/lease of dead-worker/);
    expect(server.charged.size).toBe(1);
  });
});

describe('reconcile', () => {
  it('asks a provider that can list its work whether a lost submit arrived, and adopts it instead of resending', async () => {
    const { server, db, shootId, runner } = await setup(
      { dedupe: false, onSubmit: ({ n }) => (n === 1 ? { kind: 'reset' } : undefined) },
      { id: 'listing', reconcile: true },
    );
    const [id = ''] = enqueue(db, shootId, 'listing', 1);
    runner.start();
    await waitFor(
      () => settled(db),
      () => JSON.stringify(countByState(db)),
    );
    expect(getJob(db, id)).toMatchObject({ state: 'done', remote: { id: 'r1', data: { statusPath: '/jobs/r1' } } });
    expect(server.totals.submits).toBe(1);
    expect([...server.charged.values()]).toEqual([1]);
  });
});

describe('never twice, when the run is cut short', () => {
  it('a quit while a submit is in flight leaves it for review at the next start, sent once', async () => {
    const { server, db, shootId, runner, dir } = await setup({ dedupe: false, onSubmit: () => ({ kind: 'hang' }) });
    const [id = ''] = enqueue(db, shootId, 'plain', 1);
    runner.start();
    await waitFor(
      () => server.totals.submits === 1,
      () => `submits ${server.totals.submits}`,
    );
    await runner.stop();
    const next = createRunner(db, dir, [
      testProviderModule({ id: 'plain', baseUrl: server.url, idempotentSubmit: false }),
    ]);
    cleanups.push(() => next.stop());
    next.start();
    // start() recovers and runs a pass before it returns: the job went to review and the pass
    // started nothing for it, so nothing can send it again.
    expect(getJob(db, id)?.state).toBe('needs_review');
    expect(next.isRunning(id)).toBe(false);
    expect(server.totals.submits).toBe(1);
  });

  it('an answer the provider module cannot read sends the job to review, not around again', async () => {
    const { server, db, shootId, runner } = await setup({ dedupe: false }, { id: 'odd', unreadableSubmitAnswer: true });
    const [id = ''] = enqueue(db, shootId, 'odd', 1);
    runner.start();
    await waitFor(
      () => settled(db),
      () => JSON.stringify(countByState(db)),
    );
    expect(getJob(db, id)?.state).toBe('needs_review');
    expect(server.totals.submits).toBe(1);
  });

  it('a job canceled mid-submit and then retried goes to review instead of being sent again', async () => {
    let hang = true;
    const { server, db, shootId, runner } = await setup({
      dedupe: false,
      onSubmit: () => (hang ? { kind: 'hang' } : undefined),
    });
    const [id = ''] = enqueue(db, shootId, 'plain', 1);
    runner.start();
    await waitFor(
      () => server.totals.submits === 1,
      () => `submits ${server.totals.submits}`,
    );
    applyJobEvent(db, id, { type: 'cancel' }, Date.now());
    runner.abortJob(id);
    await waitFor(
      () => !runner.isRunning(id),
      () => 'still running',
    );
    hang = false;
    applyJobEvent(db, id, { type: 'retry' }, Date.now());
    runner.wake();
    await waitFor(
      () => getJob(db, id)?.state === 'needs_review',
      () => getJob(db, id)?.state ?? '',
    );
    expect(server.totals.submits).toBe(1);
  });

  it('a job resumed after the provider accepted it is neither charged nor balance-checked again', async () => {
    const server = await startTestProvider({ dedupe: true, balance: 1, pollsUntilDone: 1_000_000 });
    cleanups.push(server.close);
    const dir = tempDir();
    const { db, shootId } = openQueueLibrary(dir);
    cleanups.push(() => db.close());
    const module = () =>
      testProviderModule({
        id: 'paid',
        baseUrl: server.url,
        idempotentSubmit: true,
        withBalance: true,
        pollIntervalMs: 20,
      });
    const first = createRunner(db, dir, [module()]);
    const [id = ''] = enqueue(db, shootId, 'paid', 1);
    first.start();
    await waitFor(
      () => getJob(db, id)?.state === 'remote',
      () => getJob(db, id)?.state ?? '',
    );
    await first.stop(); // the app quits while the provider works on it

    const second = createRunner(db, dir, [module()]);
    cleanups.push(() => second.stop());
    second.start();
    await waitFor(
      () => getJob(db, id)?.state === 'remote' && second.isRunning(id),
      () => getJob(db, id)?.state ?? '',
    );
    expect(providerPausedReasons(db).size).toBe(0); // the spent balance did not pause it
    expect(server.charged.size).toBe(1);
    const charges = db.prepare("SELECT COUNT(*) AS n FROM credit_ledger WHERE kind = 'charge'").get() as { n: number };
    expect(charges.n).toBe(1);
  });
});

describe('the scheduler at rest', () => {
  it('sleeps while its only provider is full and other work is paused, instead of spinning', async () => {
    const { db, shootId, dir, server } = await setup({ dedupe: true, onSubmit: () => ({ kind: 'hang' }) });
    let passes = 0;
    // Time moves only when the test moves it: "a minute went by" takes no real minute, and a
    // scheduler that re-armed itself every 50 ms would show ~1,200 passes instead of none.
    const clock = new ManualClock();
    const runner = createRunner(
      db,
      dir,
      [testProviderModule({ id: 'dedupe', baseUrl: server.url, idempotentSubmit: true, concurrency: 1 })],
      {
        clock,
        hooks: { onDispatchPass: () => (passes += 1) },
      },
    );
    cleanups.push(() => runner.stop());
    enqueue(db, shootId, 'dedupe', 5);
    runner.start();
    await waitFor(
      () => server.totals.submits === 1,
      () => 'no submit',
    );
    const before = passes;
    for (let elapsed = 0; elapsed < 59_000; elapsed += 50) clock.advance(50);
    expect(passes - before).toBe(0);
    // It did not stop looking either: its one wake, a minute on (for orphaned leases), comes.
    clock.advance(1_000);
    expect(passes - before).toBe(1);
  });

  it('takes back, while running, a job whose lease ran out, and leaves one whose lease is live', async () => {
    const { server, db, shootId, runner } = await setup({ dedupe: true });
    runner.start();
    const [orphan = '', live = ''] = enqueue(db, shootId, 'elsewhere', 2);
    db.prepare("UPDATE jobs SET provider = 'dedupe' WHERE id IN (?, ?)").run(orphan, live);
    applyJobEvent(
      db,
      orphan,
      { type: 'dispatch', leaseOwner: 'dead-worker', leaseExpiresAt: Date.now() - 1_000 },
      Date.now(),
    );
    applyJobEvent(
      db,
      live,
      { type: 'dispatch', leaseOwner: 'busy-worker', leaseExpiresAt: Date.now() + 3_600_000 },
      Date.now(),
    );
    runner.wake();
    await waitFor(
      () => getJob(db, orphan)?.state === 'done',
      () => getJob(db, orphan)?.state ?? '',
    );
    expect(getJob(db, live)).toMatchObject({ state: 'preparing', leaseOwner: 'busy-worker' });
    expect(listJobEvents(db, orphan).find((event) => event.event === 'hold')?.detail).toMatch(/lease of dead-worker/);
    expect(server.charged.size).toBe(1);
  });
});

describe('after the provider accepted a job', () => {
  it('status answers the module cannot read are polled again, spending no attempt', async () => {
    const { server, db, shootId, runner } = await setup({ dedupe: false }, { id: 'flaky', unreadablePolls: 10 });
    const [id = ''] = enqueue(db, shootId, 'flaky', 1, { maxAttempts: 3 });
    runner.start();
    await waitFor(
      () => settled(db),
      () => JSON.stringify(countByState(db)),
      30_000,
    );
    expect(getJob(db, id)).toMatchObject({ state: 'done', attempts: 0 });
    expect(server.totals.submits).toBe(1);
  });

  it('a retry after our download failed fetches the finished work again instead of paying for it again', async () => {
    const { server, db, shootId, runner } = await setup({ dedupe: false, failedDownloads: 1 }, { id: 'lossy' });
    const [id = ''] = enqueue(db, shootId, 'lossy', 1);
    runner.start();
    await waitFor(
      () => getJob(db, id)?.state === 'failed',
      () => getJob(db, id)?.state ?? '',
    );
    applyJobEvent(db, id, { type: 'retry' }, Date.now());
    runner.wake();
    await waitFor(
      () => getJob(db, id)?.state === 'done',
      () => getJob(db, id)?.state ?? '',
    );
    expect(server.totals.submits).toBe(1);
    expect([...server.charged.values()]).toEqual([1]);
  });
});
