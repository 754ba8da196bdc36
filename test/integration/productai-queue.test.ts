import fs from 'node:fs';
import path from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { isActive } from '../../shared/job-model';
import { afterEach, describe, expect, it } from 'vitest';
import { createProductaiProvider } from '../../main/engine/providers/productai';
import { startProductaiSandbox } from '../sandbox/productai/server';
import { corpusPath, TEN_PHOTOS } from '../support/corpus';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { S3RVER_ACCESS_KEY_ID, startS3 } from '../support/s3';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KEY = 'pai-CANARY-key-5fd1c2';
const PHOTOS = TEN_PHOTOS;

/** The engine with ProductAI pointed at the sandbox, staging on s3rver, and 10 corpus photos ingested. */
async function setup(balance: number) {
  const sandbox = await startProductaiSandbox({ apiKeys: [KEY], balance, speed: 200, rateLimit: false });
  cleanups.push(() => sandbox.close());
  const s3 = await startS3();
  cleanups.push(() => s3.close());
  const { engine, dataDir, logLines } = startTestEngine({
    stabilityMs: 200,
    // The module as shipped, polling faster than the documented 3–5 s so the test takes seconds.
    providers: [createProductaiProvider({ pollIntervalMs: 50, rateLimit: { requests: 1000, windowMs: 1000 } })],
  });
  await call(engine, 'providers.configure', { provider: 'productai', baseUrl: sandbox.baseUrl });
  await call(engine, 'providers.setKey', { provider: 'productai', key: KEY });
  await call(engine, 'staging.configure', {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: S3RVER_ACCESS_KEY_ID,
    secretAccessKey: 'staging-CANARY-secret',
  });
  const root = path.join(fs.realpathSync(tempDir()), 'Catalogue');
  fs.mkdirSync(path.join(root, 'Spring'), { recursive: true });
  await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 1000, autoApprove: true });
  for (const photo of PHOTOS) fs.copyFileSync(corpusPath(photo), path.join(root, 'Spring', path.basename(photo)));
  const assets = await until(
    () => assetsOf(engine),
    (list) => list.length === PHOTOS.length && list.every((asset) => asset.state === 'ok'),
  );
  const recipe = await call(engine, 'recipes.create', {
    name: 'Upscale',
    provider: 'productai',
    operation: 'upscale',
    params: {},
  });
  return { engine, dataDir, logLines, sandbox, assets, recipe };
}

