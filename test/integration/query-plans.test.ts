import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobState } from '../../shared/jobs';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { saveBudget } from '../../main/engine/db/budgets-repo';
import { openDatabase, writeTransaction, type Db } from '../../main/engine/db/connection';
import { recordJobMoney } from '../../main/engine/db/credit-ledger-repo';
import { saveHotFolder } from '../../main/engine/db/hot-folders-repo';
import { claimDueJobs, jobsWithExpiredLease, nextDueAt } from '../../main/engine/db/job-claims-repo';
import { getJob, insertJobs, type NewJob } from '../../main/engine/db/jobs-repo';
import { insertVariant, updateVariant } from '../../main/engine/db/variants-repo';
import { DATABASE_FILE, Engine } from '../../main/engine/engine';
import { silentLogger } from '../../main/engine/log';
import { createAixposeProvider } from '../../main/engine/providers/aixpose';
import { SpendTracker } from '../../main/engine/queue/job-inputs-plan';
import { InputGiver } from '../../main/engine/queue/provide-input';
import { call, testHotFolder } from '../support/engine';
import { ManualClock } from '../support/manual-clock';

/**
 * The queries behind the calls the UI and the queue make all the time must find their rows through
 * an index, not read a whole table: a library grows to hundreds of thousands of photos and jobs.
 *
 * No SQL is copied here. Each case runs the real code (an API call on a real engine, or the queue's
 * own repository functions) and records every statement SQLite executes meanwhile, with the values
 * it was given; each is then explained (EXPLAIN QUERY PLAN, same values) and any plan line that reads
 * all of `assets`, `jobs` or `variants` fails the case, with the SQL and its plan. A statement that
 * reads a whole table by design (no WHERE: counts per state for the queue's figures) may do it
 * through a covering index, never through the table's rows.
 *
 * Plans are checked twice: on a small library as seeded (no statistics, as the engine runs: it
 * never runs ANALYZE), and on one of thousands of rows after ANALYZE (statistics may change plans).
 */

const WATCHED = ['assets', 'jobs', 'variants'] as const;
type Table = (typeof WATCHED)[number];

/** One statement as the code executed it: its SQL and the arguments it was run with. */
interface Execution {
  sql: string;
  params: unknown[];
}

const EXECUTE = ['run', 'get', 'all', 'iterate'] as const;
type Execute = (this: Database.Statement, ...params: unknown[]) => unknown;

/**
 * Runs `action` and returns every statement executed meanwhile, on any connection. Statements are
 * recorded where they run, not where they are prepared: the engine keeps its statements prepared
 * (see `statement()` in connection.ts), so a call prepares almost nothing once the engine is warm.
 */
async function capture(db: Db, action: () => unknown): Promise<Execution[]> {
  const prototype = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<(typeof EXECUTE)[number], Execute>;
  const originals = EXECUTE.map((name) => [name, prototype[name]] as const);
  const seen: Execution[] = [];
  for (const [name, original] of originals) {
    prototype[name] = function (this: Database.Statement, ...params: unknown[]) {
      seen.push({ sql: this.source, params });
      return original.apply(this, params);
    };
  }
  try {
    await action();
  } finally {
    for (const [name, original] of originals) prototype[name] = original;
  }
  const distinct = new Map(seen.map((execution) => [keyOf(execution), execution]));
  return [...distinct.values()];
}

