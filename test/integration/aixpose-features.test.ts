import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAixposeProvider } from '../../main/engine/providers/aixpose';
import { createLocalProvider } from '../../main/engine/providers/local';
import { startAixposeSandbox } from '../sandbox/aixpose/server';
import { corpusPath, TEN_PHOTOS } from '../support/corpus';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { S3RVER_ACCESS_KEY_ID, startS3 } from '../support/s3';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KEY = 'aix_features_key_1234';
const PHOTOS = TEN_PHOTOS.slice(0, 3);

/** The objects s3rver holds (it keeps each as `<key>._S3rver_object` beside its metadata). */
function storedObjects(directory: string): string[] {
  return fs
    .readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.jpg._S3rver_object'));
}

async function setup() {
  const sandbox = await startAixposeSandbox({ apiKey: KEY, credits: 1000, speed: 400 });
  cleanups.push(() => sandbox.close());
  const s3 = await startS3();
  cleanups.push(() => s3.close());
  const { engine } = startTestEngine({
    stabilityMs: 200,
    providers: [createAixposeProvider({ pollIntervalMs: 50 }), createLocalProvider({ workDir: tempDir() })],
  });
  await call(engine, 'providers.configure', { provider: 'aixpose', baseUrl: sandbox.baseUrl });
  await call(engine, 'providers.setKey', { provider: 'aixpose', key: KEY });
  const root = path.join(fs.realpathSync(tempDir()), 'Listings');
  fs.mkdirSync(path.join(root, '4 Mill Lane'), { recursive: true });
  await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 1000, autoApprove: true });
  for (const photo of PHOTOS) fs.copyFileSync(corpusPath(photo), path.join(root, '4 Mill Lane', path.basename(photo)));
  const assets = await until(
    () => assetsOf(engine),
    (list) => list.length === PHOTOS.length && list.every((asset) => asset.state === 'ok'),
  );
  const shootId = assets[0]?.shootId ?? '';
  const runRecipe = async (params: Record<string, unknown>, assetIds: string[], provider = 'aixpose') => {
    const recipe = await call(engine, 'recipes.create', {
      name: `Recipe ${JSON.stringify(params)}`,
      provider,
      operation: 'enhance',
      params,
    });
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds });
    return until(
      async () => (await call(engine, 'jobs.list', {})).jobs.filter((job) => run.jobIds.includes(job.id)),
      (jobs) => jobs.length === run.jobIds.length && jobs.every((job) => ['done', 'failed'].includes(job.state)),
    );
  };
  return { sandbox, s3, engine, assets, shootId, runRecipe };
}

