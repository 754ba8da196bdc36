import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, DEFAULT_KEY_ID, startAuraxSandbox, type AuraxSandbox } from '../sandbox/aurax/server';
import { killAtRandomMoments, runCrashChild, seedCrashLibrary } from '../support/crash-run';
import { openQueueLibrary, settled, waitFor } from '../support/queue-harness';
import { tempDir } from '../support/temp';

/**
 * AuraX has no idempotency key and no way to list tasks: whatever the moment the app dies, a paid
 * request is never sent twice for one photo, and every job ends done or waiting for review. The
 * queue runs in a child process that is SIGKILLed, then started again on the same library.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function start(dir: string, sandbox: AuraxSandbox, killBeforeSend = 0) {
  const run = runCrashChild([dir, 'aurax', sandbox.baseUrl, DEFAULT_API_KEY, String(killBeforeSend)], {
    SHOOTLINE_TEST_KEY_ID: DEFAULT_KEY_ID,
  });
  cleanups.push(() => run.child.kill('SIGKILL'));
  return run;
}

/** Every job done or in review, and no photo described twice (each description's upload has its own size). */
function checkNeverTwice(dir: string, sandbox: AuraxSandbox, photos: number): void {
  const { db } = openQueueLibrary(dir);
  try {
    expect(settled(db)).toBe(true);
    const states = db.prepare('SELECT state FROM jobs').all() as { state: string }[];
    expect(states.every((row) => row.state === 'done' || row.state === 'needs_review')).toBe(true);
    const done = states.filter((row) => row.state === 'done').length;
    const uploads = sandbox.ledger.map((entry) =>
      JSON.stringify(sandbox.requests.find((r) => r.seq === entry.seq)?.body),
    );
    expect(new Set(uploads).size).toBe(uploads.length);
    expect(sandbox.ledger.length).toBeLessThanOrEqual(photos);
    expect(sandbox.ledger.length).toBeGreaterThanOrEqual(done);
  } finally {
    db.close();
  }
  expect(sandbox.violations).toEqual([]);
}

describe('AuraX and a crash', () => {
  const seed = (dir: string) =>
    seedCrashLibrary(dir, 'aurax', { operation: 'describe', params: { productType: 'GARMENT' }, costEstimate: 0.25 });

  it('killed just before a paid request leaves: that job waits for review, the others are sent once', async () => {
    const sandbox = await startAuraxSandbox({ credits: 50, speed: 100 });
    cleanups.push(() => sandbox.close());
    const dir = tempDir('shootline-aurax-crash-');
    const photos = seed(dir).length;
    expect((await start(dir, sandbox, 1).exited).signal).toBe('SIGKILL');
    expect(sandbox.ledger).toHaveLength(0);
    expect((await start(dir, sandbox).exited).output).toContain('settled');
    checkNeverTwice(dir, sandbox, photos);
    // The step was marked as sending when the app died: it may have left, and AuraX cannot be asked,
    // so that job waits for review (it never left: nothing was charged for it) and the rest ran.
    expect(sandbox.ledger).toHaveLength(photos - 1);
    const { db } = openQueueLibrary(dir);
    const review = db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'needs_review'").get() as { n: number };
    db.close();
    expect(review.n).toBe(1);
  }, 120_000);

  it('killed after AuraX received a paid request: that one goes to review, never sent again', async () => {
    const sandbox = await startAuraxSandbox({
      credits: 50,
      speed: 100,
      faults: [{ kind: 'delay', ms: 30_000, when: 'after', route: 'product-description' }],
    });
    cleanups.push(() => sandbox.close());
    const dir = tempDir('shootline-aurax-crash-');
    const photos = seed(dir).length;
    const first = start(dir, sandbox);
    await waitFor(
      () => sandbox.ledger.length >= 1,
      () => 'AuraX has not charged yet',
      60_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await start(dir, sandbox).exited).output).toContain('settled');
    checkNeverTwice(dir, sandbox, photos);
    const { db } = openQueueLibrary(dir);
    const review = db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'needs_review'").get() as { n: number };
    db.close();
    expect(review.n).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('killed at seeded random moments: every job done or in review, no photo charged twice', async () => {
    const sandbox = await startAuraxSandbox({
      credits: 50,
      speed: 100,
      faults: [{ kind: 'delay', ms: 80, count: 100 }],
    });
    cleanups.push(() => sandbox.close());
    const dir = tempDir('shootline-aurax-crash-');
    const photos = seed(dir).length;
    await killAtRandomMoments({
      start: () => start(dir, sandbox),
      requestsMade: () => sandbox.counters.requests,
      seed: 24,
      times: 4,
      maxDelayMs: 400,
    });
    expect((await start(dir, sandbox).exited).output).toContain('settled');
    checkNeverTwice(dir, sandbox, photos);
  }, 180_000);
});
