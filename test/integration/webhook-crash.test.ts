import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/engine/db/connection';
import { signTestDelivery } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { call, startTestEngine, until } from '../support/engine';
import { countByState } from '../support/queue-harness';
import { hookedProvider, WEBHOOK_HOST } from '../support/webhook-crash-child';

const root = path.resolve(import.meta.dirname, '..', '..');
const SECRET = 'whsec-crash-4242';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Child {
  child: ChildProcess;
  port: Promise<number>;
  exited: Promise<{ signal: NodeJS.Signals | null; output: string }>;
}

function runChild(dataDir: string, url: string, kill = ''): Child {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'test', 'support', 'webhook-crash-child.ts'), dataDir, url],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOOTLINE_TEST_KILL: kill } },
  );
  cleanups.push(() => child.kill('SIGKILL'));
  let output = '';
  const port = new Promise<number>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const found = /port=(\d+)/.exec(output);
      if (found) resolve(Number(found[1]));
    });
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return {
    child,
    port,
    exited: new Promise((resolve) => child.once('exit', (_c, signal) => resolve({ signal, output }))),
  };
}

/** Delivers as the provider would, under the public host; resolves with the status (0 when the process died first). */
function deliver(port: number, body: unknown): Promise<number> {
  const text = JSON.stringify(body);
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/hooked',
        headers: {
          host: WEBHOOK_HOST,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          'x-test-signature': signTestDelivery(SECRET, body, Math.floor(Date.now() / 1000)),
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', () => resolve(0));
    request.end(text);
  });
}

describe('a webhook delivery survives SIGKILL', () => {
  it(
    'killed right after the delivery was recorded: the next start tells the job again; done once, charged once',
    { timeout: 90_000 },
    async () => {
      // Polls say "pending" for ever: only the delivery can finish the job.
      const server = await startTestProvider({ dedupe: true, pollsUntilDone: 1_000_000 });
      cleanups.push(server.close);
      const { engine, dataDir } = startTestEngine({ providers: [hookedProvider(server.url)] });
      await call(engine, 'providers.setKey', { provider: 'hooked', field: 'webhook-secret', key: SECRET });
      const shoot = await call(engine, 'shoots.create', { name: 'Crash hooks' });
      await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'hooked', autoApprove: true });
      const run = await call(engine, 'shoots.runOperation', {
        shootId: shoot.id,
        provider: 'hooked',
        operation: 'imagine',
        params: {},
      });
      const jobId = run.jobIds[0] ?? '';
      const { remoteId } = await until(
        () => call(engine, 'jobs.get', { id: jobId }),
        (job) => job.state === 'remote',
      );
      await engine.stop();
      const done = {
        id: remoteId,
        deliveryId: 'dlv-crash',
        status: { status: 'done', outputs: [{ index: 0, url: `/files/${remoteId}` }] },
      };

      // The first process records the delivery and dies before the job hears it.
      const first = runChild(dataDir, server.url, 'webhook');
      expect(await deliver(await first.port, done)).toBe(0);
      expect((await first.exited).signal).toBe('SIGKILL');

      // The next start tells the job again, from the delivery it recorded: nothing needs sending again.

      const second = runChild(dataDir, server.url);
      const last = await second.exited;
      expect(last.output).toContain('settled');

      const db = openDatabase(path.join(dataDir, 'shootline.db'));
      cleanups.push(() => db.close());
      expect(countByState(db)).toEqual({ done: 1 });
      expect(server.totals.submits).toBe(1);
      expect([...server.charged.values()]).toEqual([1]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM variants WHERE job_id = ?').get(jobId)).toEqual({ n: 1 });
      expect(server.totals.downloads).toBe(1);
    },
  );
});