describe('ProductAI through the real queue, against the sandbox, with staging on s3rver', () => {
  it('upscales 10 photos into 10 variants, and the sandbox saw no violation', async () => {
    const { engine, dataDir, logLines, sandbox, assets, recipe } = await setup(1000);
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: assets.map((asset) => asset.id) });
    expect(run.totalEstimate).toBe(200); // 20 tokens each, from the price table
    const jobs = await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (list) => list.length === 10 && list.every((job) => job.state === 'done'),
    );
    expect(jobs).toHaveLength(10);
    const variants = await call(engine, 'variants.list', {});
    expect(variants).toHaveLength(10);
    // Each variant is a real, larger image linked to its source.
    for (const variant of variants) {
      const source = assets.find((asset) => asset.id === variant.assetId);
      const media = await engine.resolveMedia({ kind: 'variant', id: variant.mediaId });
      const size = await sharp(media?.file).metadata();
      expect(size.width, source?.relativePath).toBeGreaterThan(source?.width ?? 0);
    }
    expect(sandbox.violations).toEqual([]);
    expect(sandbox.ledger).toHaveLength(10);
    expect(sandbox.keysSeen.get(KEY)).toBeGreaterThan(0);
    // The provider's output came back bare; the stored variant carries its source's capture time,
    // camera and copyright again.
    const pentax = assets.find((asset) => asset.relativePath.endsWith('after-the-rain_pentax-k7_srgb.jpg'));
    const variant = variants.find((each) => each.assetId === pentax?.id);
    const file = (await engine.resolveMedia({ kind: 'variant', id: variant?.mediaId ?? '' }))?.file ?? '';
    expect(
      await exifr.parse(file, {
        pick: ['Make', 'Model', 'DateTimeOriginal', 'Copyright', 'Artist'],
        reviveValues: false,
      }),
    ).toEqual({
      Make: 'PENTAX',
      Model: 'PENTAX K-7',
      DateTimeOriginal: '2014:11:18 17:43:55',
      Copyright: 'Stef Binde www.vogliaditerra.com',
      Artist: 'Stef Binde',
    });
    // The canary key reached the sandbox, and nothing else: not the log, the database or an answer.
    await engine.stop();
    expect(logLines.join('\n')).not.toContain('CANARY');
    for (const file of fs.readdirSync(dataDir).filter((name) => name.startsWith('shootline.db'))) {
      expect(fs.readFileSync(path.join(dataDir, file)).includes(Buffer.from('CANARY')), file).toBe(false);
    }
  }, 120_000);

  it('pauses ProductAI when it is out of tokens, loses nothing, and finishes once topped up and resumed', async () => {
    const { engine, sandbox, assets, recipe } = await setup(45); // two upscales' worth
    await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: assets.map((asset) => asset.id) });
    const paused = await until(
      async () => (await call(engine, 'providers.list', {})).find((provider) => provider.id === 'productai'),
      (provider) => provider?.pausedReason !== null,
    );
    expect(paused?.pausedReason).toMatch(/run out of credits/);
    // The queue comes to rest: the jobs in flight when the credits ran out are held, and the paused
    // provider starts no new ones (its gate is closed, whatever time passes).
    const jobs = (
      await until(
        async () => (await call(engine, 'jobs.list', {})).jobs,
        (list) => list.every((job) => !isActive(job.state)),
      )
    ).slice();
    expect(jobs).toHaveLength(10);
    expect(jobs.filter((job) => job.state === 'failed' || job.state === 'canceled')).toEqual([]);
    expect(jobs.filter((job) => job.state === 'done').length).toBeLessThanOrEqual(2);
    sandbox.setBalance(1000);
    await call(engine, 'queue.resume', { scope: 'provider', id: 'productai' });
    await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (list) => list.every((job) => job.state === 'done'),
    );
    expect(await call(engine, 'variants.list', {})).toHaveLength(10);
    expect(sandbox.violations).toEqual([]);
  }, 120_000);

  it('never resends a submit whose answer was lost: that job waits for review, charged once; the rest finish', async () => {
    const { engine, sandbox, assets, recipe } = await setup(1000);
    // The first upscale is created and charged, then the connection drops before the answer.
    await sandbox.setFault({ kind: 'reset-after', count: 1, route: 'upscale' });
    await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: assets.map((asset) => asset.id) });
    const jobs = await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (list) => list.length === 10 && list.every((job) => job.state === 'done' || job.state === 'needs_review'),
    );
    expect(jobs.filter((job) => job.state === 'needs_review')).toHaveLength(1);
    expect(jobs.filter((job) => job.state === 'done')).toHaveLength(9);
    // 10 charges for 10 photos: the lost one was not sent again.
    expect(sandbox.ledger).toHaveLength(10);
    expect(sandbox.violations).toEqual([]);
  }, 120_000);

  it('stops a ProductAI job at once, saying what to do, when no staging storage is set up', async () => {
    const sandbox = await startProductaiSandbox({ apiKeys: [KEY], speed: 200, rateLimit: false });
    cleanups.push(() => sandbox.close());
    const { engine } = startTestEngine({
      stabilityMs: 200,
      providers: [createProductaiProvider({ pollIntervalMs: 50 })],
    });
    await call(engine, 'providers.configure', { provider: 'productai', baseUrl: sandbox.baseUrl });
    await call(engine, 'providers.setKey', { provider: 'productai', key: KEY });
    const root = path.join(fs.realpathSync(tempDir()), 'NoStaging');
    fs.mkdirSync(root);
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 100, autoApprove: true });
    fs.copyFileSync(corpusPath('photos/storm_canon-400d.jpg'), path.join(root, 'storm.jpg'));
    const [asset] = await until(
      () => assetsOf(engine),
      (list) => list[0]?.state === 'ok',
    );
    const recipe = await call(engine, 'recipes.create', {
      name: 'Up',
      provider: 'productai',
      operation: 'upscale',
      params: {},
    });
    await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [asset?.id ?? ''] });
    const [job] = await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (list) => list[0]?.state === 'failed',
    );
    expect(job?.lastError?.message).toBe('ProductAI needs a public image URL: set up staging storage in Settings');
    expect(sandbox.totals.requests).toBe(0);
  }, 60_000);
});
