import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createAixposeProvider } from '../../main/engine/providers/aixpose';
import { startAixposeSandbox } from '../sandbox/aixpose/server';
import { corpusPath, TEN_PHOTOS } from '../support/corpus';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KEY = 'aix_CANARY_key_77e0';
const PHOTOS = TEN_PHOTOS;

describe('AIXpose through the real queue, against the sandbox', () => {
  it('turns 10 photos with a 2-variant enhance recipe into 20 linked variants, charged once each even when answers are lost, with no violation', async () => {
    const sandbox = await startAixposeSandbox({ apiKey: KEY, credits: 1000, speed: 400 });
    cleanups.push(() => sandbox.close());
    const { engine, dataDir, logLines } = startTestEngine({
      stabilityMs: 200,
      providers: [createAixposeProvider({ pollIntervalMs: 50 })],
    });
    await call(engine, 'providers.configure', { provider: 'aixpose', baseUrl: sandbox.baseUrl });
    await call(engine, 'providers.setKey', { provider: 'aixpose', key: KEY });
    expect(await call(engine, 'providers.test', { provider: 'aixpose' })).toEqual({
      ok: true,
      message: 'The key works: 1000 credits left.',
    });
    const root = path.join(fs.realpathSync(tempDir()), 'Listings');
    fs.mkdirSync(path.join(root, '12 Harbour Rd'), { recursive: true });
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null, spendingCap: 1000, autoApprove: true });
    for (const photo of PHOTOS)
      fs.copyFileSync(corpusPath(photo), path.join(root, '12 Harbour Rd', path.basename(photo)));
    const assets = await until(
      () => assetsOf(engine),
      (list) => list.length === PHOTOS.length && list.every((asset) => asset.state === 'ok'),
    );
    const recipe = await call(engine, 'recipes.create', {
      name: 'Japandi staging',
      provider: 'aixpose',
      operation: 'enhance',
      params: { actions: ['interior-style-japandi', 'interior-decoration-medium'], variants: 2 },
    });
    // Two enhancements are done and charged, then their connections drop before the answer: the
    // queue sends them again with the same Idempotency-Key and AIXpose replays, charging nothing more.
    sandbox.setFault({ kind: 'reset_after' }, { times: 2, route: 'POST /v1/pictures/{picture_id}/enhancements' });
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: assets.map((asset) => asset.id) });
    expect(run.totalEstimate).toBe(20);
    await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (list) => list.length === 10 && list.every((job) => job.state === 'done'),
    );
    const variants = await call(engine, 'variants.list', {});
    expect(variants).toHaveLength(20);
    expect(new Set(variants.map((variant) => variant.assetId))).toEqual(new Set(assets.map((asset) => asset.id)));
    for (const variant of variants.slice(0, 4)) {
      const media = await engine.resolveMedia({ kind: 'variant', id: variant.mediaId });
      expect((await sharp(media?.file).metadata()).format).toBe('jpeg');
    }
    // One project for the shoot, 20 pictures charged once each, and nothing the sandbox had to refuse.
    expect(sandbox.violations).toEqual([]);
    expect(sandbox.requests.filter((request) => request.outcome === 'reset_after')).toHaveLength(2);
    expect(sandbox.requests.filter((request) => request.outcome === 'replayed').length).toBeGreaterThanOrEqual(2);
    expect(sandbox.projects()).toHaveLength(1);
    expect(sandbox.balance).toBe(980);
    await engine.stop();
    expect(logLines.join('\n')).not.toContain('CANARY');
    for (const file of fs.readdirSync(dataDir).filter((name) => name.startsWith('shootline.db'))) {
      expect(fs.readFileSync(path.join(dataDir, file)).includes(Buffer.from('CANARY')), file).toBe(false);
    }
  }, 120_000);
});
