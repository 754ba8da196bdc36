import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '../../main/engine/db/connection';
import { insertJobs, type NewJob } from '../../main/engine/db/jobs-repo';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import { insertShoot } from '../../main/engine/db/shoots-repo';
import { silentLogger, type Logger } from '../../main/engine/log';
import type { ProviderModule } from '../../main/engine/providers/contract';
import { systemClock, type Clock } from '../../main/engine/clock';
import { OutputStore } from '../../main/engine/queue/output-store';
import { QueueRunner, type QueueRunnerOptions } from '../../main/engine/queue/runner';

/** A real library file with one shoot, for queue tests; the runner is built over it on demand. */
export function openQueueLibrary(dir: string): { db: Db; shootId: string } {
  fs.mkdirSync(dir, { recursive: true });
  const db = openDatabase(path.join(dir, 'shootline.db'));
  migrate(db, migrations, Date.now);
  const existing = db.prepare('SELECT id FROM shoots LIMIT 1').get() as { id: string } | undefined;
  if (existing) return { db, shootId: existing.id };
  const shootId = randomUUID();
  insertShoot(db, { id: shootId, name: 'Queue test', createdAt: new Date().toISOString() });
  return { db, shootId };
}

export function enqueue(
  db: Db,
  shootId: string,
  provider: string,
  count: number,
  overrides: Partial<NewJob> = {},
): string[] {
  const jobs: NewJob[] = Array.from({ length: count }, () => {
    const id = randomUUID();
    return {
      id,
      shootId,
      recipeId: null,
      provider,
      operation: 'generate',
      inputs: {},
      params: {},
      idempotencyKey: `job-${id}`,
      maxAttempts: 8,
      costEstimate: 1,
      priority: 0,
      waitingFor: null,
      ...overrides,
    };
  });
  insertJobs(db, jobs, Date.now());
  return jobs.map((job) => job.id);
}

export function createRunner(
  db: Db,
  dir: string,
  providers: ProviderModule[],
  overrides: Partial<QueueRunnerOptions> = {},
): QueueRunner {
  const log: Logger = overrides.log ?? silentLogger;
  const clock: Clock = overrides.clock ?? systemClock;
  return new QueueRunner({
    db,
    providers,
    clock,
    log,
    workerId: `worker-${randomUUID()}`,
    // Fast retries: the policy's shape is tested on its own; here only the queue's behaviour matters.
    policy: { baseMs: 20, capMs: 200, maxAttempts: 8 },
    // The engine's own output store; these libraries hold no photos, so no metadata is carried.
    outputs: new OutputStore({
      db,
      mediaRoot: path.join(dir, 'media'),
      log,
      carryMetadata: () => Promise.resolve(),
    }),
    ...overrides,
  });
}

export function countByState(db: Db): Record<string, number> {
  const rows = db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as {
    state: string;
    n: number;
  }[];
  return Object.fromEntries(rows.map((row) => [row.state, row.n]));
}

/** Waits until `predicate` holds, checking every 20 ms; throws after `timeoutMs` with what it last saw. */
export async function waitFor(predicate: () => boolean, describe: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function settled(db: Db): boolean {
  const row = db
    .prepare("SELECT COUNT(*) AS n FROM jobs WHERE state NOT IN ('done', 'failed', 'canceled', 'needs_review')")
    .get() as { n: number };
  return row.n === 0;
}
