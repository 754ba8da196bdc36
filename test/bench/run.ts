/**
 * `npm run bench`: what the foundation adds on top of the libraries it stands on, as ratios to a
 * floor measured in the same run on the same machine (never a bare time):
 *   - a call through the WebSocket bridge (frame, validation, dispatch, envelope) vs a raw `ws`
 *     echo of the same size;
 *   - `shoots.create` through the engine (validation, insert with synchronous=FULL, event) vs a
 *     raw better-sqlite3 insert into the same kind of database;
 *   - the queue: enqueue + claim + complete of 100,000 jobs (BENCH_QUEUE_JOBS) vs bare statements;
 *   - ingest of 300 real-photo JPEGs (BENCH_INGEST_FILES) from a hot folder to thumbnails and
 *     previews vs sharp alone making the same derivatives (see ingest-bench.ts), with peak RSS;
 *   - the local provider's enhance on 50 photos of 13–24 MP (BENCH_ENHANCE_FILES) vs sharp decoding
 *     and re-encoding them (see enhance-bench.ts);
 *   - export of 200 photos of 12–24 MP (BENCH_EXPORT_FILES; BENCH_EXPORT=0 skips it) with the Listing
 *     (MLS) preset's settings vs sharp alone resizing and encoding them (see export-bench.ts);
 *   - the UI in Chromium (BENCH_UI=0 skips it): frame times scrolling a 5,000-photo grid and dragging
 *     the compare slider over a 24 MP photo vs the same on an empty page (see ui-bench.ts);
 *   - the mask editor (BENCH_MASK=0 skips it): frame times painting a stroke over a 24 MP photo in
 *     Chromium vs the same mouse moves on an empty page, and rasterising 50 strokes of 200 points at
 *     24 MP in the engine's worker vs sharp drawing them as an SVG, with how long the engine's server
 *     takes to answer meanwhile (see mask-bench.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
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

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2000);
const QUEUE_JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 100_000);

async function timeIt(rounds: number, work: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(200, rounds); i += 1) await work(i); // warm up
  const start = performance.now();
  for (let i = 0; i < rounds; i += 1) await work(i);
  return (performance.now() - start) / rounds;
}

async function rawEcho(): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  const port = (wss.address() as { port: number }).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve) => client.addEventListener('open', resolve, { once: true }));
  const payload = JSON.stringify({ type: 'result', id: 1, envelope: { ok: true, result: [] } });
  const perCall = await timeIt(ROUNDS, () => {
    return new Promise((resolve) => {
      client.addEventListener('message', resolve, { once: true });
      client.send(payload);
    });
  });
  client.close();
  wss.close();
  return perCall;
}

async function bridgeCall(engine: Engine): Promise<number> {
  const server = await startServer({
    engine,
    log: silentLogger,
    token: 'bench-token',
    staticDir: os.tmpdir(),
    port: 0,
  });
  const bridge = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=bench-token` });
  const perCall = await timeIt(ROUNDS, () => bridge.invoke('settings.get', {}));
  bridge.close();
  await server.close();
  return perCall;
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

function row(name: string, ours: number, floor: number): string {
  return `${name.padEnd(44)} ${(ours * 1000).toFixed(1).padStart(9)} µs ${(floor * 1000).toFixed(1).padStart(9)} µs ${(ours / floor).toFixed(2).padStart(7)}×`;
}

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
    const echo = await rawEcho();
    const call = await bridgeCall(engine);
    const raw = await rawInsert(dir);
    const create = await engineCreate(engine);
    process.stdout.write(
      `Shootline foundation bench (${ROUNDS} rounds, Node ${process.versions.node}, ${os.cpus().length} cores)\n`,
    );
    process.stdout.write(
      `${'what'.padEnd(44)} ${'ours'.padStart(12)} ${'floor'.padStart(12)} ${'ratio'.padStart(8)}\n`,
    );
    process.stdout.write(`${row('settings.get over the WebSocket bridge', call, echo)}  (floor: raw ws echo)\n`);
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
  runIngestBench(Number(process.env.BENCH_INGEST_FILES ?? 300));
  runEnhanceBench(Number(process.env.BENCH_ENHANCE_FILES ?? 50));
  if (process.env.BENCH_EXPORT !== '0') {
    for (const line of await runExportBench()) process.stdout.write(`${line}\n`);
  }
  if (process.env.BENCH_UI !== '0') {
    for (const line of await runUiBench()) process.stdout.write(`${line}\n`);
  }
  if (process.env.BENCH_MASK !== '0') {
    for (const line of await runMaskBench()) process.stdout.write(`${line}\n`);
  }
}

await main();
