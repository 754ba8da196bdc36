import { afterEach, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../sandbox/aivisualstudio/server';
import { aivsEngine, generate } from '../support/aivisualstudio';
import { jobsEnded } from '../support/iacrea';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const LIMIT = 60;
/** The doc's 60 a minute, in a 1.5 s window: the same pacing, forty times sooner. */
const WINDOW_MS = 1_500;

/**
 * The sandbox's own windows, rebuilt from its request log: a window starts at the first request
 * after the previous one ended (fixed windows per key), and counts every request in it.
 */
function windows(requests: readonly RequestRecord[]): { start: number; count: number }[] {
  const found: { start: number; count: number }[] = [];
  for (const request of [...requests].sort((a, b) => a.at - b.at)) {
    const current = found.at(-1);
    if (current && request.at < current.start + WINDOW_MS) current.count += 1;
    else found.push({ start: request.at, count: 1 });
  }
  return found;
}

describe('AI Visual Studio’s rate limit, polls counted', () => {
  it('more work than the limit allows: never a 429, and at least 90% of the allowed rate while work waits', async () => {
    const setup = await aivsEngine(cleanups, {
      // Generations outlast the measured windows, so polls always want more than the limit gives.
      sandbox: { rateLimit: { requests: LIMIT, windowMs: WINDOW_MS }, durationsMs: { image: 5_000 } },
      provider: { pollIntervalMs: 20 },
    });
    const run = await generate(setup, 'image', { prompt: 'A field of poppies' }, 12);
    const jobs = await jobsEnded(setup.engine, run.jobIds);
    expect(jobs.every((job) => job.state === 'done')).toBe(true);

    const counted = setup.sandbox.requests.filter((request) => request.route !== 'files');
    expect(counted.length).toBeGreaterThanOrEqual(150);
    expect(setup.sandbox.counters.rateLimited).toBe(0);
    // Every window but the last (where the work ran out) is used to at least 90%, none beyond 100%.
    const used = windows(counted);
    expect(used.length).toBeGreaterThanOrEqual(3);
    for (const window of used) expect(window.count).toBeLessThanOrEqual(LIMIT);
    const full = used.slice(0, -1);
    const share = full.reduce((sum, window) => sum + window.count, 0) / (full.length * LIMIT);
    expect(share, JSON.stringify(used)).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
