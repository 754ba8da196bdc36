import { afterEach, describe, expect, it } from 'vitest';
import { startProductaiSandbox } from '../sandbox/productai/server';
import { killAtRandomMoments, runCrashChild, seedCrashLibrary } from '../support/crash-run';
import { countByState, openQueueLibrary, waitFor } from '../support/queue-harness';
import { startS3 } from '../support/s3';
import { tempDir } from '../support/temp';

const KEY = 'pai-crash-test-key';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('ProductAI jobs survive SIGKILL', () => {
  it(
    'before a paid POST, after the sandbox charged one, and at random moments: each job done or in review, no input charged twice (seed 5)',
    { timeout: 240_000 },
    async () => {
      const sandbox = await startProductaiSandbox({ apiKeys: [KEY], speed: 200, rateLimit: false });
      cleanups.push(() => sandbox.close());
      const s3 = await startS3();
      cleanups.push(() => s3.close());
      const dir = tempDir('shootline-productai-crash-');
      const assets = seedCrashLibrary(dir, 'productai', { operation: 'upscale', params: {}, costEstimate: 20 });
      const start = (killBeforeSend = 0) => {
        const args = [dir, 'productai', sandbox.baseUrl, KEY, String(killBeforeSend), s3.endpoint, s3.bucket];
        const run = runCrashChild(args);
        cleanups.push(() => run.child.kill('SIGKILL'));
        return run;
      };

      // Fixed point 1: just before the 2nd paid request leaves.
      let run = start(2);
      expect((await run.exited).signal).toBe('SIGKILL');

      // Fixed point 2: the sandbox has created and charged an upscale, and has not answered yet.
      await sandbox.setFault({ kind: 'delay', ms: 1_500, when: 'after', count: 1, route: 'upscale' });
      const charged = sandbox.ledger.length;
      run = start();
      await waitFor(
        () => sandbox.ledger.length > charged,
        () => 'nothing was charged',
        60_000,
      );
      run.child.kill('SIGKILL');
      await run.exited;

      await killAtRandomMoments({
        start: () => start(),
        requestsMade: () => sandbox.requests.length,
        seed: 5,
        times: 5,
        maxDelayMs: 300,
      });

      expect((await start().exited).output).toContain('settled');
      const check = openQueueLibrary(dir);
      const states = countByState(check.db);
      check.db.close();
      expect(Object.keys(states).filter((state) => state !== 'done' && state !== 'needs_review')).toEqual([]);
      expect((states.done ?? 0) + (states.needs_review ?? 0)).toBe(assets.length);
      expect(states.needs_review ?? 0).toBeGreaterThanOrEqual(1); // the one whose answer was lost
      // Shootline's ledger brackets what ProductAI billed: what it knows it was charged, and at most
      // that plus what may have been charged where an answer was lost.
      const totals = openQueueLibrary(dir);
      const sum = (kind: string): number =>
        (
          totals.db.prepare('SELECT COALESCE(SUM(amount), 0) AS total FROM credit_ledger WHERE kind = ?').get(kind) as {
            total: number;
          }
        ).total;
      const definite = sum('charge');
      const possible = sum('possible_charge');
      totals.db.close();
      const billed = sandbox.ledger.reduce((total, entry) => total + entry.tokens, 0);
      expect(definite).toBeLessThanOrEqual(billed);
      expect(billed).toBeLessThanOrEqual(definite + possible);
      expect(possible).toBeGreaterThan(0);
      // No input charged twice: each staged photo started at most one job at ProductAI.
      const perInput = new Map<string, number>();
      for (const job of sandbox.jobs()) {
        for (const input of job.inputs) {
          const object = new URL(input.url).pathname;
          perInput.set(object, (perInput.get(object) ?? 0) + 1);
        }
      }
      expect([...perInput.values()].filter((count) => count > 1)).toEqual([]);
      expect(sandbox.violations).toEqual([]);
    },
  );
});
