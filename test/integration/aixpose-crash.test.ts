import { afterEach, describe, expect, it } from 'vitest';
import { startAixposeSandbox } from '../sandbox/aixpose/server';
import { killAtRandomMoments, runCrashChild, seedCrashLibrary } from '../support/crash-run';
import { countByState, openQueueLibrary, waitFor } from '../support/queue-harness';
import { tempDir } from '../support/temp';

const KEY = 'aix_crash_test_key';
const ENHANCEMENTS = 'POST /v1/pictures/{picture_id}/enhancements';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('AIXpose jobs survive SIGKILL', () => {
  it(
    'before a paid POST, after the sandbox received one, and at random moments: every job done, no charge twice (seed 11)',
    { timeout: 240_000 },
    async () => {
      const sandbox = await startAixposeSandbox({ apiKey: KEY, credits: 1000, speed: 50 });
      cleanups.push(() => sandbox.close());
      const dir = tempDir('shootline-aixpose-crash-');
      const assets = seedCrashLibrary(dir, 'aixpose', {
        operation: 'enhance',
        params: { actions: ['interior-style-japandi'], variants: 2 },
        costEstimate: 2,
      });
      const start = (killBeforeSend = 0) => {
        const run = runCrashChild([dir, 'aixpose', sandbox.baseUrl, KEY, String(killBeforeSend)]);
        cleanups.push(() => run.child.kill('SIGKILL'));
        return run;
      };

      // Fixed point 1: just before the 4th request step leaves (a job's upload or its paid enhancement).
      let run = start(4);
      expect((await run.exited).signal).toBe('SIGKILL');

      // Fixed point 2: the sandbox has received a paid enhancement and is still working on it.
      sandbox.setFault({ kind: 'delay', ms: 1_500 }, { times: 1, route: ENHANCEMENTS });
      run = start();
      await waitFor(
        () => sandbox.requests.some((request) => request.route === ENHANCEMENTS && request.fault === 'delay'),
        () => 'no enhancement arrived',
        60_000,
      );
      run.child.kill('SIGKILL');
      await run.exited;

      await killAtRandomMoments({
        start: () => start(),
        requestsMade: () => sandbox.requests.length,
        seed: 11,
        times: 5,
        maxDelayMs: 400,
      });

      expect((await start().exited).output).toContain('settled');
      const check = openQueueLibrary(dir);
      const errors = check.db.prepare("SELECT DISTINCT last_error_message AS m FROM jobs WHERE state != 'done'").all();
      expect({ states: countByState(check.db), errors }).toEqual({ states: { done: assets.length }, errors: [] });
      const variants = check.db.prepare('SELECT COUNT(*) AS n FROM variants').get() as { n: number };
      expect(variants.n).toBe(assets.length * 2);
      // Shootline's own ledger says what AIXpose charged: every charge once, nothing left uncertain.
      const ledger = check.db
        .prepare('SELECT kind, SUM(amount) AS total FROM credit_ledger GROUP BY kind ORDER BY kind')
        .all() as { kind: string; total: number }[];
      expect(ledger).toEqual([{ kind: 'charge', total: 1000 - sandbox.balance }]);
      check.db.close();
      // One charge per generated picture: 2 per job, whatever was resent after a kill.
      expect(sandbox.balance).toBe(1000 - assets.length * 2);
      expect(sandbox.violations).toEqual([]);
    },
  );
});