describe('AIXpose beyond a plain enhance', () => {
  it('keeps AIXpose picture ids, versions and subversions on variants; uploads as base64 and through a staging URL; runs quick actions', async () => {
    const { sandbox, s3, engine, assets, runRecipe } = await setup();
    const [first, second, third] = assets.map((asset) => asset.id);

    const base64 = await runRecipe({ actions: ['interior-style-japandi'], variants: 2, upload: 'base64' }, [
      first ?? '',
    ]);
    expect(base64.map((job) => job.state)).toEqual(['done']);
    const variants = await call(engine, 'variants.list', { assetId: first ?? '' });
    const pictures = sandbox.pictures();
    expect(variants.map((variant) => [variant.remote?.version, variant.remote?.subversion])).toEqual([
      [1, 0],
      [1, 1],
    ]);
    for (const variant of variants) {
      expect(pictures.find((picture) => picture.id === variant.remote?.id)?.source_picture_id).toBeTruthy();
    }

    // Without staging, a URL upload stops at once and says what to do.
    const noStaging = await runRecipe({ actions: ['interior-style-modern'], upload: 'url' }, [second ?? '']);
    expect(noStaging[0]?.state).toBe('failed');
    expect(noStaging[0]?.lastError?.message).toContain('set up staging storage in Settings');

    const staging = {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      accessKeyId: S3RVER_ACCESS_KEY_ID,
      secretAccessKey: 'staging-secret-value',
    };
    await call(engine, 'staging.configure', { ...staging, cleanup: false });
    const viaUrl = await runRecipe({ actions: ['interior-style-modern'], variants: 1, upload: 'url' }, [second ?? '']);
    expect(viaUrl.map((job) => job.state)).toEqual(['done']);
    const kept = storedObjects(s3.directory);
    expect(kept).toHaveLength(1); // cleanup off: the staged photo stays
    // With cleanup on, the next job's staged photo is deleted once the job is over.
    await call(engine, 'staging.configure', { ...staging, cleanup: true });
    const cleaned = await runRecipe({ actions: ['interior-style-modern'], variants: 1, upload: 'url' }, [third ?? '']);
    expect(cleaned.map((job) => job.state)).toEqual(['done']);
    const urlUploads = sandbox.requests.filter(
      (request) => request.route === 'POST /v1/projects/{project_id}/pictures' && request.status === 201,
    );
    expect(urlUploads.length).toBeGreaterThanOrEqual(3);
    await until(
      () => Promise.resolve(storedObjects(s3.directory)),
      (objects) => objects.length === 1 && objects[0] === kept[0],
    );

    const quick = await runRecipe({ quickAction: 'qa_declutter', variants: 1 }, [third ?? '']);
    expect(quick.map((job) => job.state)).toEqual(['done']);
    const lastEnhancement = sandbox
      .pictures()
      .filter((picture) => picture.version > 0)
      .at(-1);
    expect(lastEnhancement?.source_instruction).toMatchObject({
      source: 'quick_action',
      quick_action_id: 'qa_declutter',
    });

    // A recipe gives one kind of instruction: the form cannot send actions and a prompt together.
    await expect(
      call(engine, 'recipes.create', {
        name: 'Both',
        provider: 'aixpose',
        operation: 'enhance',
        params: { actions: ['interior-style-modern'], prompt: 'Make it cosy' },
      }),
    ).rejects.toThrow(/one kind of instruction/);
    expect(sandbox.violations).toEqual([]);
  }, 120_000);

  it('makes a listing video and publishes from the approved variants, an AIXpose one and a local one', async () => {
    const { sandbox, engine, assets, shootId, runRecipe } = await setup();
    const [first, second] = assets.map((asset) => asset.id);
    await expect(
      call(engine, 'shoots.runOperation', { shootId, provider: 'aixpose', operation: 'video', params: {} }),
    ).rejects.toThrow(/Approve at least one variant/);

    await runRecipe({ actions: ['interior-style-japandi'], variants: 1 }, [first ?? '']);
    await runRecipe({ preset: 'auto', output: 'jpeg' }, [second ?? ''], 'local');
    const made = await call(engine, 'variants.list', { shootId });
    expect(made).toHaveLength(2);
    for (const variant of made) await call(engine, 'variants.update', { id: variant.id, approved: true });
    const before = sandbox.balance;

    const run = await call(engine, 'shoots.runOperation', {
      shootId,
      provider: 'aixpose',
      operation: 'video',
      params: { sceneContext: 'A quiet mill house by the river.' },
    });
    expect(run.totalEstimate).toBe(10);
    await until(
      async () => call(engine, 'jobs.get', { id: run.jobIds[0] ?? '' }),
      (detail) => detail.state === 'done' || detail.state === 'failed',
    );
    const videoVariant = (await call(engine, 'variants.list', { jobId: run.jobIds[0] ?? '' }))[0];
    expect(videoVariant?.kind).toBe('video');
    expect(videoVariant?.mimeType).toBe('video/mp4');
    const media = await engine.resolveMedia({ kind: 'variant', id: videoVariant?.mediaId ?? '' });
    expect(fs.readFileSync(media?.file ?? '').toString('latin1', 4, 8)).toBe('ftyp');
    const video = sandbox.videos()[0];
    // The AIXpose variant went by its own picture id; the local one was uploaded first.
    const aixVariant = made.find((variant) => variant.remote !== null);
    expect(video?.picture_ids).toHaveLength(2);
    expect(video?.picture_ids[0]).toBe(aixVariant?.remote?.id);
    expect(sandbox.balance).toBe(before - 10);

    const publish = await call(engine, 'shoots.runOperation', {
      shootId,
      provider: 'aixpose',
      operation: 'publish',
      params: {},
    });
    await until(
      async () => call(engine, 'jobs.get', { id: publish.jobIds[0] ?? '' }),
      (detail) => detail.state === 'done',
    );
    expect(sandbox.projects().map((project) => project.status)).toEqual(['published']);
    // The local variant was uploaded once for the video and found again for publishing.
    expect(sandbox.pictures().filter((picture) => picture.version === 0)).toHaveLength(2);
    expect(sandbox.balance).toBe(before - 10);
    expect(sandbox.violations).toEqual([]);
  }, 120_000);

  it('reads the catalog (cached for when AIXpose is away), the agent and the ledger', async () => {
    const { sandbox, engine } = await setup();
    const catalog = await call(engine, 'providers.catalog', { provider: 'aixpose' });
    expect(catalog.message).toBeNull();
    expect(catalog.entries).toContainEqual(
      expect.objectContaining({ kind: 'action', id: 'interior-style-japandi', appliesTo: ['interior'] }),
    );
    expect(catalog.entries).toContainEqual(expect.objectContaining({ kind: 'quick_action', id: 'qa_declutter' }));
    expect(catalog.entries).toContainEqual(expect.objectContaining({ kind: 'model', id: 'aix-vision-2' }));
    expect(catalog.entries).toContainEqual(
      expect.objectContaining({ kind: 'scene_location', id: 'kitchen', group: 'interior' }),
    );
    const providers = await call(engine, 'providers.list', {});
    const enhance = providers
      .find((provider) => provider.id === 'aixpose')
      ?.operations.find((op) => op.name === 'enhance');
    expect(enhance?.hints.actions?.catalog).toBe('action');

    await sandbox.setUnreachable(true);
    const offline = await call(engine, 'providers.catalog', { provider: 'aixpose', refresh: true });
    expect(offline.entries).toEqual(catalog.entries);
    expect(offline.message).toMatch(/^Showing AIXpose's catalog as of /);
    await sandbox.setUnreachable(false);

    const agent = await call(engine, 'providers.agent', { provider: 'aixpose' });
    expect(agent.enabled).toBe(sandbox.agent().enabled);
    const updated = await call(engine, 'providers.updateAgent', {
      provider: 'aixpose',
      enabled: true,
      autoApply: true,
    });
    expect(updated).toMatchObject({ enabled: true, autoApply: true });
    expect(sandbox.agent()).toMatchObject({ enabled: true, auto_apply: true });
    const ledger = await call(engine, 'providers.ledger', { provider: 'aixpose' });
    expect(ledger.reduce((sum, entry) => sum + entry.amount, 0)).toBe(sandbox.balance);
    expect(sandbox.violations).toEqual([]);
  }, 60_000);
});