const paramsText = (execution: Execution) =>
  JSON.stringify(execution.params, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
const keyOf = (execution: Execution) => `${execution.sql}\u0000${paramsText(execution)}`;

/** A statement's plan: its lines, the watched tables it reads, and the lines that read one whole. */
interface Plan {
  execution: Execution;
  lines: string[];
  tables: Set<Table>;
  scans: string[];
  /** Whole-table reads of a statement with no WHERE, through a covering index (allowed, reported). */
  wholeTable: string[];
}

type PlanRow = { id: number; parent: number; detail: string };

function explain(db: Db, execution: Execution): Plan {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${execution.sql}`).all(...execution.params) as PlanRow[];
  const depth = new Map<number, number>();
  const lines = rows.map((row) => {
    depth.set(row.id, (depth.get(row.parent) ?? -1) + 1);
    return `${'  '.repeat(depth.get(row.id) ?? 0)}${row.detail}`;
  });
  const names = tableNames(execution.sql);
  const whole = !/\bWHERE\b/i.test(execution.sql);
  const plan: Plan = { execution, lines, tables: new Set(), scans: [], wholeTable: [] };
  for (const row of rows) {
    const [, verb, name, rest = ''] = /^(SCAN|SEARCH) (\S+)(.*)$/.exec(row.detail) ?? [];
    const table = name === undefined ? undefined : names.get(name);
    if (!table) continue;
    plan.tables.add(table);
    // An automatic index is built by reading the whole table, every time the statement runs.
    if (verb === 'SEARCH' && !rest.includes('AUTOMATIC')) continue;
    if (whole && rest.startsWith(' USING COVERING INDEX')) plan.wholeTable.push(row.detail);
    else plan.scans.push(row.detail);
  }
  return plan;
}

/** The watched tables a statement names, by the names its plan calls them (the table's, or its alias). */
function tableNames(sql: string): Map<string, Table> {
  const names = new Map<string, Table>();
  for (const [, table = '', alias] of sql.matchAll(/\b(assets|jobs|variants)\b(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    const watched = WATCHED.find((name) => name === table.toLowerCase());
    if (!watched) continue;
    names.set(watched, watched);
    if (alias) names.set(alias, watched);
  }
  return names;
}

function describePlan(plan: Plan): string {
  const sql = plan.execution.sql.replace(/\s+/g, ' ').trim();
  const lines = plan.lines.map((line) => `  ${line}`);
  return [`SQL: ${sql}`, `params: ${paramsText(plan.execution)}`, 'plan:', ...lines].join('\n');
}

/** A running engine on its own library, and the ids of what was seeded in it. */
interface Library {
  engine: Engine;
  /** The test's own connection to the library: it seeds it, analyzes it and explains plans on it. */
  db: Db;
  now: number;
  shootId: string;
  /** A shoot made in a hot folder (its budget follows the folder's spending rule), paused. */
  folderShootId: string;
  assetIds: string[];
  /** A photo that has results. */
  assetWithVariants: string;
  close: () => Promise<void>;
}

/** What the seeded jobs are doing, in turn: due, backing off, waiting, at the provider, and mostly finished. */
const JOB_STATES: { state: JobState; waitingFor?: 'approval' | 'mask'; backoff?: boolean }[] = [
  { state: 'queued' },
  { state: 'queued', backoff: true },
  { state: 'awaiting_input', waitingFor: 'approval' },
  { state: 'awaiting_input', waitingFor: 'mask' },
  { state: 'remote' },
  { state: 'failed' },
  { state: 'canceled' },
  ...Array.from({ length: 9 }, () => ({ state: 'done' as const })),
];

/**
 * A real engine on a temp library, its queue paused (nothing is sent anywhere) and on a clock that
 * only moves when told (the scheduler never wakes by itself), with `shoots` shoots (one in a hot
 * folder) of `perShoot` photos, a job on every photo in one of the states above, results of the
 * done ones, a result made from a prompt, charges, and a budget.
 */
async function openLibrary(shoots: number, perShoot: number): Promise<Library> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-plans-'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const engine = new Engine({ dataDir: dir, shell: 'headless', version: 't', log: silentLogger, clock });
  engine.start();
  const db = openDatabase(path.join(dir, DATABASE_FILE));
  const close = async () => {
    await engine.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  await call(engine, 'queue.pause', { scope: 'global' });
  fs.mkdirSync(path.join(dir, 'hot'));
  saveHotFolder(db, testHotFolder(path.join(dir, 'hot'), { spendingCap: 50 }));
  const shootIds = [(await call(engine, 'shoots.create', { name: 'Lakeside villa' })).id];
  shootIds.push((await call(engine, 'shoots.create', { name: 'Harbour', hotFolderId: 'hf' })).id);
  for (let n = 2; n < shoots; n++) shootIds.push((await call(engine, 'shoots.create', { name: `Shoot ${n}` })).id);
  const [shootId = '', folderShootId = ''] = shootIds;
  await call(engine, 'queue.pause', { scope: 'shoot', id: folderShootId });
  const now = clock.now();
  const assetIds: string[] = [];
  const job = (id: string, shoot: string, provider: string, inputs: NewJob['inputs'], i: number): NewJob => ({
    id,
    shootId: shoot,
    recipeId: null,
    provider,
    operation: 'enhance',
    inputs,
    params: {},
    idempotencyKey: `key-${id}`,
    maxAttempts: 5,
    costEstimate: 2,
    priority: i % 4,
    waitingFor: JOB_STATES[i % JOB_STATES.length]?.waitingFor ?? null,
  });
  writeTransaction(db, () => {
    for (const [s, shoot] of shootIds.entries()) {
      const jobs: NewJob[] = [];
      for (let i = 0; i < perShoot; i++) {
        const id = `a${s}-${i}`;
        // Every fifth photo has the same bytes as its namesakes in the other shoots (copies).
        const hash = i % 5 === 0 ? `hash-${i}` : `hash-${s}-${i}`;
        const asset = { id, shootId: shoot, relativePath: `IMG_${1000 + i}.jpg`, contentHash: hash };
        insertAsset(db, { ...asset, sizeBytes: 100, width: 40, height: 30 }, now + i);
        if (i % 2 === 0) db.prepare('UPDATE assets SET captured_at = ? WHERE id = ?').run(`2026-01-01 ${i}`, id);
        assetIds.push(id);
        const provider = i % 3 === 0 ? 'local' : 'aixpose';
        jobs.push(job(`j${s}-${i}`, shoot, provider, { source: { kind: 'asset', assetId: id, version: 1 } }, i));
      }
      insertJobs(db, jobs, now);
      for (const [i, { id }] of jobs.entries()) seedJobState(db, id, JOB_STATES[i % JOB_STATES.length], now);
    }
    // A result made from a prompt belongs to its shoot, not to a photo.
    insertJobs(db, [job('prompt', shootId, 'aixpose', {}, 0)], now);
    seedJobState(db, 'prompt', { state: 'done' }, now);
    let results = 0;
    for (const id of db.prepare("SELECT id FROM jobs WHERE state = 'done'").pluck().all() as string[]) {
      const done = getJob(db, id);
      if (!done) continue;
      const output = { index: 0, kind: 'image', mimeType: 'image/jpeg', width: 40, height: 30 } as const;
      const variant = insertVariant(db, done, output, { mediaId: `m-${id}`, sizeBytes: 10 }, now);
      // About a third of the results are approved, as in a shoot being reviewed.
      if (variant && results++ % 3 === 0) updateVariant(db, variant.id, { approved: true, pick: 'picked' }, now);
      const charge = { provider: done.provider, amount: 2 };
      if (done.provider === 'aixpose') recordJobMoney(db, id, done.idempotencyKey, { charge }, now);
    }
    saveBudget(db, { shootId, provider: 'aixpose', cap: 100, approved: 10, autoApprove: false }, now);
  });
  const withVariants = db.prepare('SELECT asset_id FROM variants WHERE asset_id IS NOT NULL LIMIT 1').pluck();
  const assetWithVariants = withVariants.get() as string;
  return { engine, db, now, shootId, folderShootId, assetIds, assetWithVariants, close };
}

function seedJobState(db: Db, id: string, plan: (typeof JOB_STATES)[number] | undefined, now: number): void {
  if (!plan || plan.state === 'awaiting_input') return;
  const finished = ['done', 'failed', 'canceled'].includes(plan.state) ? now : null;
  // A job at its provider is held by a worker whose lease runs for a while yet.
  const lease = plan.state === 'remote' ? now + 3_600_000 : null;
  db.prepare(
    `UPDATE jobs SET state = ?, next_attempt_at = ?, finished_at = ?, attempts = ?, lease_owner = ?, lease_expires_at = ?
     WHERE id = ?`,
  ).run(
    plan.state,
    plan.backoff ? now + 60_000 : null,
    finished,
    plan.state === 'queued' ? 0 : 1,
    lease && 'worker',
    lease,
    id,
  );
}

/** Reads two pages of a shoot's photos in one order: the first, and the one after its cursor. */
async function twoPagesOfAssets(library: Library, sort: 'name' | 'captured' | 'added'): Promise<void> {
  const { engine, shootId } = library;
  const first = await call(engine, 'assets.list', { shootId, sort, limit: 3 });
  expect(first.nextCursor).not.toBeNull();
  const second = await call(engine, 'assets.list', { shootId, sort, limit: 3, cursor: first.nextCursor ?? undefined });
  expect(second.assets).toHaveLength(3);
}

async function twoPagesOfJobs(library: Library, filter: { shootId?: string; states?: JobState[] }): Promise<void> {
  const first = await call(library.engine, 'jobs.list', { ...filter, limit: 2 });
  expect(first.nextCursor).not.toBeNull();
  await call(library.engine, 'jobs.list', { ...filter, limit: 2, cursor: first.nextCursor ?? undefined });
}

const aixpose = createAixposeProvider();
const paidOperation = Object.values(aixpose.operations).find((operation) => operation.paid);

interface Case {
  name: string;
  /** The tables the call must be seen reading (so a call that stops being captured cannot pass). */
  reads: Table[];
  run: (library: Library) => unknown;
}

const CASES: Case[] = [
  ...(['name', 'captured', 'added'] as const).map((sort) => ({
    name: `assets.list sorted by ${sort}, first and second page`,
    reads: ['assets' as const],
    run: (lib: Library) => twoPagesOfAssets(lib, sort),
  })),
  {
    name: "the queue's claim of due jobs (claimDueJobs)",
    reads: ['jobs'],
    run: ({ db, now, folderShootId }) => {
      const claimed = claimDueJobs(db, 'aixpose', {
        now,
        limit: 2,
        leaseOwner: 'plans',
        leaseMs: 60_000,
        providers: ['aixpose'],
        pausedShoots: [folderShootId],
      });
      expect(claimed.length).toBeGreaterThan(0);
    },
  },
  {
    name: "the queue's next wake-up (nextDueAt) and its lease recovery (jobsWithExpiredLease)",
    reads: ['jobs'],
    run: ({ db, now, folderShootId }) => {
      expect(nextDueAt(db, ['aixpose', 'local'], [folderShootId])).not.toBeNull();
      jobsWithExpiredLease(db, now);
    },
  },
  {
    name: 'jobs.list by states, first and second page',
    reads: ['jobs'],
    run: (lib) => twoPagesOfJobs(lib, { states: ['queued', 'awaiting_input', 'needs_review'] }),
  },
  {
    name: 'jobs.list by shoot, first and second page',
    reads: ['jobs'],
    run: (lib) => twoPagesOfJobs(lib, { shootId: lib.shootId }),
  },
  {
    name: "variants.list by photo (a photo's results)",
    reads: ['variants'],
    run: async ({ engine, assetWithVariants }) =>
      expect(await call(engine, 'variants.list', { assetId: assetWithVariants })).not.toHaveLength(0),
  },
  {
    name: 'variants.list by shoot (the review view groups them by photo)',
    reads: ['variants'],
    run: async ({ engine, shootId }) => expect(await call(engine, 'variants.list', { shootId })).not.toHaveLength(0),
  },
  { name: 'queue.stats', reads: ['jobs'], run: ({ engine }) => call(engine, 'queue.stats', {}) },
  {
    name: 'the budget check before a paid job (SpendTracker.reserve, InputGiver.needsApproval)',
    reads: ['jobs'],
    run: ({ db, shootId, folderShootId }) => {
      new SpendTracker(db).reserve(shootId, 'aixpose', 2);
      new InputGiver(db, new Map([[aixpose.id, aixpose]])).needsApproval(
        { shootId: folderShootId, provider: 'aixpose' },
        paidOperation,
      );
    },
  },
  {
    name: 'budgets.list',
    reads: ['jobs'],
    run: async ({ engine, shootId }) => expect(await call(engine, 'budgets.list', { shootId })).not.toHaveLength(0),
  },
  {
    name: 'budgets.set',
    reads: ['jobs'],
    run: ({ engine, folderShootId }) =>
      call(engine, 'budgets.set', { shootId: folderShootId, provider: 'aixpose', cap: 40 }),
  },
  // Its counts are kept in shoot_counts as rows change (migration 0024): it reads none of the
  // three, and a whole read of any of them would fail it.
  { name: 'shoots.list', reads: [], run: ({ engine }) => call(engine, 'shoots.list', {}) },
  {
    name: 'shoots.get',
    reads: ['assets', 'variants'],
    run: ({ engine, shootId }) => call(engine, 'shoots.get', { id: shootId }),
  },
  {
    name: 'assets.cull',
    reads: ['assets'],
    run: ({ engine, assetIds }) =>
      call(engine, 'assets.cull', {
        marks: [
          { id: assetIds[0] ?? '', pick: 'picked' },
          { id: assetIds[1] ?? '', rating: 3 },
        ],
      }),
  },
];

const LIBRARIES = [
  { name: 'a small library, as seeded', shoots: 2, perShoot: 24, analyze: false },
  // Many shoots, as a real library has: with two, "one shoot" is half of everything and a scan is cheapest.
  { name: 'a library of thousands of rows, analyzed', shoots: 40, perShoot: 100, analyze: true },
];

describe.each(LIBRARIES)('query plans on $name', ({ shoots, perShoot, analyze }) => {
  let opened: Library | undefined;
  beforeAll(async () => {
    opened = await openLibrary(shoots, perShoot);
    if (analyze) opened.db.exec('ANALYZE');
  });
  afterAll(() => opened?.close());

  it.for(CASES)('$name', async ({ run, reads }, { annotate }) => {
    const library = opened as Library;
    const plans = (await capture(library.db, () => run(library))).map((execution) => explain(library.db, execution));
    const read = new Set(plans.flatMap((plan) => [...plan.tables]));
    expect([...read].sort(), 'the tables the captured statements read').toEqual(expect.arrayContaining(reads));
    const whole = plans.filter((plan) => plan.wholeTable.length > 0);
    if (whole.length > 0) await annotate(`reads a whole table by design:\n${whole.map(describePlan).join('\n')}`);
    const scanning = plans.filter((plan) => plan.scans.length > 0).map(describePlan);
    expect(scanning.join('\n\n'), 'statements that read a whole table').toBe('');
  });
});
