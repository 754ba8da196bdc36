/**
 * `npm run bench`: what the foundation adds on top of the libraries it stands on, as ratios to a
 * floor measured in the same run on the same machine (never a bare time):
 *   - a call through the WebSocket bridge (frame, validation, dispatch, envelope) vs a raw `ws`
 *     round trip bringing the same answer: `engine.info`, and a 200-row `assets.list` page (the
 *     engine's own time for the page measured apart and added to its floor: transport is judged);
 *   - `shoots.create` through the engine (validation, insert with synchronous=FULL, event) vs a
 *     raw better-sqlite3 insert into the same kind of database;
 *   - the queue: enqueue + claim + complete of 100,000 jobs (BENCH_QUEUE_JOBS) vs bare statements;
 *   - ingest of 300 real-photo JPEGs (BENCH_INGEST_FILES; BENCH_INGEST=0 skips it) from a hot folder to thumbnails and
 *     previews vs sharp alone making the same derivatives (see ingest-bench.ts), with peak RSS;
 *   - the local provider's enhance on 50 photos of 13–24 MP (BENCH_ENHANCE_FILES; BENCH_ENHANCE=0 skips it) vs sharp decoding
 *     and re-encoding them (see enhance-bench.ts); ingest and enhance each run ours and the floor in turns,
 *     BENCH_PHASE_PAIRS pairs (5), and print the median pair's ratio (see phases.ts);
 *   - export of 200 photos of 12–24 MP (BENCH_EXPORT_FILES; BENCH_EXPORT=0 skips it) with the Listing
 *     (MLS) preset's settings vs sharp alone resizing and encoding them (see export-bench.ts);
 *   - the UI in Chromium (BENCH_UI=0 skips it): frame times scrolling a 5,000-photo grid and dragging
 *     the compare slider over a 24 MP photo vs the same on an empty page (see ui-bench.ts);
 *   - the mask editor (BENCH_MASK=0 skips it): frame times painting a stroke over a 24 MP photo in
 *     Chromium vs the same mouse moves on an empty page, and rasterising 50 strokes of 200 points at
 *     24 MP in the engine's worker vs sharp drawing them as an SVG, with how long the engine's server
 *     takes to answer meanwhile (see mask-bench.ts);
 *   - latency a user feels (BENCH_LATENCY=0 skips it): 20 photos (BENCH_LATENCY_PHOTOS, at most 20) dropped one at a
 *     time into a watched folder, write finished → thumbnail shown and → enhance variant shown in Chromium,
 *     vs the stability window plus sharp making the thumbnail, or decoding and re-encoding the photo
 *     (see latency-bench.ts);
 *   - a library of 100,000 photos (BENCH_LIBRARY photos; 0 skips it; BENCH_LIBRARY_PAINT=0 skips its page): its
 *     API calls against the bare SQL for the same rows, start to ready against a stat walk, idle RSS,
 *     `/api/health` during a rescan, and the grid's first paint against a static page (see library-bench-runner.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import sharp from 'sharp';
import { WebSocketServer } from 'ws';
import { openDatabase } from '../../main/engine/db/connection';
import { Engine } from '../../main/engine/engine';
import { silentLogger } from '../../main/engine/log';
import { startServer } from '../../main/headless/server';
import { createWebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { runQueueBench } from './queue-bench';
import { runIngestBench } from './ingest-bench-runner';
import { runEnhanceBench } from './enhance-bench-runner';
import { runExportBench } from './export-bench';
import { runUiBench } from './ui-bench';
import { runMaskBench } from './mask-bench';
import { runLatencyBench } from './latency-bench';
import { runLibraryBench } from './library-bench-runner';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2000);
const QUEUE_JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 100_000);

async function timeIt(rounds: number, work: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(200, rounds); i += 1) await work(i); // warm up
  return timeBlock(rounds, work);
}

/** Mean time of one of `rounds` calls, with no warm-up (the caller warmed up once). */
async function timeBlock(rounds: number, work: (i: number) => unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < rounds; i += 1) await work(i);
  return (performance.now() - start) / rounds;
}

/**
 * The floor of a call: a raw `ws` round trip in which the client sends a small frame and the server
 * answers with `answer` (serialised once, beforehand), parsed by the client on arrival.
 */
async function openRawEcho(answer: string): Promise<{ roundTrip: () => Promise<unknown>; close: () => void }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => socket.on('message', () => socket.send(answer)));
  const port = (wss.address() as { port: number }).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve) => client.addEventListener('open', resolve, { once: true }));
  const request = JSON.stringify({ type: 'call', id: 1, method: 'engine.info', args: {} });
  return {
    roundTrip: () =>
      new Promise((resolve) => {
        client.addEventListener('message', (message) => resolve(JSON.parse(String(message.data))), { once: true });
        client.send(request);
      }),
    close: () => {
      client.close();
      wss.close();
    },
  };
}

