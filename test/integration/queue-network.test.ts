import { afterEach, describe, expect, it } from 'vitest';
import { getJob } from '../../main/engine/db/jobs-repo';
import { probeBaseUrl } from '../../main/engine/queue/provider-calls';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { countByState, createRunner, enqueue, openQueueLibrary, settled, waitFor } from '../support/queue-harness';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the queue and the network', () => {
  it(
    'holds an unreachable provider without spending attempts while another carries on, then resumes by itself',
    { timeout: 60_000 },
    async () => {
      const up = await startTestProvider({ dedupe: true, pollsUntilDone: 1 });
      cleanups.push(up.close);
      let flaky = await startTestProvider({ dedupe: true, pollsUntilDone: 1 });
      const flakyPort = flaky.port;
      const dir = tempDir();
      const { db, shootId } = openQueueLibrary(dir);
      cleanups.push(() => db.close());

      // The outage starts before the queue does: every request to `flaky` is refused.
      await flaky.close();
      let probes = 0;
      const runner = createRunner(
        db,
        dir,
        [
          testProviderModule({ id: 'up', baseUrl: up.url, idempotentSubmit: true }),
          testProviderModule({ id: 'flaky', baseUrl: flaky.url, idempotentSubmit: true }),
        ],
        {
          random: () => 0.5, // probe delays 0.5 s, 1 s, 2 s…: a known bound on probes per outage
          probe: (url, signal) => {
            probes += 1;
            return probeBaseUrl(url, signal);
          },
        },
      );
      cleanups.push(() => runner.stop());
      const upJobs = enqueue(db, shootId, 'up', 30);
      const flakyJobs = enqueue(db, shootId, 'flaky', 30);
      runner.start();

      await waitFor(
        () => upJobs.every((id) => getJob(db, id)?.state === 'done'),
        () => JSON.stringify(countByState(db)),
      );
      const outageStart = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      // In ~2 s of outage: probes at 0.5, 1.5 (and perhaps 3.5) s after it was noticed.
      expect(probes).toBeGreaterThanOrEqual(1);
      expect(probes).toBeLessThanOrEqual(3);
      for (const id of flakyJobs) expect(getJob(db, id)).toMatchObject({ state: 'queued', attempts: 0 });

      flaky = await startTestProvider({ dedupe: true, pollsUntilDone: 1, port: flakyPort });
      cleanups.push(flaky.close);
      await waitFor(
        () => settled(db),
        () => JSON.stringify(countByState(db)),
        30_000,
      );
      expect(countByState(db)).toEqual({ done: 60 });
      for (const id of flakyJobs) expect(getJob(db, id)?.attempts).toBe(0);
      expect(flaky.charged.size).toBe(30);
      expect(Date.now() - outageStart).toBeGreaterThanOrEqual(2_000);
    },
  );

  it(
    'keeps under a strict server rate limit, polls counted, with no 429 and at least 90% of the allowed rate',
    { timeout: 120_000 },
    async () => {
      const server = await startTestProvider({
        dedupe: true,
        inlineOutputs: true,
        rateLimit: { requests: 15, windowMs: 3_000, retryAfterSeconds: 1 },
      });
      cleanups.push(server.close);
      const dir = tempDir();
      const { db, shootId } = openQueueLibrary(dir);
      cleanups.push(() => db.close());
      // The documented window as is: the limiter itself holds a window 2% longer than wide, for the time a
      // request takes to arrive after its grant (this test runs on its own, after the other files).
      const provider = testProviderModule({
        id: 'strict',
        baseUrl: server.url,
        idempotentSubmit: true,
        rateLimit: { requests: 15, windowMs: 3_000 },
        pollIntervalMs: 1,
      });
      const runner = createRunner(db, dir, [provider]);
      cleanups.push(() => runner.stop());
      enqueue(db, shootId, 'strict', 120);
      runner.start();
      await waitFor(
        () => settled(db),
        () => JSON.stringify(countByState(db)),
        110_000,
      );

      expect(countByState(db)).toEqual({ done: 120 });
      expect(server.totals.rateLimited).toBe(0);
      const first = server.arrivals[0] ?? 0;
      const last = server.arrivals.at(-1) ?? 0;
      const allowedPerMs = 15 / 3_000;
      // n requests need at least (n - 15) / rate ms under the limit; finishing within 1/0.9 of that is ≥ 90%.
      const minimumMs = (server.arrivals.length - 15) / allowedPerMs;
      expect(last - first).toBeLessThanOrEqual(minimumMs / 0.9);
      expect(server.totals.polls).toBeGreaterThanOrEqual(120);
    },
  );
});
