import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath } from '../support/corpus';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

describe('a photo removed while the engine was stopped', () => {
  it('is marked missing by the first scan at start, not by the rescan five minutes later', async () => {
    const hot = path.join(fs.realpathSync(tempDir()), 'Incoming');
    fs.mkdirSync(path.join(hot, 'Quay'), { recursive: true });
    const first = startTestEngine({ stabilityMs: 200 });
    await call(first.engine, 'hotFolders.add', { path: hot, defaultRecipeId: null });
    for (const photo of ['photos/cat_grayscale.jpg', 'photos/grace_hopper.jpg'])
      fs.copyFileSync(corpusPath(photo), path.join(hot, 'Quay', path.basename(photo)));
    await until(
      () => assetsOf(first.engine),
      (assets) => assets.length === 2 && assets.every((asset) => asset.state === 'ok'),
    );
    expect((await call(first.engine, 'hotFolders.list', {}))[0]?.reconcileMinutes).toBeGreaterThanOrEqual(5);
    await first.engine.stop();

    fs.rmSync(path.join(hot, 'Quay', 'cat_grayscale.jpg'));
    const second = startTestEngine({ dataDir: first.dataDir, stabilityMs: 200 });
    // The rescan is minutes away: only the start-up scan can mark it.
    const assets = await until(
      () => assetsOf(second.engine),
      (list) => list.some((asset) => asset.state === 'missing'),
      30_000,
    );
    expect(assets.find((asset) => asset.relativePath === 'Quay/cat_grayscale.jpg')?.state).toBe('missing');
    expect(assets.find((asset) => asset.relativePath === 'Quay/grace_hopper.jpg')?.state).toBe('ok');
  });

  it('is not marked when the whole folder is empty (an unmounted drive), until files are seen there again', async () => {
    const hot = path.join(fs.realpathSync(tempDir()), 'Incoming');
    fs.mkdirSync(path.join(hot, 'Quay'), { recursive: true });
    const first = startTestEngine({ stabilityMs: 200 });
    await call(first.engine, 'hotFolders.add', { path: hot, defaultRecipeId: null });
    fs.copyFileSync(corpusPath('photos/cat_grayscale.jpg'), path.join(hot, 'Quay', 'cat_grayscale.jpg'));
    await until(
      () => assetsOf(first.engine),
      (assets) => assets.length === 1 && assets.every((asset) => asset.state === 'ok'),
    );
    await first.engine.stop();

    fs.rmSync(path.join(hot, 'Quay'), { recursive: true });
    const second = startTestEngine({ dataDir: first.dataDir, stabilityMs: 200 });
    await second.engine.ingestIdle();
    // The first scan has ended (idle): the photo is still recorded as present.
    expect((await assetsOf(second.engine))[0]?.state).toBe('ok');
  });
});
