/**
 * Queue throughput: enqueue + claim + complete of N jobs (default 100,000) through the queue's own
 * code, against a floor measured in the same run: the same rows inserted and updated with bare
 * prepared statements, in transactions of the same size, with the same PRAGMAs (openDatabase).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, writeTransaction, type Db } from '../../main/engine/db/connection';
import { applyJobEvent, insertJobs, type NewJob } from '../../main/engine/db/jobs-repo';
import { claimDueJobs } from '../../main/engine/db/job-claims-repo';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';

const ENQUEUE_BATCH = 1_000;
const CLAIM_BATCH = 100;
const COMPLETE_EVENTS = ['prepared', 'accepted', 'remote_done', 'fetched'] as const;

function library(dir: string, name: string): Db {
  const db = openDatabase(path.join(dir, `${name}.db`));
  migrate(db, migrations, Date.now);
  return db;
}

function newJobs(count: number): NewJob[] {
  return Array.from({ length: count }, () => {
    const id = randomUUID();
    return {
      id,
      shootId: null,
      recipeId: null,
      provider: 'bench',
      operation: 'generate',
      inputs: {},
      params: { preset: 'auto' },
      idempotencyKey: `key-${id}`,
      maxAttempts: 8,
      costEstimate: 1,
      priority: 0,
      waitingFor: null,
    };
  });
}

function ours(db: Db, jobs: NewJob[]): number {
  const start = performance.now();
  for (let i = 0; i < jobs.length; i += ENQUEUE_BATCH) insertJobs(db, jobs.slice(i, i + ENQUEUE_BATCH), Date.now());
  for (;;) {
    const claimed = claimDueJobs(db, 'bench', {
      now: Date.now(),
      limit: CLAIM_BATCH,
      leaseOwner: 'bench',
      leaseMs: 60_000,
      providers: ['bench'],
      pausedShoots: [],
    });
    if (claimed.length === 0) break;
    for (const job of claimed) {
      for (const type of COMPLETE_EVENTS) {
        applyJobEvent(db, job.id, { type }, Date.now(), type === 'accepted' ? { remote: { id: `r-${job.id}` } } : {});
      }
    }
  }
  return performance.now() - start;
}

function floor(db: Db, jobs: NewJob[]): number {
  const insert = db.prepare(
    `INSERT INTO jobs (id, provider, operation, inputs_json, params_json, state, attempts, max_attempts, idempotency_key,
       cost_estimate, priority, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, 0, ?, ?)`,
  );
  const event = db.prepare(
    'INSERT INTO job_events (job_id, at, event, from_state, to_state, attempt) VALUES (?, ?, ?, ?, ?, 0)',
  );
  const select = db.prepare(
    "SELECT id FROM jobs WHERE state = 'queued' AND provider = ? ORDER BY priority DESC, created_at, id LIMIT ?",
  );
  const setState = db.prepare('UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?');
  const start = performance.now();
  for (let i = 0; i < jobs.length; i += ENQUEUE_BATCH) {
    const now = Date.now();
    writeTransaction(db, () => {
      for (const job of jobs.slice(i, i + ENQUEUE_BATCH)) {
        insert.run(
          job.id,
          job.provider,
          job.operation,
          '{"assetIds":[]}',
          '{"preset":"auto"}',
          8,
          job.idempotencyKey,
          1,
          now,
          now,
        );
        event.run(job.id, now, 'created', null, 'queued');
      }
    });
  }
  const path: [string, string][] = [
    ['queued', 'preparing'],
    ['preparing', 'submitting'],
    ['submitting', 'remote'],
    ['remote', 'fetching'],
    ['fetching', 'done'],
  ];
  for (;;) {
    const now = Date.now();
    const ids = writeTransaction(db, () => {
      const batch = (select.all('bench', CLAIM_BATCH) as { id: string }[]).map((row) => row.id);
      for (const id of batch) {
        setState.run('preparing', now, id);
        event.run(id, now, 'dispatch', 'queued', 'preparing');
      }
      return batch;
    });
    if (ids.length === 0) break;
    for (const id of ids) {
      for (const [from, to] of path.slice(1)) {
        writeTransaction(db, () => {
          setState.run(to, Date.now(), id);
          event.run(id, Date.now(), 'step', from, to);
        });
      }
    }
  }
  return performance.now() - start;
}

export function runQueueBench(count: number): { oursMs: number; floorMs: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-queue-bench-'));
  try {
    const jobs = newJobs(count);
    const floorDb = library(dir, 'floor');
    const floorMs = floor(floorDb, jobs);
    floorDb.close();
    const oursDb = library(dir, 'ours');
    const oursMs = ours(oursDb, jobs);
    const done = (oursDb.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'done'").get() as { n: number }).n;
    oursDb.close();
    if (done !== count) throw new Error(`queue bench finished ${done} of ${count} jobs`);
    return { oursMs, floorMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
