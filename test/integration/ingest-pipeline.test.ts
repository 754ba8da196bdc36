import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/api';
import type { Engine } from '../../main/engine/engine';
import { silentLogger } from '../../main/engine/log';
import { startServer } from '../../main/headless/server';
import { testProviderModule } from '../support/test-provider/module';
import { corpusPath } from '../support/corpus';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Nothing listens on the discard port; the queue stays paused: jobs only need a provider to belong to.
const provider = testProviderModule({ id: 'tp', baseUrl: 'http://127.0.0.1:9', idempotentSubmit: true });

async function startPaused(dataDir = tempDir()): Promise<Engine> {
  return (await startPausedWithActivity(dataDir)).engine;
}

/** The engine and what its hooks saw (files ingest hashed): a test waits for an event, not for time. */
async function startPausedWithActivity(dataDir: string) {
  const started = startTestEngine({ dataDir, stabilityMs: 400, providers: [provider] });
  await call(started.engine, 'queue.pause', { scope: 'global' });
  return started;
}

function hotFolderRoot(name: string): string {
  const root = path.join(fs.realpathSync(tempDir()), name);
  fs.mkdirSync(root);
  return root;
}

describe('ingest to the queue', () => {
  it('runs the default recipe once per photo content: never on an incomplete copy, not again on a duplicate or a restart', async () => {
    const dataDir = tempDir();
    let { engine, activity } = await startPausedWithActivity(dataDir);
    const recipe = await call(engine, 'recipes.create', {
      name: 'Gen',
      provider: 'tp',
      operation: 'generate',
      params: {},
    });
    const root = hotFolderRoot('Listing');
    fs.mkdirSync(path.join(root, 'Maple St'));
    await call(engine, 'hotFolders.add', {
      path: root,
      defaultRecipeId: recipe.id,
      spendingCap: 100,
      autoApprove: true,
    });
    const jobs = async () => (await call(engine, 'jobs.list', {})).jobs;

    // A copy that stalls longer than the stability window, then goes on.
    const photo = fs.readFileSync(corpusPath('photos/storm_canon-400d.jpg'));
    const target = path.join(root, 'Maple St', 'IMG_0001.jpg');
    fs.writeFileSync(target, photo.subarray(0, photo.length / 2));
    const [stalled] = await until(
      () => assetsOf(engine),
      ([asset]) => asset?.state === 'error',
    );
    expect(stalled?.error?.kind).toBe('truncated');
    expect(await jobs()).toHaveLength(0);
    fs.appendFileSync(target, photo.subarray(photo.length / 2));
    const [complete] = await until(
      () => assetsOf(engine),
      ([asset]) => asset?.state === 'ok',
    );
    expect(complete).toMatchObject({ error: null, version: 2, width: 1920, height: 1280 });
    await until(jobs, (list) => list.length === 1);

    // Another photo, then the same bytes again under another name: one more job, not two.
    fs.copyFileSync(corpusPath('photos/dune_canon-rebel.jpg'), path.join(root, 'Maple St', 'IMG_0002.jpg'));
    await until(jobs, (list) => list.length === 2);
    fs.copyFileSync(corpusPath('photos/dune_canon-rebel.jpg'), path.join(root, 'Maple St', 'IMG_0002 copy.jpg'));
    // Wait until ingest has taken the copy (hashed it), then until everything it took is done.
    await until(
      () => Promise.resolve(activity.hashed),
      (hashed) => hashed.includes('IMG_0002 copy.jpg'),
    );
    await engine.ingestIdle();
    const assets = await assetsOf(engine);
    expect(assets.map((asset) => asset.relativePath)).toEqual([
      'Maple St/IMG_0001.jpg',
      'Maple St/IMG_0002 copy.jpg',
      'Maple St/IMG_0002.jpg',
    ]);
    // The copy is a photo of its own that says whose copy it is; its content's run was the first's.
    const [first, copy, second] = assets;
    expect(copy?.sameAs).toMatchObject({
      assetId: second?.id,
      shootName: 'Maple St',
      relativePath: 'Maple St/IMG_0002.jpg',
    });
    const queued = await jobs();
    expect(queued.map((job) => job.state)).toEqual(['queued', 'queued']);
    expect(queued.map((job) => job.inputs.source?.assetId).sort()).toEqual([first?.id, second?.id].sort());

    // Sorted into another shoot folder: a new asset there, but the same content had its run.
    fs.mkdirSync(path.join(root, 'Oak Ave'));
    fs.renameSync(path.join(root, 'Maple St', 'IMG_0002.jpg'), path.join(root, 'Oak Ave', 'IMG_0002.jpg'));
    await until(
      () => assetsOf(engine),
      (list) => list.some((asset) => asset.relativePath === 'Oak Ave/IMG_0002.jpg' && asset.state === 'ok'),
    );
    // Decoded, and its default-recipe step (which runs right after decoding) is over.
    await engine.ingestIdle();
    expect(await jobs()).toHaveLength(2);

    // A restart scans the folder again: nothing new is enqueued.
    await engine.stop();
    ({ engine, activity } = await startPausedWithActivity(dataDir));
    // ingestIdle waits for the watcher's first look at every file already there, then for all it took.
    await engine.ingestIdle();
    expect(await jobs()).toHaveLength(2);
    // Recorded, unchanged photos cost a stat, never a hash (the copy is a recorded photo too).
    expect(activity.hashed).toEqual([]);
  });

  it('with the default 2 s window: a photo copied in 20 chunks over 10 s is one complete asset; a copy stalled 5 s midway too, with no job on the partial file', async () => {
    const { engine } = startTestEngine({ providers: [provider] }); // the default stability window
    await call(engine, 'queue.pause', { scope: 'global' });
    const recipe = await call(engine, 'recipes.create', {
      name: 'Gen',
      provider: 'tp',
      operation: 'generate',
      params: {},
    });
    const root = hotFolderRoot('Tethered');
    await call(engine, 'hotFolders.add', {
      path: root,
      defaultRecipeId: recipe.id,
      spendingCap: 100,
      autoApprove: true,
    });
    const slowPhoto = fs.readFileSync(corpusPath('photos/storm_canon-400d.jpg'));
    const stallPhoto = fs.readFileSync(corpusPath('photos/fog_hp-photosmart735.jpg'));
    const jobsSeenDuringStall: number[] = [];
    const chunked = (async () => {
      const chunk = Math.ceil(slowPhoto.length / 20);
      for (let index = 0; index < 20; index += 1) {
        fs.appendFileSync(path.join(root, 'slow.jpg'), slowPhoto.subarray(index * chunk, (index + 1) * chunk));
        await sleep(500);
      }
    })();
    const stalled = (async () => {
      fs.writeFileSync(path.join(root, 'stalled.jpg'), stallPhoto.subarray(0, stallPhoto.length / 2));
      for (let waited = 0; waited < 5_000; waited += 500) {
        await sleep(500);
        jobsSeenDuringStall.push((await call(engine, 'jobs.list', {})).jobs.length);
      }
      fs.appendFileSync(path.join(root, 'stalled.jpg'), stallPhoto.subarray(stallPhoto.length / 2));
    })();
    await Promise.all([chunked, stalled]);
    const assets = await until(
      () => assetsOf(engine),
      (list) => list.length === 2 && list.every((asset) => asset.state === 'ok'),
    );
    const [slow, stall] = assets.map((asset) => ({
      path: asset.relativePath,
      version: asset.version,
      size: asset.sizeBytes,
    }));
    expect(slow).toEqual({ path: 'slow.jpg', version: 1, size: slowPhoto.length });
    // The partial copy was taken once the window passed (and failed as truncated), then taken again whole.
    expect(stall).toEqual({ path: 'stalled.jpg', version: 2, size: stallPhoto.length });
    expect(jobsSeenDuringStall.at(-1)).toBeLessThanOrEqual(1); // at most the slow photo's job, never the partial's
    const jobs = await until(
      async () => (await call(engine, 'jobs.list', {})).jobs,
      (list) => list.length === 2,
    );
    expect(jobs.map((job) => job.inputs.source?.assetId).sort()).toEqual(assets.map((asset) => asset.id).sort());
  }, 60_000);

  it('links XMP sidecars that arrive before or after their photo, without ingesting them', async () => {
    const engine = await startPaused();
    const root = hotFolderRoot('Edits');
    fs.writeFileSync(path.join(root, 'IMG_1.xmp'), '<x:xmpmeta/>');
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    fs.copyFileSync(corpusPath('photos/grace_hopper.jpg'), path.join(root, 'IMG_1.jpg'));
    fs.copyFileSync(corpusPath('photos/cat_grayscale.jpg'), path.join(root, 'IMG_2.jpg'));
    await until(
      () => assetsOf(engine),
      (list) => list.length === 2 && list.every((asset) => asset.state === 'ok'),
    );
    fs.writeFileSync(path.join(root, 'IMG_2.jpg.xmp'), '<x:xmpmeta/>');
    const assets = await until(
      () => assetsOf(engine),
      (list) => list[1]?.sidecarPath !== null,
    );
    expect(assets.map((asset) => [asset.relativePath, asset.sidecarPath])).toEqual([
      ['IMG_1.jpg', 'IMG_1.xmp'],
      ['IMG_2.jpg', 'IMG_2.jpg.xmp'],
    ]);
  });

  it('reports progress as N of M with the rate, and serves media by id over token-checked HTTP', async () => {
    const engine = await startPaused();
    const progress: EventPayload<'ingest.progress'>[] = [];
    engine.events.listen((event, payload) => {
      if (event === 'ingest.progress') progress.push(payload as EventPayload<'ingest.progress'>);
    });
    const root = hotFolderRoot('Studio');
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    const names = ['photos/storm_canon-400d.jpg', 'photos/dune_canon-rebel.jpg', 'photos/fog_hp-photosmart735.jpg'];
    for (const name of names) fs.copyFileSync(corpusPath(name), path.join(root, path.basename(name)));
    const assets = await until(
      () => assetsOf(engine),
      (list) => list.length === 3 && list.every((a) => a.state === 'ok'),
    );
    const last = progress.at(-1);
    expect(last).toMatchObject({ done: last?.total, current: null });
    expect(last?.total).toBeGreaterThanOrEqual(1);
    expect(progress.reduce((sum, each) => Math.max(sum, each.total), 0)).toBeLessThanOrEqual(3);
    expect(progress.some((each) => each.perSecond !== null && each.perSecond > 0)).toBe(true);

    const token = 'media-token-123456';
    const server = await startServer({ engine, log: silentLogger, token, staticDir: tempDir(), port: 0 });
    try {
      const base = `http://127.0.0.1:${server.port}/media`;
      const storm = assets.find((asset) => asset.relativePath === 'storm_canon-400d.jpg');
      const thumbnail = await fetch(`${base}/thumbnail/${storm?.id}?token=${token}`);
      expect([thumbnail.status, thumbnail.headers.get('content-type')]).toEqual([200, 'image/webp']);
      const size = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
      expect([size.width, size.height]).toEqual([320, 213]);
      const preview = await fetch(`${base}/preview/${storm?.id}?token=${token}`);
      expect((await sharp(Buffer.from(await preview.arrayBuffer())).metadata()).width).toBe(1920);
      const original = await fetch(`${base}/original/${storm?.id}?token=${token}`);
      expect(Buffer.from(await original.arrayBuffer()).equals(fs.readFileSync(corpusPath(names[0] ?? '')))).toBe(true);
      const again = await fetch(`${base}/thumbnail/${storm?.id}?token=${token}`, {
        headers: { 'If-None-Match': thumbnail.headers.get('etag') ?? '' },
      });
      expect(again.status).toBe(304);
      expect((await fetch(`${base}/thumbnail/${storm?.id}`)).status).toBe(401);
      expect((await fetch(`${base}/thumbnail/${storm?.id}?token=wrong-token-000000`)).status).toBe(401);
      expect((await fetch(`${base}/thumbnail/no-such-asset?token=${token}`)).status).toBe(404);
      expect((await fetch(`${base}/thumbnail/..%2F..%2Fshootline.db?token=${token}`)).status).toBe(400);
      // A request line no URL parser accepts is refused, and the server lives on.
      const answer = await new Promise<string>((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1', () =>
          socket.write('GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n'),
        );
        socket.once('data', (data) => {
          resolve(data.toString('latin1').split('\r\n')[0] ?? '');
          socket.destroy();
        });
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400/);
      expect((await fetch(`${base}/thumbnail/${storm?.id}?token=${token}`)).status).toBe(200);

      // Evicted from the cache (or deleted by hand): made again on demand from the original.
      fs.rmSync(path.join(engine.dataDir, 'cache'), { recursive: true });
      const remade = await fetch(`${base}/thumbnail/${storm?.id}?token=${token}`);
      expect(remade.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
