import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../../main/engine/providers/local';
import { corpusPath, TEN_PHOTOS } from '../support/corpus';
import { call, startTestEngine, until } from '../support/engine';
import { filesUnder, finished, ingested } from '../support/exports';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('exports as recorded runs', () => {
  it('exports approved variants with the Listing preset, previews the first file, and fails one missing file alone', async () => {
    const { engine } = startTestEngine({
      stabilityMs: 200,
      providers: [createLocalProvider({ workDir: tempDir() })],
    });
    const assets = await ingested(engine, TEN_PHOTOS.slice(0, 4).map(corpusPath), 'Quay Fotó 写真');
    const shootId = assets[0]?.shootId ?? '';
    const recipe = await call(engine, 'recipes.create', {
      name: 'Enhance',
      provider: 'local',
      operation: 'enhance',
      params: { preset: 'auto', output: 'jpeg' },
    });
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: assets.map((asset) => asset.id) });
    await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (jobs) => jobs.length === run.jobIds.length && jobs.every((job) => job.state === 'done'),
    );
    const variants = await call(engine, 'variants.list', { shootId });
    for (const variant of variants.slice(0, 3))
      await call(engine, 'variants.update', { id: variant.id, approved: true });
    const presets = await call(engine, 'exports.presets', {});
    const listing = presets.find((entry) => entry.preset.name === 'Listing (MLS)');
    expect(presets.filter((entry) => entry.builtIn)).toHaveLength(5);
    const target = tempDir();

    const preview = await call(engine, 'exports.preview', { shootId, presetId: listing?.id ?? '', targetRoot: target });
    expect(preview.total).toBe(3);
    expect(preview.format).toBe('jpeg');
    expect(Math.max(preview.width, preview.height)).toBeLessThanOrEqual(2048);
    expect(preview.path.startsWith(target)).toBe(true);
    expect(filesUnder(target)).toEqual([]); // a preview writes nothing

    // One approved variant's file is gone: that item fails with a sentence, the others are written.
    const gone = await engine.resolveMedia({ kind: 'variant', id: variants[2]?.mediaId ?? '' });
    fs.rmSync(gone?.file ?? '');
    const started = await call(engine, 'exports.start', { shootId, presetId: listing?.id ?? '', targetRoot: target });
    const done = await finished(engine, started.id);
    expect(done).toMatchObject({ state: 'failed', total: 3, done: 2, failed: 1 });
    const written = filesUnder(target);
    expect(written).toHaveLength(2);
    expect(written.every((name) => name.includes('Quay Fotó 写真'))).toBe(true);
    for (const name of written) {
      const meta = await sharp(path.join(target, name)).metadata();
      expect(meta.format).toBe('jpeg');
      expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(2048);
      expect(fs.statSync(path.join(target, name)).size).toBeLessThanOrEqual(4_000_000);
    }

    // Nothing approved in a fresh shoot's terms: the user is told what to do.
    await expect(
      call(engine, 'exports.start', {
        shootId,
        presetId: presets.find((entry) => entry.preset.name === 'Web')?.id ?? '',
        targetRoot: target,
        assetIds: [assets[3]?.id ?? ''],
      }),
    ).rejects.toThrow(/approve variants first/);
    // A hot folder with an export preset exports each newly approved variant by itself, once.
    const auto = tempDir();
    const [folder] = await call(engine, 'hotFolders.list', {});
    const web = presets.find((entry) => entry.preset.name === 'Web');
    await call(engine, 'hotFolders.update', {
      id: folder?.id ?? '',
      exportPresetId: web?.id ?? '',
      exportFolder: auto,
    });
    const fourth = variants[3]?.id ?? '';
    await call(engine, 'variants.update', { id: fourth, approved: true });
    await until(
      () => Promise.resolve(filesUnder(auto)),
      (files) => files.length === 1 && files[0]?.endsWith('.webp') === true,
    );
    const autoRuns = async () => (await call(engine, 'exports.list', {})).filter((run) => run.targetRoot === auto);
    expect(await autoRuns()).toHaveLength(1);
    await call(engine, 'variants.update', { id: fourth, approved: false });
    await call(engine, 'variants.update', { id: fourth, approved: true });
    // An approval starts its run while the call is answered: had the second approval exported
    // again, a second run would be listed now. Then wait for the export service to be idle.
    expect(await autoRuns()).toHaveLength(1);
    await until(autoRuns, (runs) => runs.every((run) => run.state !== 'running'));
    expect(filesUnder(auto)).toHaveLength(1);
    expect((await sharp(path.join(auto, filesUnder(auto)[0] ?? '')).metadata()).width).toBeLessThanOrEqual(1600);
  }, 120_000);

  it('{variant} is the number the UI shows (the second variant of a photo, from a second job, is v2), and progress names the files', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const [photo] = await ingested(engine, [corpusPath('photos/grace_hopper.jpg')], 'Pier');
    const shootId = photo?.shootId ?? '';
    for (const preset of ['auto', 'real_estate']) {
      const recipe = await call(engine, 'recipes.create', {
        name: `Enhance ${preset}`,
        provider: 'local',
        operation: 'enhance',
        params: { preset, output: 'jpeg' },
      });
      await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [photo?.id ?? ''] });
    }
    const variants = await until(
      () => call(engine, 'variants.list', { shootId }),
      (list) => list.length === 2,
    );
    for (const variant of variants) await call(engine, 'variants.update', { id: variant.id, approved: true });
    const target = tempDir();
    const preset = {
      name: 'Numbered',
      what: 'approved',
      format: 'jpeg',
      quality: 80,
      size: { mode: 'long-edge', value: 400 },
      outputFolder: 'Out',
      filenameTemplate: '{name}_{variant}',
      metadata: 'strip-gps',
    };
    const progress: (string | null)[] = [];
    engine.events.listen((event, payload) => {
      if (event === 'export.progress') progress.push((payload as { current: string | null }).current);
    });
    const started = await call(engine, 'exports.start', { shootId, preset, targetRoot: target });
    expect(await finished(engine, started.id)).toMatchObject({ state: 'done', done: 2 });
    expect(filesUnder(target)).toEqual(['Out/grace_hopper_v1.jpg', 'Out/grace_hopper_v2.jpg']);
    // The progress line names the photo and the variant as the UI does, never an id.
    expect(new Set(progress.filter((current) => current !== null))).toEqual(
      new Set(['grace_hopper.jpg · Variant 1', 'grace_hopper.jpg · Variant 2']),
    );
  });

  it('a canceled export resumes and writes only what it had not written', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const assets = await ingested(engine, TEN_PHOTOS.slice(0, 6).map(corpusPath), 'Mill');
    const shootId = assets[0]?.shootId ?? '';
    const target = tempDir();
    const preset = {
      name: 'Small originals',
      what: 'originals',
      format: 'jpeg',
      quality: 80,
      size: { mode: 'long-edge', value: 800 },
      outputFolder: '{shoot}',
      filenameTemplate: '{seq}-{name}',
      metadata: 'strip-gps',
    };
    const started = await call(engine, 'exports.start', { shootId, preset, targetRoot: target });
    await until(
      () => Promise.resolve(filesUnder(target)),
      (files) => files.length >= 1,
    );
    const canceled = await call(engine, 'exports.cancel', { id: started.id });
    expect(canceled.state).toBe('canceled');
    // Cancel answered once its pass had stopped: no write is left in flight, no temp file behind.
    expect(filesUnder(target).filter((name) => path.basename(name).startsWith('.shootline-'))).toEqual([]);
    await until(
      async () => (await call(engine, 'exports.list', {})).find((run) => run.id === started.id),
      (run) => run !== undefined,
    );
    const before = new Map(filesUnder(target).map((name) => [name, fs.statSync(path.join(target, name)).mtimeMs]));
    await call(engine, 'exports.resume', { id: started.id });
    expect(await finished(engine, started.id)).toMatchObject({ state: 'done', done: 6, failed: 0 });
    const after = filesUnder(target);
    expect(after).toHaveLength(6);
    expect(after.every((name) => /^Mill\/\d-/.test(name))).toBe(true);
    for (const [name, mtime] of before) expect(fs.statSync(path.join(target, name)).mtimeMs).toBe(mtime);
  }, 120_000);

  it('SIGKILL during an export of 100 files leaves no partial file under a final name; the run resumes without rewriting', async () => {
    const sources = tempDir();
    const photos: string[] = [];
    for (let index = 0; index < 100; index += 1) {
      const file = path.join(sources, `frame-${String(index).padStart(3, '0')}.jpg`);
      // Distinct noise: every photo a different content, and heavy enough that an export takes a moment.
      await sharp({
        create: {
          width: 1200,
          height: 800,
          channels: 3,
          background: { r: index, g: 255 - index, b: 90 },
          noise: { type: 'gaussian', mean: 128, sigma: 40 },
        },
      })
        .jpeg({ quality: 90 })
        .toFile(file);
      photos.push(file);
    }
    const dataDir = tempDir();
    const first = startTestEngine({ dataDir, stabilityMs: 200 });
    const assets = await ingested(first.engine, photos, 'Frames');
    const shootId = assets[0]?.shootId ?? '';
    // Originals at full size, as a saved preset: the child starts the run by its id.
    const saved = await call(first.engine, 'exports.savePreset', {
      preset: {
        name: 'Originals, full size',
        what: 'originals',
        format: 'jpeg',
        quality: 92,
        size: { mode: 'original' },
        metadata: 'keep-all',
        outputFolder: '{shoot}',
        filenameTemplate: '{name}',
      },
    });
    const presetId = saved.id;
    await first.engine.stop();

    const target = tempDir();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(root, 'test', 'support', 'export-crash-child.ts'),
        dataDir,
        shootId,
        presetId ?? '',
        target,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    await until(
      () => Promise.resolve(filesUnder(target).filter((name) => name.endsWith('.jpg')).length),
      (count) => count >= 30,
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${stderr}`);
    });
    child.kill('SIGKILL');
    await exited;

    // Every file under a final name is whole: it decodes to the end.
    const finals = filesUnder(target).filter((name) => name.endsWith('.jpg'));
    expect(finals.length).toBeGreaterThanOrEqual(30);
    expect(finals.length).toBeLessThan(100);
    for (const name of finals) {
      const stats = await sharp(path.join(target, name)).stats();
      expect(stats.channels.length, name).toBeGreaterThanOrEqual(3);
    }
    const before = new Map(finals.map((name) => [name, fs.statSync(path.join(target, name))]));

    // A temp file a kill left between writing and renaming (made here, so the check does not depend on the kill's moment).
    const folder = path.dirname(path.join(target, finals[0] ?? ''));
    fs.writeFileSync(path.join(folder, '.shootline-0123456789abcdef.tmp'), 'half a picture');
    // The engine starts again and carries on by itself.
    const second = startTestEngine({ dataDir, stabilityMs: 200 });
    const run = (await call(second.engine, 'exports.list', {}))[0];
    const done = await finished(second.engine, run?.id ?? '');
    expect(done).toMatchObject({ state: 'done', total: 100, done: 100, failed: 0 });
    const after = filesUnder(target).filter((name) => name.endsWith('.jpg'));
    expect(after).toHaveLength(100);
    expect(after.some((name) => /-2\.jpg$/.test(name))).toBe(false); // nothing written twice under a new name
    for (const [name, stat] of before) {
      const now = fs.statSync(path.join(target, name));
      expect({ name, ino: now.ino, mtime: now.mtimeMs }).toEqual({ name, ino: stat.ino, mtime: stat.mtimeMs });
    }
    expect(filesUnder(target).filter((name) => !name.endsWith('.jpg'))).toEqual([]); // no temp files left behind
  }, 180_000);
});
