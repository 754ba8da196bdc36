import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { startAixposeSandbox } from '../sandbox/aixpose/server';
import { CRASH_PHOTOS } from '../support/provider-crash-child';
import { countByState, enqueue, openQueueLibrary, waitFor } from '../support/queue-harness';
import { seeded } from '../support/seeded';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');
const KEY = 'aix_crash_test_key';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function runChild(dir: string, url: string, killBeforeSend = 0) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'test', 'support', 'provider-crash-child.ts'),
      dir,
      'aixpose',
      url,
      KEY,
      String(killBeforeSend),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.once('exit', (_code, signal) => resolve({ signal, output })),
  );
  cleanups.push(() => child.kill('SIGKILL'));
  return { child, exited };
}

describe('AIXpose jobs survive SIGKILL', () => {
  it(
    'before a paid POST, after the sandbox received one, and at random moments: every job done, no charge twice (seed 11)',
    { timeout: 240_000 },
    async () => {
      const sandbox = await startAixposeSandbox({ apiKey: KEY, credits: 1000, speed: 50 });
      cleanups.push(() => sandbox.close());
      const dir = tempDir('shootline-aixpose-crash-');
      const setup = openQueueLibrary(dir);
      const assets = Object.keys(CRASH_PHOTOS);
      for (const [index, assetId] of assets.entries()) {
        // The variants' rows point at their source asset.
        insertAsset(
          setup.db,
          {
            id: assetId,
            shootId: setup.shootId,
            relativePath: `${assetId}.jpg`,
            contentHash: `hash-${index}`,
            sizeBytes: 1,
            width: null,
            height: null,
          },
          Date.now(),
        );
        enqueue(setup.db, setup.shootId, 'aixpose', 1, {
          operation: 'enhance',
          params: { actions: ['interior-style-japandi'], variants: 2 },
          inputs: { assetIds: [assetId] },
          costEstimate: 2,
        });
      }
      setup.db.close();

      // Fixed point 1: just before the 4th request step leaves (a job's upload or its paid enhancement).
      let run = runChild(dir, sandbox.baseUrl, 4);
      expect((await run.exited).signal).toBe('SIGKILL');

      // Fixed point 2: the sandbox has received a paid enhancement and is still working on it.
      sandbox.setFault(
        { kind: 'delay', ms: 1_500 },
        { times: 1, route: 'POST /v1/pictures/{picture_id}/enhancements' },
      );
      run = runChild(dir, sandbox.baseUrl);
      await waitFor(
        () =>
          sandbox.requests.some(
            (request) => request.route === 'POST /v1/pictures/{picture_id}/enhancements' && request.fault === 'delay',
          ),
        () => 'no enhancement arrived',
        60_000,
      );
      run.child.kill('SIGKILL');
      await run.exited;

      // Random moments.
      const random = seeded(11);
      for (let kill = 0; kill < 5; kill += 1) {
        run = runChild(dir, sandbox.baseUrl);
        const before = sandbox.requests.length;
        // Kill once it is working; if it finishes everything first, there is nothing left to interrupt.
        const working = waitFor(
          () => sandbox.requests.length > before,
          () => 'the child made no request',
          60_000,
        ).then(
          () => 'working' as const,
          () => 'exited' as const,
        );
        if ((await Promise.race([working, run.exited.then(() => 'exited' as const)])) === 'exited') break;
        await new Promise((resolve) => setTimeout(resolve, random() * 400));
        run.child.kill('SIGKILL');
        await run.exited;
      }

      run = runChild(dir, sandbox.baseUrl);
      const last = await run.exited;
      expect(last.output).toContain('settled');
      const check = openQueueLibrary(dir);
      const errors = check.db.prepare("SELECT DISTINCT last_error_message AS m FROM jobs WHERE state != 'done'").all();
      expect({ states: countByState(check.db), errors }).toEqual({ states: { done: assets.length }, errors: [] });
      const variants = check.db.prepare('SELECT COUNT(*) AS n FROM variants').get() as { n: number };
      expect(variants.n).toBe(assets.length * 2);
      check.db.close();
      // One charge per generated picture: 2 per job, whatever was resent after a kill.
      expect(sandbox.balance).toBe(1000 - assets.length * 2);
      expect(sandbox.violations).toEqual([]);
    },
  );
});
