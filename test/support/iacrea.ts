import fs from 'node:fs';
import path from 'node:path';
import { createIacreaProvider, IACREA_ID, type IacreaOptions } from '../../main/engine/providers/iacrea';
import {
  DEFAULT_API_KEY,
  DEFAULT_USER_ID,
  startIacreaSandbox,
  type IacreaSandboxOptions,
} from '../sandbox/iacrea/server';
import { corpusPath } from './corpus';
import { assetsOf, call, startTestEngine, until } from './engine';
import { S3RVER_ACCESS_KEY_ID, startS3 } from './s3';
import { tempDir } from './temp';

type Engine = Parameters<typeof call>[0];

/**
 * The engine with iacrea (the module as shipped, polling faster) pointed at its sandbox, both account
 * values set, staging on s3rver, and these photos ingested into one shoot, each with an `exterior`
 * mask painted over its lower half. Cleanups are pushed onto `cleanups`.
 */
export async function iacreaShoot(
  cleanups: (() => unknown)[],
  photos: readonly string[],
  { sandbox: sandboxOptions = {}, provider = {} }: { sandbox?: IacreaSandboxOptions; provider?: IacreaOptions } = {},
) {
  const sandbox = await startIacreaSandbox({ speed: 200, ...sandboxOptions });
  cleanups.push(() => sandbox.close());
  const s3 = await startS3();
  cleanups.push(() => s3.close());
  const { engine, dataDir } = startTestEngine({
    stabilityMs: 200,
    providers: [createIacreaProvider({ pollIntervalMs: 30, ...provider })],
  });
  // Stopped before the bucket and the sandbox close: a job's staging clean-up never races them.
  cleanups.push(() => engine.stop());
  await call(engine, 'providers.configure', {
    provider: IACREA_ID,
    baseUrl: sandbox.baseUrl,
    fields: { 'user-id': DEFAULT_USER_ID },
  });
  await call(engine, 'providers.setKey', { provider: IACREA_ID, key: DEFAULT_API_KEY });
  await call(engine, 'staging.configure', {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: S3RVER_ACCESS_KEY_ID,
    secretAccessKey: 'staging-secret',
  });
  const root = path.join(fs.realpathSync(tempDir()), 'Listings');
  fs.mkdirSync(path.join(root, 'Garden house'), { recursive: true });
  await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 1000, autoApprove: true });
  for (const photo of photos) fs.copyFileSync(corpusPath(photo), path.join(root, 'Garden house', path.basename(photo)));
  const assets = await until(
    () => assetsOf(engine),
    (list) => list.length === photos.length && list.every((asset) => asset.state === 'ok'),
  );
  const byName = photos.map((photo) => assets.find((asset) => asset.relativePath.endsWith(path.basename(photo))));
  const masks = [];
  for (const asset of byName) {
    if (!asset?.width || !asset.height) throw new Error('a photo was not read');
    masks.push(await paintLowerHalf(engine, asset.id, asset.width, asset.height));
  }
  return {
    engine,
    dataDir,
    sandbox,
    s3,
    shootId: byName[0]?.shootId ?? '',
    assets: byName.flatMap((asset) => (asset ? [asset] : [])),
    masks,
  };
}

/**
 * An `exterior` mask over the photo below `from` (0.5: the lower half, a garden in front of the
 * house), as one wide stroke.
 */
export async function paintLowerHalf(engine: Engine, assetId: string, width: number, height: number, from = 0.5) {
  const band = height * (1 - from);
  return call(engine, 'masks.save', {
    assetId,
    purpose: 'exterior',
    content: {
      width,
      height,
      strokes: [
        {
          points: [
            { x: 0, y: height - band / 2 },
            { x: width, y: height - band / 2 },
          ],
          size: band,
          mode: 'paint',
        },
      ],
    },
  });
}

/** The recipes for both operations, at a room type. */
export async function iacreaRecipes(engine: Engine, roomType: 'TERRACE' | 'POOL' | 'PETANQUE' = 'POOL') {
  const exterior = await call(engine, 'recipes.create', {
    name: `Exterior ${roomType}`,
    provider: IACREA_ID,
    operation: 'exterior',
    params: { roomType },
  });
  const variation = await call(engine, 'recipes.create', {
    name: `More like this ${roomType}`,
    provider: IACREA_ID,
    operation: 'variation',
    params: { roomType },
  });
  return { exterior, variation };
}

/** Waits until these jobs have all ended, and answers them. */
export async function jobsEnded(engine: Engine, ids: readonly string[]) {
  // Each job in a few words, so a job that never ends says where it stands.
  const read = async () =>
    (await Promise.all(ids.map((id) => call(engine, 'jobs.get', { id })))).map((job) =>
      Object.assign(job, {
        toJSON: () =>
          `${job.operation}:${job.state}${job.waitingFor ? `/${job.waitingFor}` : ''} try ${job.attempts} ${job.lastError?.message ?? ''} ${job.events
            .slice(-3)
            .map((event) => `${event.event}${event.detail ? `(${event.detail.slice(0, 80)})` : ''}`)
            .join(' ')}`,
      }),
    );
  return until(
    read,
    (jobs) => jobs.every((job) => ['done', 'failed', 'canceled', 'needs_review'].includes(job.state)),
    90_000,
  );
}
