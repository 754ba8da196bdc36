import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath } from '../support/corpus';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

describe('refusals known before a run', () => {
  it('an upscale over the pixel cap is said in the estimate and left out of the run, not sent to fail later', async () => {
    const { engine } = startTestEngine({ stabilityMs: 300 });
    await call(engine, 'queue.pause', { scope: 'global' });
    const root = fs.realpathSync(tempDir());
    fs.mkdirSync(path.join(root, 'Shoot'));
    fs.copyFileSync(corpusPath('photos/grace_hopper.jpg'), path.join(root, 'Shoot', 'small.jpg')); // 512×600
    fs.copyFileSync(corpusPath('photos/storm_canon-400d.jpg'), path.join(root, 'Shoot', 'large.jpg')); // 1920×1280
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    await engine.ingestIdle();
    const assets = await assetsOf(engine);
    const idOf = (name: string) => assets.find((asset) => asset.relativePath === `Shoot/${name}`)!.id;
    const recipe = await call(engine, 'recipes.create', {
      name: 'Upscale 4×',
      provider: 'local',
      operation: 'upscale',
      params: { factor: 4, maxMegapixels: 10, output: 'jpeg' },
    });
    const targets = { recipeId: recipe.id, assetIds: [idOf('small.jpg'), idOf('large.jpg')] };

    const estimate = await call(engine, 'recipes.estimate', targets);
    const refusal = {
      id: idOf('large.jpg'),
      reason:
        '4× of 1920×1280 would be 7680×5120 = 39 MP, beyond the 10 MP cap for upscaling. Upscale a smaller crop, or use 2×.',
    };
    expect(estimate).toMatchObject({ jobs: 1, refused: [refusal] });

    const run = await call(engine, 'recipes.run', targets);
    expect(run.jobIds).toHaveLength(1);
    expect(run.refused).toEqual([refusal]);
    const jobs = (await call(engine, 'jobs.list', {})).jobs;
    expect(jobs.map((job) => job.inputs.source?.assetId)).toEqual([idOf('small.jpg')]);
    await engine.stop();
  });

  it("a hot folder's automatic run is not left out silently: the refused photo gets a failed job that says why", async () => {
    const { engine } = startTestEngine({ stabilityMs: 300 });
    const recipe = await call(engine, 'recipes.create', {
      name: 'Upscale 4×',
      provider: 'local',
      operation: 'upscale',
      params: { factor: 4, maxMegapixels: 10, output: 'jpeg' },
    });
    const root = fs.realpathSync(tempDir());
    fs.mkdirSync(path.join(root, 'Shoot'));
    fs.copyFileSync(corpusPath('photos/storm_canon-400d.jpg'), path.join(root, 'Shoot', 'large.jpg'));
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: recipe.id });
    await engine.ingestIdle();
    const job = await until(
      async () => (await call(engine, 'jobs.list', {})).jobs[0],
      (found) => found?.state === 'failed',
    );
    expect(job?.lastError?.message).toContain('beyond the 10 MP cap for upscaling');
    await engine.stop();
  });
});