/** A shoot of `count` small real JPEGs, ingested from a hot folder: a full page for assets.list. */
async function shootOfPhotos(engine: Engine, dir: string, count: number): Promise<string> {
  const folder = path.join(dir, 'hot', 'Bridge bench');
  fs.mkdirSync(folder, { recursive: true });
  for (let i = 0; i < count; i += 1) {
    await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: i % 256, g: 90, b: 40 } } })
      .jpeg()
      .toFile(path.join(folder, `IMG_${String(i).padStart(4, '0')}.jpg`));
  }
  await engine.call('hotFolders.add', {
    path: path.join(dir, 'hot'),
    defaultRecipeId: null,
    spendingCap: null,
    autoApprove: false,
    recursive: true,
    polling: false,
    reconcileMinutes: 60,
    exportPresetId: null,
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    // Listening before looking: a photo taken in between still wakes the next look.
    const taken = nextEvent(engine, ['asset.added', 'asset.updated'], deadline - Date.now());
    await engine.ingestIdle();
    const shoots = await engine.call('shoots.list', {});
    const shoot = shoots.ok ? (shoots.result as { id: string; photos: number }[])[0] : undefined;
    if (shoot && shoot.photos === count) return shoot.id;
    await taken;
  }
  throw new Error(`The bench shoot did not reach ${count} photos in two minutes.`);
}

/** Resolves at the engine's next event of these names, or when `ms` have gone by with none. */
function nextEvent(engine: Engine, names: string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stop();
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    const stop = engine.events.listen((name) => {
      if (names.includes(name)) done();
    });
  });
}

