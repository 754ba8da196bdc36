import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { startProductaiSandbox } from '../sandbox/productai/server';
import { CRASH_PHOTOS } from '../support/provider-crash-child';
import { countByState, enqueue, openQueueLibrary, waitFor } from '../support/queue-harness';
import { startS3 } from '../support/s3';
import { seeded } from '../support/seeded';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');
const KEY = 'pai-crash-test-key';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function runChild(dir: string, url: string, staging: { endpoint: string; bucket: string }, killBeforeSend = 0) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'test', 'support', 'provider-crash-child.ts'),
      dir,
      'productai',
      url,
      KEY,
      String(killBeforeSend),
      staging.endpoint,
      staging.bucket,
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

describe('ProductAI jobs survive SIGKILL', () => {
  it(
    'before a paid POST, after the sandbox charged one, and at random moments: each job done or in review, no input charged twice (seed 5)',
    { timeout: 240_000 },
    async () => {
      const sandbox = await startProductaiSandbox({ apiKeys: [KEY], speed: 200, rateLimit: false });
      cleanups.push(() => sandbox.close());
      const s3 = await startS3();
      cleanups.push(() => s3.close());
      const dir = tempDir('shootline-productai-crash-');
      const setup = openQueueLibrary(dir);
      const assets = Object.keys(CRASH_PHOTOS);
      for (const [index, assetId] of assets.entries()) {
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
        enqueue(setup.db, setup.shootId, 'productai', 1, {
          operation: 'upscale',
          params: {},
          inputs: { assetIds: [assetId] },
          costEstimate: 20,
        });
      }
      setup.db.close();

      // Fixed point 1: just before the 2nd paid request leaves.
      let run = runChild(dir, sandbox.baseUrl, s3, 2);
      expect((await run.exited).signal).toBe('SIGKILL');

      // Fixed point 2: the sandbox has created and charged an upscale, and has not answered yet.
      await sandbox.setFault({ kind: 'delay', ms: 1_500, when: 'after', count: 1, route: 'upscale' });
      const charged = sandbox.ledger.length;
      run = runChild(dir, sandbox.baseUrl, s3);
      await waitFor(
        () => sandbox.ledger.length > charged,
        () => 'nothing was charged',
        60_000,
      );
      run.child.kill('SIGKILL');
      await run.exited;

      const random = seeded(5);
      for (let kill = 0; kill < 5; kill += 1) {
        run = runChild(dir, sandbox.baseUrl, s3);
        const before = sandbox.requests.length;
        const working = waitFor(
          () => sandbox.requests.length > before,
          () => 'the child made no request',
          60_000,
        ).then(
          () => 'working' as const,
          () => 'exited' as const,
        );
        if ((await Promise.race([working, run.exited.then(() => 'exited' as const)])) === 'exited') break;
        await new Promise((resolve) => setTimeout(resolve, random() * 300));
        run.child.kill('SIGKILL');
        await run.exited;
      }

      run = runChild(dir, sandbox.baseUrl, s3);
      expect((await run.exited).output).toContain('settled');
      const check = openQueueLibrary(dir);
      const states = countByState(check.db);
      check.db.close();
      expect(Object.keys(states).filter((state) => state !== 'done' && state !== 'needs_review')).toEqual([]);
      expect((states.done ?? 0) + (states.needs_review ?? 0)).toBe(assets.length);
      expect(states.needs_review ?? 0).toBeGreaterThanOrEqual(1); // the one whose answer was lost
      // No input charged twice: each staged photo started at most one job at ProductAI.
      const perInput = new Map<string, number>();
      for (const job of sandbox.jobs()) {
        for (const input of job.inputs) {
          const object = new URL(input.url).pathname;
          perInput.set(object, (perInput.get(object) ?? 0) + 1);
        }
      }
      expect([...perInput.values()].filter((count) => count > 1)).toEqual([]);
      expect(sandbox.violations).toEqual([]);
    },
  );
});
