/**
 * The library bench's phases, each run in its own Node process (see library-bench-runner.ts):
 *   generate ROOT N   builds the library (library-build.ts);
 *   walk ROOT         the floor of a start: a plain walk of the hot folder with a stat per file;
 *   start ROOT        the engine opened on the library until ready, and nothing else;
 *   engine ROOT       the engine opened on the library: start to ready (open, recover, the rescan of
 *                     every file), idle RSS, then each API call against the bare SQL for the same
 *                     rows on the same database, p50 and p95 over 200 calls each;
 *   scan ROOT         the engine behind its HTTP server while it rescans the hot folder, with
 *                     `/api/health` asked every 10 ms from a worker thread (so the asking is never
 *                     held up by the engine's own thread): how long each answer took.
 * Each prints one JSON line last.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { GARMENT, SAME_AS } from '../../main/engine/db/assets-repo';
import { DATABASE_FILE } from '../../main/engine/db/library';
import { Engine } from '../../main/engine/engine';
import { silentLogger } from '../../main/engine/log';
import { startServer } from '../../main/headless/server';
import { BIG_SHOOT_FOLDER, buildLibrary, libraryPaths } from './library-build';

const CALLS = 200;
const CULL_PHOTOS = 1_000;

export interface CallFigures {
  name: string;
  p50: number;
  p95: number;
  floorP50: number;
  floorP95: number;
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function openEngine(dataDir: string): Engine {
  const engine = new Engine({ dataDir, shell: 'headless', version: 'bench', log: silentLogger });
  engine.start();
  return engine;
}

async function call(engine: Engine, method: string, args: Record<string, unknown>): Promise<unknown> {
  const answer = (await engine.call(method, args)) as { ok: boolean; result?: unknown; error?: unknown };
  if (!answer.ok) throw new Error(`${method} failed in the library bench: ${JSON.stringify(answer.error)}`);
  return answer.result;
}

/** Ours and the floor in turns, call by call, so a busy moment of the machine lands on both. */
async function measure(
  name: string,
  ours: (round: number) => Promise<unknown>,
  floor: (round: number) => unknown,
): Promise<CallFigures> {
  for (let round = 0; round < 10; round += 1) {
    await ours(round);
    floor(round);
  }
  const oursMs: number[] = [];
  const floorMs: number[] = [];
  for (let round = 0; round < CALLS; round += 1) {
    let start = performance.now();
    floor(round);
    floorMs.push(performance.now() - start);
    start = performance.now();
    await ours(round);
    oursMs.push(performance.now() - start);
  }
  return {
    name,
    p50: percentile(oursMs, 0.5),
    p95: percentile(oursMs, 0.95),
    floorP50: percentile(floorMs, 0.5),
    floorP95: percentile(floorMs, 0.95),
  };
}

/** Open, recover, and the first scan of every file in the hot folder, until ingest is idle. */
async function startPhase(root: string): Promise<void> {
  const start = performance.now();
  const engine = openEngine(libraryPaths(root).dataDir);
  await engine.ingestIdle();
  const ms = performance.now() - start;
  await engine.stop();
  process.stdout.write(`${JSON.stringify({ ms })}\n`);
}