interface BridgeFigures {
  ours: number;
  echo: number;
  /** The same call made on the engine directly (no transport), for calls that do real work. */
  direct: number;
  bytes: number;
  /** ours / (echo + direct) of each pair of blocks. */
  ratios: number[];
  ratio: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/**
 * One call through the WebSocket bridge (client frame, server validation, dispatch, envelope,
 * JSON both ways) against a raw `ws` echo of the very answer it gets, parsed on arrival as ours
 * is. For a call that reads the library, the engine's own time is measured apart and added to the
 * floor: the bridge is what is judged, not the query behind it. Measured in turns (floor, ours,
 * engine alone; BENCH_PAIRS times, 21 by default) so a busy moment of the machine lands on both sides.
 */
async function bridgeFigures(
  engine: Engine,
  method: 'engine.info' | 'assets.list',
  args: Record<string, unknown>,
  rounds: number,
): Promise<BridgeFigures> {
  const server = await startServer({
    engine,
    log: silentLogger,
    token: 'bench-token',
    staticDir: os.tmpdir(),
    port: 0,
  });
  const bridge = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=bench-token` });
  const call = (): Promise<unknown> => bridge.invoke(method, args as never);
  const first = (await call()) as { ok: boolean };
  if (!first.ok) throw new Error(`${method} failed in the bench: ${JSON.stringify(first)}`);
  const answer = JSON.stringify({ type: 'result', id: 1, envelope: first });
  const raw = await openRawEcho(answer);
  // Many short blocks rather than a few long ones: a busy moment of this shared machine lasts long
  // enough to fall on one side of a long pair, and rarely spans several short ones in a row.
  const pairs = Math.max(1, Math.floor(Number(process.env.BENCH_PAIRS ?? 21)) || 21);
  const block = Math.max(50, Math.ceil((2 * rounds) / pairs));
  for (let i = 0; i < 200; i += 1) await raw.roundTrip(); // warm up
  for (let i = 0; i < 200; i += 1) await call();
  const runs: { ours: number; echo: number; direct: number }[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    const echo = await timeBlock(block, raw.roundTrip);
    const ours = await timeBlock(block, call);
    const direct = method === 'engine.info' ? 0 : await timeBlock(block, () => engine.call(method, args));
    runs.push({ ours, echo, direct });
  }
  raw.close();
  bridge.close();
  await server.close();
  const ratios = runs.map((run) => run.ours / (run.echo + run.direct));
  return {
    ours: median(runs.map((run) => run.ours)),
    echo: median(runs.map((run) => run.echo)),
    direct: median(runs.map((run) => run.direct)),
    bytes: Buffer.byteLength(answer),
    ratios,
    ratio: median(ratios),
  };
}

async function rawInsert(dir: string): Promise<number> {
  const db: Database.Database = openDatabase(path.join(dir, 'raw.db'));
  db.exec('CREATE TABLE shoots (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL) STRICT');
  const insert = db.prepare('INSERT INTO shoots (id, name, created_at) VALUES (?, ?, ?)');
  const perInsert = await timeIt(ROUNDS / 4, (i) =>
    insert.run(`id-${i}-${Math.random()}`, `Shoot ${i}`, new Date().toISOString()),
  );
  db.close();
  return perInsert;
}

async function engineCreate(engine: Engine): Promise<number> {
  return timeIt(ROUNDS / 4, (i) => engine.call('shoots.create', { name: `Shoot ${i}` }));
}

function row(name: string, ours: number, floor: number, ratio = ours / floor): string {
  return `${name.padEnd(44)} ${(ours * 1000).toFixed(1).padStart(9)} µs ${(floor * 1000).toFixed(1).padStart(9)} µs ${ratio.toFixed(2).padStart(7)}×`;
}

const pairWords = (figures: BridgeFigures): string => {
  const sorted = [...figures.ratios].sort((a, b) => a - b);
  const quartile = (q: number): string => (sorted[Math.round(q * (sorted.length - 1))] ?? 0).toFixed(2);
  return `median of ${sorted.length} pairs; quartiles ${quartile(0.25)}–${quartile(0.75)}, range ${quartile(0)}–${quartile(1)}; aim <= 1.5`;
};

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-bench-'));
  const engine = new Engine({
    dataDir: path.join(dir, 'engine'),
    shell: 'headless',
    version: 'bench',
    log: silentLogger,
  });
  engine.start();
  try {
    const info = await bridgeFigures(engine, 'engine.info', {}, ROUNDS);
    const shootId = await shootOfPhotos(engine, dir, 200);
    const page = await bridgeFigures(engine, 'assets.list', { shootId, limit: 200 }, Math.ceil(ROUNDS / 4));
    const raw = await rawInsert(dir);
    const create = await engineCreate(engine);
    process.stdout.write(
      `Shootline foundation bench (${ROUNDS} rounds, Node ${process.versions.node}, ${os.cpus().length} cores)\n`,
    );
    process.stdout.write(
      `${'what'.padEnd(44)} ${'ours'.padStart(12)} ${'floor'.padStart(12)} ${'ratio'.padStart(8)}\n`,
    );
    process.stdout.write(
      `${row('engine.info over the WebSocket bridge', info.ours, info.echo, info.ratio)}  (${pairWords(info)}; floor: a raw ws round trip bringing its ${info.bytes}-byte answer)\n`,
    );
    process.stdout.write(
      `${row('assets.list, 200 rows, over the bridge', page.ours, page.echo + page.direct, page.ratio)}  (${pairWords(page)}; floor: a raw ws round trip bringing its ${page.bytes}-byte answer ${(page.echo * 1000).toFixed(0)} µs + the same call on the engine directly ${(page.direct * 1000).toFixed(0)} µs)\n`,
    );
    process.stdout.write(`${row('shoots.create through the engine', create, raw)}  (floor: raw SQLite insert)\n`);
    const queue = runQueueBench(QUEUE_JOBS);
    const rate = (ms: number): string => `${Math.round((QUEUE_JOBS / ms) * 1000)} jobs/s`;
    process.stdout.write(
      `queue: enqueue + claim + complete of ${QUEUE_JOBS} jobs: ${rate(queue.oursMs)}, floor ${rate(queue.floorMs)}, ` +
        `ratio ${(queue.floorMs / queue.oursMs).toFixed(2)} (floor: bare prepared statements, same transactions and PRAGMAs)\n`,
    );
  } finally {
    await engine.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.BENCH_INGEST !== '0') runIngestBench(Number(process.env.BENCH_INGEST_FILES ?? 300));
  if (process.env.BENCH_ENHANCE !== '0') runEnhanceBench(Number(process.env.BENCH_ENHANCE_FILES ?? 50));
  if (process.env.BENCH_EXPORT !== '0') {
    for (const line of await runExportBench()) process.stdout.write(`${line}\n`);
  }
  if (process.env.BENCH_UI !== '0') {
    for (const line of await runUiBench()) process.stdout.write(`${line}\n`);
  }
  if (process.env.BENCH_MASK !== '0') {
    for (const line of await runMaskBench()) process.stdout.write(`${line}\n`);
  }
  if (process.env.BENCH_LATENCY !== '0') {
    for (const line of await runLatencyBench()) process.stdout.write(`${line}\n`);
  }
  if (process.env.BENCH_LIBRARY !== '0') {
    for (const line of await runLibraryBench(Number(process.env.BENCH_LIBRARY ?? 100_000)))
      process.stdout.write(`${line}\n`);
  }
}

await main();
