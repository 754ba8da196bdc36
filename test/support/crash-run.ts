import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { insertAsset } from '../../main/engine/db/assets-repo';
import type { NewJob } from '../../main/engine/db/jobs-repo';
import { CRASH_PHOTOS } from './provider-crash-child';
import { enqueue, openQueueLibrary, waitFor } from './queue-harness';
import { seeded } from './seeded';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface CrashRun {
  child: ChildProcess;
  exited: Promise<{ signal: NodeJS.Signals | null; output: string }>;
}

/** The provider crash child (test/support/provider-crash-child.ts) in this process's Node, with tsx as a loader. */
export function runCrashChild(args: readonly string[], env: NodeJS.ProcessEnv = {}): CrashRun {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'test', 'support', 'provider-crash-child.ts'), ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.once('exit', (_code, signal) => resolve({ signal, output })),
  );
  return { child, exited };
}

/** A library with one asset per crash photo and one job per asset, as the crash child expects. */
export function seedCrashLibrary(
  dir: string,
  provider: string,
  job: Partial<NewJob>,
  /** What differs per job (AI Visual Studio's prompts), by the job's index. */
  perJob: (index: number) => Partial<NewJob> = () => ({}),
): string[] {
  const setup = openQueueLibrary(dir);
  const assets = Object.keys(CRASH_PHOTOS);
  for (const [index, assetId] of assets.entries()) {
    // The variants' rows point at their source asset.
    const asset = { id: assetId, shootId: setup.shootId, relativePath: `${assetId}.jpg`, contentHash: `hash-${index}` };
    insertAsset(setup.db, { ...asset, sizeBytes: 1, width: null, height: null }, Date.now());
    enqueue(setup.db, setup.shootId, provider, 1, {
      ...job,
      ...perJob(index),
      inputs: { ...job.inputs, source: { kind: 'asset', assetId, version: 1 } },
    });
  }
  setup.db.close();
  return assets;
}

/**
 * Starts the child up to `times` times and kills it at a random moment once it has made a request
 * (seeded, so a failure can be replayed). Stops early when a child finishes everything first.
 */
export async function killAtRandomMoments(options: {
  start: () => CrashRun;
  requestsMade: () => number;
  seed: number;
  times: number;
  maxDelayMs: number;
}): Promise<void> {
  const random = seeded(options.seed);
  for (let kill = 0; kill < options.times; kill += 1) {
    const run = options.start();
    const before = options.requestsMade();
    const working = waitFor(
      () => options.requestsMade() > before,
      () => 'the child made no request',
      60_000,
    ).then(
      () => 'working' as const,
      () => 'exited' as const,
    );
    if ((await Promise.race([working, run.exited.then(() => 'exited' as const)])) === 'exited') return;
    await new Promise((resolve) => setTimeout(resolve, random() * options.maxDelayMs));
    run.child.kill('SIGKILL');
    await run.exited;
  }
}
