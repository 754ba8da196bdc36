import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, DEFAULT_USER_ID, startIacreaSandbox, type IacreaSandbox } from '../sandbox/iacrea/server';
import { killAtRandomMoments, runCrashChild, seedCrashLibrary } from '../support/crash-run';
import { openQueueLibrary, settled, waitFor } from '../support/queue-harness';
import { startS3 } from '../support/s3';
import { tempDir } from '../support/temp';

/**
 * iacrea has no idempotency key and no listing: whatever the moment the app dies, a generation is
 * never asked for twice for one photo, and every job ends done or waiting for review. The queue runs
 * in a child process that is SIGKILLed, then started again on the same library.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world(faults: Parameters<typeof startIacreaSandbox>[0] = {}) {
  const sandbox = await startIacreaSandbox({ speed: 100, ...faults });
  cleanups.push(() => sandbox.close());
  const s3 = await startS3();
  cleanups.push(() => s3.close());
  const dir = tempDir('shootline-iacrea-crash-');
  const photos = seedCrashLibrary(dir, 'iacrea', {
    operation: 'exterior',
    params: { roomType: 'POOL' },
    costEstimate: 1,
    inputs: { mask: { maskId: 'lower-half', version: 1 } },
  }).length;
  const start = (killBeforeSend = 0) => {
    const run = runCrashChild(
      [dir, 'iacrea', sandbox.baseUrl, DEFAULT_API_KEY, String(killBeforeSend), s3.endpoint, s3.bucket],
      { SHOOTLINE_TEST_USER_ID: DEFAULT_USER_ID },
    );
    cleanups.push(() => run.child.kill('SIGKILL'));
    return run;
  };
  return { sandbox, dir, photos, start };
}

/** Every job done or in review; no photo generated twice (each photo's image has its own bytes). */
function checkNeverTwice(dir: string, sandbox: IacreaSandbox, photos: number): { review: number } {
  const { db } = openQueueLibrary(dir);
  let review: number;
  try {
    expect(settled(db)).toBe(true);
    const states = db.prepare('SELECT state FROM jobs').all() as { state: string }[];
    expect(states.every((row) => row.state === 'done' || row.state === 'needs_review')).toBe(true);
    review = states.filter((row) => row.state === 'needs_review').length;
    const done = states.length - review;
    const images = sandbox.generations().map((generation) => generation.image.sha256);
    expect(new Set(images).size).toBe(images.length);
    const charged = sandbox.ledger.filter((entry) => entry.photos > 0);
    expect(charged.length).toBeLessThanOrEqual(photos);
    expect(charged.length).toBeGreaterThanOrEqual(done);
  } finally {
    db.close();
  }
  expect(sandbox.violations).toEqual([]);
  return { review };
}

describe('iacrea and a crash', () => {
  it('killed just before a generation leaves: that job waits for review, the others are sent once', async () => {
    const { sandbox, dir, photos, start } = await world();
    expect((await start(1).exited).signal).toBe('SIGKILL');
    expect(sandbox.ledger).toHaveLength(0);
    expect((await start().exited).output).toContain('settled');
    const { review } = checkNeverTwice(dir, sandbox, photos);
    // Marked as sending when the app died: it may have left, and iacrea cannot be asked, so a person
    // decides (it never left: nothing was charged for it) and the rest ran.
    expect(review).toBe(1);
    expect(sandbox.ledger).toHaveLength(photos - 1);
  }, 120_000);

  it('killed after iacrea received a generation: that one goes to review, never asked for again', async () => {
    const { sandbox, dir, photos, start } = await world({
      faults: [{ kind: 'slow', ms: 30_000, when: 'after', route: 'generate' }],
    });
    const first = start();
    await waitFor(
      () => sandbox.ledger.length >= 1,
      () => 'iacrea has not charged yet',
      60_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await start().exited).output).toContain('settled');
    expect(checkNeverTwice(dir, sandbox, photos).review).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('killed at seeded random moments: every job done or in review, no photo generated twice', async () => {
    const { sandbox, dir, photos, start } = await world({ faults: [{ kind: 'slow', ms: 80, count: 200 }] });
    await killAtRandomMoments({
      start: () => start(),
      requestsMade: () => sandbox.counters.requests,
      seed: 26,
      times: 4,
      maxDelayMs: 400,
    });
    expect((await start().exited).output).toContain('settled');
    checkNeverTwice(dir, sandbox, photos);
  }, 180_000);
});
