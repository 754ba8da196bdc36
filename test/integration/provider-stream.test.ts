import { afterEach, describe, expect, it } from 'vitest';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider, type TestProviderOptions } from '../support/test-provider/server';
import { countByState, createRunner, enqueue, openQueueLibrary, settled, waitFor } from '../support/queue-harness';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Jobs on a provider that streams each job's status, run through the real queue until they settle. */
async function runStreamed(stream: NonNullable<TestProviderOptions['stream']>, jobs: number, streamIdleMs = 30_000) {
  const server = await startTestProvider({ dedupe: true, pollsUntilDone: 0, stream });
  cleanups.push(server.close);
  const dir = tempDir();
  const { db, shootId } = openQueueLibrary(dir);
  cleanups.push(() => db.close());
  // Polling so slow that only the stream (or the fallback right after it gives up) can finish a job.
  const provider = testProviderModule({
    id: 'streamer',
    baseUrl: server.url,
    idempotentSubmit: true,
    stream: true,
    streamIdleMs,
    pollIntervalMs: 600_000,
  });
  const runner = createRunner(db, dir, [provider]);
  cleanups.push(() => runner.stop());
  enqueue(db, shootId, 'streamer', jobs);
  runner.start();
  await waitFor(
    () => settled(db),
    () => JSON.stringify(countByState(db)),
    30_000,
  );
  return { server, db };
}

describe('status by stream', () => {
  it('completes jobs by their stream: one stream each, no status polls, every request counted at the provider', async () => {
    const { server, db } = await runStreamed('complete', 3);
    expect(countByState(db)).toEqual({ done: 3 });
    expect(server.totals).toMatchObject({ streams: 3, polls: 0, submits: 3 });
    expect([...server.charged.values()]).toEqual([1, 1, 1]);
    // Submits, streams and downloads: the provider saw every one of them as a request.
    expect(server.totals.requests).toBe(server.totals.submits + server.totals.streams + server.totals.downloads);
  });

  it('falls back to polling when a stream drops mid-way, and completes, charged once', async () => {
    const { server, db } = await runStreamed('drop', 2);
    expect(countByState(db)).toEqual({ done: 2 });
    expect(server.totals.streams).toBe(2);
    expect(server.totals.polls).toBe(2);
    expect([...server.charged.values()]).toEqual([1, 1]);
  });

  it('abandons a stream that stalls after its timeout, then hears the job by polling', async () => {
    const { server, db } = await runStreamed('stall', 1, 300);
    expect(countByState(db)).toEqual({ done: 1 });
    expect(server.totals.streams).toBe(1);
    // The client closed the silent stream itself.
    await waitFor(
      () => server.totals.streamsLeft === 1,
      () => JSON.stringify(server.totals),
    );
    expect(server.totals.polls).toBe(1);
    expect([...server.charged.values()]).toEqual([1]);
  });
});
