import fs from 'node:fs';
import path from 'node:path';
import { assetsOf, call, until } from './engine';
import { tempDir } from './temp';

type TestEngine = Parameters<typeof call>[0];

/**
 * Every file below a folder, relative to it. The listing says what each entry is, so nothing is
 * looked at twice: a temporary file renamed between a listing and a stat (an export in flight) is
 * simply not in the answer, instead of failing the test.
 */
export function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** The photos copied into a new hot folder's shoot folder, once every one is ingested. */
export async function ingested(engine: TestEngine, photos: readonly string[], shoot: string) {
  const hot = path.join(fs.realpathSync(tempDir()), 'Incoming');
  fs.mkdirSync(path.join(hot, shoot), { recursive: true });
  await call(engine, 'hotFolders.add', { path: hot, defaultRecipeId: null });
  for (const photo of photos) fs.copyFileSync(photo, path.join(hot, shoot, path.basename(photo)));
  return until(
    () => assetsOf(engine),
    (list) => list.length === photos.length && list.every((asset) => asset.state === 'ok'),
  );
}

/** An export run once it has stopped running. */
export async function finished(engine: TestEngine, id: string) {
  return until(
    async () => (await call(engine, 'exports.list', {})).find((run) => run.id === id),
    (run) => run !== undefined && run.state !== 'running',
  );
}

/** Runs a local enhance on these photos and answers with the variants it made, once every job is done. */
export async function enhanced(engine: TestEngine, assetIds: readonly string[], preset = 'auto') {
  const recipe = await call(engine, 'recipes.create', {
    name: `Enhance ${preset} ${assetIds.length}`,
    provider: 'local',
    operation: 'enhance',
    params: { preset, output: 'jpeg' },
  });
  const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [...assetIds] });
  const jobs = await until(
    async () => (await call(engine, 'jobs.list', {})).jobs.filter((job) => run.jobIds.includes(job.id)),
    (list) => list.length === run.jobIds.length && list.every((job) => job.state === 'done'),
  );
  const variants = await call(engine, 'variants.list', {});
  return variants.filter((variant) => jobs.some((job) => job.id === variant.jobId));
}