async function enginePhase(root: string): Promise<void> {
  const { dataDir } = libraryPaths(root);
  const start = performance.now();
  const engine = openEngine(dataDir);
  await engine.ingestIdle();
  const readyMs = performance.now() - start;
  // Idle: what the engine holds once it has settled, with nothing to do.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const idleRssMb = Math.round(process.memoryUsage().rss / 1e6);

  const bare = new Database(path.join(dataDir, DATABASE_FILE));
  const shoots = (await call(engine, 'shoots.list', {})) as { id: string; folder: string | null; photos: number }[];
  const big = shoots.find((shoot) => shoot.folder === BIG_SHOOT_FOLDER);
  if (!big) throw new Error('The library bench found no big shoot.');
  const bigIds = (
    bare
      .prepare('SELECT id FROM assets WHERE shoot_id = ? ORDER BY relative_path LIMIT ?')
      .all(big.id, CULL_PHOTOS) as {
      id: string;
    }[]
  ).map((row) => row.id);

  const floors = {
    // The counts as the library keeps them (shoot_counts, job_counts: kept by triggers as rows change).
    shootsList: bare.prepare(
      `SELECT s.*, c.* FROM shoots s LEFT JOIN shoot_counts c ON c.shoot_id = s.id
         WHERE s.deleted_at IS NULL ORDER BY s.created_at DESC`,
    ),
    shootGet: bare.prepare('SELECT * FROM shoots WHERE id = ?'),
    shootCounts: bare.prepare('SELECT state, COUNT(*) AS n FROM assets WHERE shoot_id = ? GROUP BY state'),
    // The same rows: each photo with the photo it duplicates and its garment type, as the page has them.
    page: bare.prepare(
      `SELECT *, rowid, ${SAME_AS}, ${GARMENT} FROM assets WHERE shoot_id = ? ORDER BY relative_path, rowid LIMIT 200`,
    ),
    jobs: bare.prepare('SELECT * FROM jobs WHERE state = ? ORDER BY created_at, rowid LIMIT 100'),
    // The same answer: counts, pauses, paused providers and the recent run time the estimate needs.
    stats: [
      'SELECT provider, state, n FROM job_counts WHERE n > 0',
      'SELECT scope, scope_id FROM queue_pauses',
      'SELECT provider, paused_reason FROM provider_accounts WHERE paused_reason IS NOT NULL',
      `SELECT AVG(duration) FROM (SELECT j.finished_at - (SELECT MAX(e.at) FROM job_events e
         WHERE e.job_id = j.id AND e.event = 'dispatch') AS duration FROM jobs j INDEXED BY jobs_finished
         WHERE j.state = 'done' AND j.finished_at IS NOT NULL ORDER BY j.finished_at DESC LIMIT 50)`,
    ].map((sql) => bare.prepare(sql)),
    cull: bare.prepare('UPDATE assets SET pick = ?, updated_at = ? WHERE id = ?'),
  };
  const results: CallFigures[] = [];
  results.push(
    await measure(
      'shoots.list',
      () => call(engine, 'shoots.list', {}),
      () => floors.shootsList.all(),
    ),
  );
  results.push(
    await measure(
      'shoots.get (5,000 photos)',
      () => call(engine, 'shoots.get', { id: big.id }),
      () => [floors.shootGet.get(big.id), floors.shootCounts.all(big.id)],
    ),
  );
  results.push(
    await measure(
      'assets.list first page (5,000 photos)',
      () => call(engine, 'assets.list', { shootId: big.id, limit: 200 }),
      () => floors.page.all(big.id),
    ),
  );
  results.push(
    await measure(
      'jobs.list by state (failed)',
      () => call(engine, 'jobs.list', { states: ['failed'], limit: 100 }),
      () => floors.jobs.all('failed'),
    ),
  );
  results.push(
    await measure(
      'queue.stats',
      () => call(engine, 'queue.stats', {}),
      () => floors.stats.map((query) => query.all()),
    ),
  );
  const cullFloor = bare.transaction((pick: string) => {
    const now = Date.now();
    for (const id of bigIds) floors.cull.run(pick, now, id);
  });
  results.push(
    await measure(
      `assets.cull of ${CULL_PHOTOS.toLocaleString('en-US')} photos`,
      (round) =>
        call(engine, 'assets.cull', { marks: bigIds.map((id) => ({ id, pick: round % 2 ? 'picked' : 'none' })) }),
      (round) => cullFloor(round % 2 ? 'rejected' : 'none'),
    ),
  );
  bare.close();
  await engine.stop();
  process.stdout.write(`${JSON.stringify({ readyMs, idleRssMb, calls: results })}\n`);
}

function walkPhase(root: string): void {
  const { hotFolder } = libraryPaths(root);
  const start = performance.now();
  let files = 0;
  for (const entry of fs.readdirSync(hotFolder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    fs.statSync(path.join(entry.parentPath, entry.name));
    files += 1;
  }
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - start, files })}\n`);
}

/** Asks `/api/health` every 10 ms until told to stop, then posts how long each answer took. */
const HEALTH_POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let stop = false;
parentPort.on('message', () => (stop = true));
const ask = () => new Promise((resolve, reject) => {
  const start = performance.now();
  http.get({ host: '127.0.0.1', port: workerData.port, path: '/api/health?token=bench-token', agent }, (response) => {
    response.resume();
    response.on('end', () => resolve(performance.now() - start));
  }).on('error', reject);
});
(async () => {
  const times = [];
  while (!stop) {
    times.push(await ask());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  parentPort.postMessage(times);
})();
`;

async function scanPhase(root: string): Promise<void> {
  const { dataDir } = libraryPaths(root);
  const engine = openEngine(dataDir);
  const server = await startServer({ engine, log: silentLogger, token: 'bench-token', staticDir: dataDir, port: 0 });
  const poller = new Worker(HEALTH_POLLER, { eval: true, workerData: { port: server.port } });
  const start = performance.now();
  await engine.ingestIdle();
  const startMs = performance.now() - start;
  const folders = (await call(engine, 'hotFolders.list', {})) as { id: string }[];
  const rescanStart = performance.now();
  const rescan = (await call(engine, 'hotFolders.rescan', { id: folders[0]?.id ?? '' })) as { seen: number };
  const rescanMs = performance.now() - rescanStart;
  const times = await new Promise<number[]>((resolve) => {
    poller.once('message', resolve);
    poller.postMessage('stop');
  });
  await poller.terminate();
  await server.close();
  await engine.stop();
  process.stdout.write(
    `${JSON.stringify({ startMs, rescanMs, seen: rescan.seen, answers: times.length, p50: percentile(times, 0.5), p95: percentile(times, 0.95), max: Math.max(...times) })}\n`,
  );
}

const [phase, root, count] = process.argv.slice(2);
if (!root) throw new Error('usage: library-bench.ts generate|walk|start|engine|scan ROOT [PHOTOS]');
if (phase === 'generate') {
  const built = await buildLibrary(root, Number(count ?? 100_000));
  process.stdout.write(`${JSON.stringify(built)}\n`);
} else if (phase === 'walk') walkPhase(root);
else if (phase === 'start') await startPhase(root);
else if (phase === 'engine') await enginePhase(root);
else if (phase === 'scan') await scanPhase(root);
else throw new Error(`unknown phase ${phase}`);
