import path from 'node:path';
import { openDatabase } from '../../main/engine/db/connection';
import { AIVS_ID, createAivsProvider, type AivsOptions } from '../../main/engine/providers/aivisualstudio';
import { startAivsSandbox, type AivsSandbox, type AivsSandboxOptions } from '../sandbox/aivisualstudio/server';
import { call, startTestEngine } from './engine';
import { S3RVER_ACCESS_KEY_ID, startS3 } from './s3';

type Engine = Parameters<typeof call>[0];

export interface AivsSetup {
  engine: Engine;
  dataDir: string;
  sandbox: AivsSandbox;
  shootId: string;
}

/**
 * The engine with AI Visual Studio (the module as shipped, polling faster) pointed at its sandbox
 * with the sandbox's key set, and an empty shoot to generate into. With `staging`, s3rver is the
 * staging storage (animate sends its first frame as a URL). Cleanups go onto `cleanups`.
 */
export async function aivsEngine(
  cleanups: (() => unknown)[],
  {
    sandbox: sandboxOptions = {},
    provider = {},
    staging = false,
    engine: engineOptions = {},
  }: {
    sandbox?: AivsSandboxOptions;
    provider?: AivsOptions;
    staging?: boolean;
    engine?: { dataDir?: string; webhookUrl?: string; now?: () => number };
  } = {},
): Promise<AivsSetup> {
  // The doc's 60 requests, in a 5 s window instead of a minute: tests run at the limit's pace, faster.
  const rateLimit = sandboxOptions.rateLimit ?? { requests: 60, windowMs: 5_000 };
  const sandbox = await startAivsSandbox({ durationsMs: { image: 150, video: 300 }, ...sandboxOptions, rateLimit });
  cleanups.push(() => sandbox.close());
  const s3 = staging ? await startS3() : null;
  if (s3) cleanups.push(() => s3.close());
  const { engine, dataDir } = startTestEngine({
    stabilityMs: 200,
    providers: [createAivsProvider({ pollIntervalMs: 40, rateLimit, ...provider })],
    ...engineOptions,
  });
  // Stopped before the sandbox and the bucket close: nothing of the engine's races them.
  cleanups.push(() => engine.stop());
  await call(engine, 'providers.configure', { provider: AIVS_ID, baseUrl: sandbox.baseUrl });
  await call(engine, 'providers.setKey', { provider: AIVS_ID, key: sandbox.apiKey });
  if (s3) {
    await call(engine, 'staging.configure', {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      accessKeyId: S3RVER_ACCESS_KEY_ID,
      secretAccessKey: 'staging-secret',
    });
  }
  const shoot = await call(engine, 'shoots.create', { name: 'Studio concepts' });
  return { engine, dataDir, sandbox, shootId: shoot.id };
}

/** Runs `operation` `count` times in the shoot, approved. */
export async function generate(
  setup: Pick<AivsSetup, 'engine' | 'shootId'>,
  operation: 'image' | 'video',
  params: Record<string, unknown>,
  count = 1,
) {
  return call(setup.engine, 'shoots.runOperation', {
    shootId: setup.shootId,
    provider: AIVS_ID,
    operation,
    params,
    count,
    approve: true,
  });
}

/** The engine's own ledger of charges for AI Visual Studio, read from its library file. */
export function chargesRecorded(dataDir: string): { kind: string; amount: number }[] {
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  try {
    return db.prepare('SELECT kind, amount FROM credit_ledger WHERE provider = ? ORDER BY id').all(AIVS_ID) as {
      kind: string;
      amount: number;
    }[];
  } finally {
    db.close();
  }
}

/** The sandbox's charges, in credits. */
export function sandboxCharged(sandbox: AivsSandbox): number {
  return sandbox.ledger.reduce((sum, entry) => sum + entry.credits, 0);
}
