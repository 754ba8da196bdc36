import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJob } from '../../main/engine/db/jobs-repo';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider, type TestProviderServer } from '../support/test-provider/server';
import { countByState, createRunner, enqueue, openQueueLibrary, settled, waitFor } from '../support/queue-harness';
import { seeded } from '../support/seeded';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');
// In this process's own Node (24), with tsx as a loader in the same process, so SIGKILL hits the
// queue itself (the tsx CLI would run it in a grandchild).
const JOBS = 500;
const RANDOM_KILLS = 20;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface ChildRun {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function runChild(
  dir: string,
  url: string,
  dedupe: boolean,
  killBeforeSend = 0,
  steps = 'create',
  env: NodeJS.ProcessEnv = {},
): ChildRun {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'test', 'support', 'crash-child.ts'),
      dir,
      url,
      dedupe ? '1' : '0',
      String(killBeforeSend),
      steps,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  cleanups.push(() => child.kill('SIGKILL'));
  return { child, exited };
}

async function crashScenario(dedupe: boolean, seed: number) {
  const dir = tempDir('shootline-crash-');
  let current: ChildRun | null = null;
  // Kill point 2: the server has the request, the app has not recorded the answer.
  let killOnArrival = 0;
  const server: TestProviderServer = await startTestProvider({
    dedupe,
    pollsUntilDone: 1,
    onSubmit: ({ n }) => {
      if (n === killOnArrival && current) {
        current.child.kill('SIGKILL');
        return { kind: 'hang' };
      }
      return undefined;
    },
  });
  cleanups.push(server.close);
  const setup = openQueueLibrary(dir);
  enqueue(setup.db, setup.shootId, 'test', JOBS);
  setup.db.close();

  // Kill point 1: just before the 40th paid request leaves the machine.
  current = runChild(dir, server.url, dedupe, 40);
  expect((await current.exited).signal).toBe('SIGKILL');

  killOnArrival = server.totals.submits + 60;
  current = runChild(dir, server.url, dedupe);
  expect((await current.exited).signal).toBe('SIGKILL');
  killOnArrival = 0;

  // Twenty kills at random moments of a running queue.
  const random = seeded(seed);
  for (let kill = 0; kill < RANDOM_KILLS; kill += 1) {
    current = runChild(dir, server.url, dedupe);
    const before = server.totals.requests;
    await waitFor(
      () => server.totals.requests > before,
      () => 'child made no request',
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, random() * 150));
    current.child.kill('SIGKILL');
    await current.exited;
  }

  current = runChild(dir, server.url, dedupe);
  const last = await current.exited;
  expect(last.stdout + last.stderr).toContain('settled');
  return { dir, server };
}

describe('the queue survives SIGKILL', () => {
  it(
    `at fixed points and ${RANDOM_KILLS} random moments: a deduping provider does every job, charging each once (seed 7)`,
    { timeout: 240_000 },
    async () => {
      const { dir, server } = await crashScenario(true, 7);
      const { db } = openQueueLibrary(dir);
      cleanups.push(() => db.close());
      expect(countByState(db)).toEqual({ done: JOBS });
      expect(server.charged.size).toBe(JOBS);
      expect([...server.charged.values()].filter((n) => n !== 1)).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    },
  );

  it(
    `at fixed points and ${RANDOM_KILLS} random moments: a non-deduping provider never gets a job twice; review + resend finishes (seed 11)`,
    { timeout: 240_000 },
    async () => {
      const { dir, server } = await crashScenario(false, 11);
      const { db } = openQueueLibrary(dir);
      cleanups.push(() => db.close());
      const states = countByState(db);
      expect(Object.keys(states).every((state) => state === 'done' || state === 'needs_review')).toBe(true);
      expect((states.done ?? 0) + (states.needs_review ?? 0)).toBe(JOBS);
      expect(states.needs_review ?? 0).toBeGreaterThan(0); // the kill points guarantee at least one
      expect([...server.received.values()].filter((n) => n > 1)).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

      // The editor resends every job in review: each completes.
      const review = (db.prepare("SELECT id FROM jobs WHERE state = 'needs_review'").all() as { id: string }[]).map(
        (r) => r.id,
      );
      const runner = createRunner(db, dir, [
        testProviderModule({ id: 'test', baseUrl: server.url, idempotentSubmit: false }),
      ]);
      cleanups.push(() => runner.stop());
      runner.start();
      for (const id of review) expect(runner.resend(id).ok).toBe(true);
      await waitFor(
        () => settled(db),
        () => JSON.stringify(countByState(db)),
        60_000,
      );
      expect(countByState(db)).toEqual({ done: JOBS });
      for (const id of review) expect(getJob(db, id)?.state).toBe('done');
    },
  );

  it(
    'resumes a three-step submit killed between steps at the next step, no step sent twice',
    { timeout: 60_000 },
    async () => {
      const dir = tempDir('shootline-crash-');
      const server = await startTestProvider({ dedupe: true });
      cleanups.push(server.close);
      const setup = openQueueLibrary(dir);
      enqueue(setup.db, setup.shootId, 'test', 1);
      setup.db.close();
      // Marked-sending #3 is the third step: killed after project and picture are done, before enhance leaves.
      const killed = runChild(dir, server.url, true, 3, 'project,picture,enhance');
      expect((await killed.exited).signal).toBe('SIGKILL');
      expect(server.totals.submits).toBe(2);
      const resumed = runChild(dir, server.url, true, 0, 'project,picture,enhance');
      expect((await resumed.exited).stdout).toContain('settled');
      const perStep = [...server.received.entries()].map(([key, n]) => [key.split('.').at(-1), n]);
      expect(perStep).toEqual([
        ['project', 1],
        ['picture', 1],
        ['enhance', 1],
      ]);
    },
  );
});

describe('a job heard by its status stream survives SIGKILL', () => {
  it(
    'killed while the stream is open: the next start hears it again, sends nothing twice, and finishes it',
    { timeout: 60_000 },
    async () => {
      const dir = tempDir('shootline-crash-stream-');
      // The stream says "pending" and then nothing: the job sits in `remote`, its stream open.
      const server = await startTestProvider({ dedupe: true, pollsUntilDone: 1_000, stream: 'stall' });
      cleanups.push(server.close);
      const setup = openQueueLibrary(dir);
      const [jobId = ''] = enqueue(setup.db, setup.shootId, 'test', 1);
      setup.db.close();

      const streaming = { SHOOTLINE_TEST_STREAM: '1' };
      const first = runChild(dir, server.url, true, 0, 'create', streaming);
      await waitFor(
        () => server.totals.streams === 1,
        () => JSON.stringify(server.totals),
        30_000,
      );
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');

      server.setStream('complete');
      const second = runChild(dir, server.url, true, 0, 'create', streaming);
      expect((await second.exited).stdout).toContain('settled');
      const { db } = openQueueLibrary(dir);
      cleanups.push(() => db.close());
      expect(getJob(db, jobId)?.state).toBe('done');
      // One submit, charged once; the second start only listened again.
      expect(server.totals.submits).toBe(1);
      expect([...server.charged.values()]).toEqual([1]);
      expect(server.totals.streams).toBe(2);
    },
  );
});
