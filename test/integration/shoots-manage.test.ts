import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRecipeFor } from '../../main/engine/db/auto-runs-repo';
import { openDatabase } from '../../main/engine/db/connection';
import { pendingAssetIds } from '../../main/engine/db/ingest-repo';
import type { Engine } from '../../main/engine/engine';
import { testProviderModule } from '../support/test-provider/module';
import { corpusPath } from '../support/corpus';
import { call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

// Nothing listens on the discard port: jobs for it only need a provider with an address.
const cloud = testProviderModule({ id: 'tp', baseUrl: 'http://127.0.0.1:9', idempotentSubmit: true });

function start(dataDir = tempDir()) {
  return startTestEngine({ dataDir, stabilityMs: 300, providers: [cloud] });
}

async function watched(engine: Engine, shoots: Record<string, string[]>): Promise<{ root: string; id: string }> {
  const root = fs.realpathSync(tempDir());
  for (const [folder, photos] of Object.entries(shoots)) {
    fs.mkdirSync(path.join(root, folder));
    for (const photo of photos) fs.copyFileSync(corpusPath(`photos/${photo}`), path.join(root, folder, photo));
  }
  const { id } = await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
  await engine.ingestIdle();
  return { root, id };
}

const shootNamed = async (engine: Engine, name: string) =>
  (await call(engine, 'shoots.list', {})).find((shoot) => shoot.name === name);

describe('managing shoots', () => {
  it('renames under one naming rule (a taken name is told), and a renamed shoot keeps its photos and folder', async () => {
    const { engine } = start();
    const { root } = await watched(engine, { 'Maple St': ['grace_hopper.jpg', 'dune_canon-rebel.jpg'] });
    const maple = await shootNamed(engine, 'Maple St');
    expect(maple).toMatchObject({ photos: 2, problems: 0, withVariants: 0, jobsPending: 0, folder: 'Maple St' });
    await call(engine, 'shoots.create', { name: 'Oak Ave' });

    // Typed names: trimmed, one limit, no separators, no name already in use (without regard to case).
    await expect(call(engine, 'shoots.rename', { id: maple!.id, name: 'oak ave' })).rejects.toThrow(
      'conflict: A shoot named “oak ave” already exists. Choose another name.',
    );
    await expect(call(engine, 'shoots.rename', { id: maple!.id, name: 'a/b' })).rejects.toThrow('cannot contain /');
    await expect(call(engine, 'shoots.rename', { id: maple!.id, name: 'x'.repeat(256) })).rejects.toThrow(
      'at most 255 characters',
    );
    const renamed = await call(engine, 'shoots.rename', { id: maple!.id, name: '  12 Maple Street  ' });
    expect(renamed.name).toBe('12 Maple Street');

    // The folder on disk keeps its name; new photos in it still join the renamed shoot.
    fs.copyFileSync(corpusPath('photos/storm_canon-400d.jpg'), path.join(root, 'Maple St', 'storm.jpg'));
    await until(
      async () => (await shootNamed(engine, '12 Maple Street'))?.photos,
      (photos) => photos === 3,
    );
    expect((await call(engine, 'assets.list', { shootId: maple!.id })).assets).toHaveLength(3);

    // A folder whose name another shoot has: its shoot is told apart, not merged by name.
    fs.mkdirSync(path.join(root, 'Oak Ave'));
    fs.copyFileSync(corpusPath('photos/grace_hopper.jpg'), path.join(root, 'Oak Ave', 'a.jpg'));
    await until(
      () => shootNamed(engine, 'Oak Ave (2)'),
      (shoot) => shoot?.photos === 1,
    );
    // A folder name with a control character and spaces around it follows the same rule.
    const odd = '  Pier\u0007 7 ';
    fs.mkdirSync(path.join(root, odd));
    fs.copyFileSync(corpusPath('photos/grace_hopper.jpg'), path.join(root, odd, 'a.jpg'));
    const pier = await until(
      async () => (await call(engine, 'shoots.list', {})).find((shoot) => shoot.folder === odd),
      (shoot) => shoot !== undefined,
    );
    expect(pier?.name).toBe('Pier 7');
    await engine.stop();
  });

  it('deletes after saying what it will do: photos on disk stay, variants go, a job the provider has is named, and the folder stays ignored across a restart until restored', async () => {
    const dataDir = tempDir();
    let { engine } = start(dataDir);
    await call(engine, 'queue.pause', { scope: 'provider', id: 'tp' });
    const { root, id: hotFolderId } = await watched(engine, {
      'Maple St': ['grace_hopper.jpg', 'dune_canon-rebel.jpg'],
      Keep: ['storm_canon-400d.jpg'],
    });
    const maple = (await shootNamed(engine, 'Maple St'))!;
    const photos = (await call(engine, 'assets.list', { shootId: maple.id })).assets;
    // One local variant, and a cloud job the provider already has (as after a submit).
    const local = await call(engine, 'recipes.create', {
      name: 'Auto',
      provider: 'local',
      operation: 'enhance',
      params: { preset: 'auto', output: 'jpeg' },
    });
    await call(engine, 'recipes.run', { recipeId: local.id, assetIds: [photos[0]!.id] });
    const variants = await until(
      () => call(engine, 'variants.list', { shootId: maple.id }),
      (list) => list.length === 1,
    );
    const variantFile = fs
      .readdirSync(path.join(engine.mediaRoot, 'variant'))
      .filter((name) => name.startsWith(variants[0]!.mediaId));
    expect(variantFile).toHaveLength(1);
    const paid = await call(engine, 'recipes.create', {
      name: 'Gen',
      provider: 'tp',
      operation: 'generate',
      params: {},
    });
    const sent = (await call(engine, 'recipes.run', { recipeId: paid.id, assetIds: [photos[1]!.id] })).jobIds[0]!;
    const db = openDatabase(path.join(dataDir, 'shootline.db'));
    db.prepare("UPDATE jobs SET state = 'remote', remote_id = 'r-1' WHERE id = ?").run(sent);
    db.close();
    expect((await shootNamed(engine, 'Maple St'))?.withVariants).toBe(1);

    const plan = await call(engine, 'shoots.deletePlan', { id: maple.id });
    expect(plan).toMatchObject({
      name: 'Maple St',
      photos: 2,
      variants: 1,
      openJobs: 1,
      hotFolder: { id: hotFolderId, folder: 'Maple St' },
    });
    expect(plan.notRecallable).toEqual([
      {
        jobId: sent,
        fileName: photos[1]!.relativePath.split('/').pop(),
        provider: cloud.name,
        operation: 'generate',
      },
    ]);

    await call(engine, 'shoots.delete', { id: maple.id });
    expect(await shootNamed(engine, 'Maple St')).toBeUndefined();
    await expect(call(engine, 'shoots.get', { id: maple.id })).rejects.toThrow('not_found');
    expect(fs.readdirSync(path.join(root, 'Maple St')).sort()).toEqual(['dune_canon-rebel.jpg', 'grace_hopper.jpg']);
    await until(
      () => Promise.resolve(fs.existsSync(path.join(engine.mediaRoot, 'variant', variantFile[0]!))),
      (there) => !there,
    );
    expect((await call(engine, 'jobs.get', { id: sent })).state).toBe('canceled');
    const [status] = await call(engine, 'hotFolders.status', {});
    expect(status?.ignoredFolders).toEqual([{ folder: 'Maple St', shootName: 'Maple St' }]);
    expect(status?.photos).toBe(1); // the deleted shoot's photos no longer count

    // A photo added to the ignored folder is left alone (one added beside it, in Keep, is taken).
    fs.copyFileSync(corpusPath('photos/fog_hp-photosmart735.jpg'), path.join(root, 'Maple St', 'new.jpg'));
    fs.copyFileSync(corpusPath('photos/fog_hp-photosmart735.jpg'), path.join(root, 'Keep', 'new.jpg'));
    await until(
      async () => (await shootNamed(engine, 'Keep'))?.photos,
      (count) => count === 2,
    );
    await engine.ingestIdle();
    // A restart rescans every folder: the deleted shoot does not come back.
    await engine.stop();
    ({ engine } = start(dataDir));
    await engine.ingestIdle();
    expect((await call(engine, 'shoots.list', {})).map((shoot) => shoot.name)).toEqual(['Keep']);

    // Restored in the hot folder's settings: its photos come back as a new shoot, all three.
    await call(engine, 'hotFolders.restoreFolder', { id: hotFolderId, folder: 'Maple St' });
    const back = await until(
      () => shootNamed(engine, 'Maple St'),
      (shoot) => shoot?.photos === 3,
    );
    expect(back?.id).not.toBe(maple.id);
    await expect(call(engine, 'hotFolders.restoreFolder', { id: hotFolderId, folder: 'Maple St' })).rejects.toThrow(
      'is not ignored',
    );
    await engine.stop();
  });

  it('merges two shoots: photos and jobs move, and photos still arriving in the merged folder join the shoot', async () => {
    const { engine } = start();
    const { root } = await watched(engine, { Day1: ['grace_hopper.jpg'], Day2: ['dune_canon-rebel.jpg'] });
    const day1 = (await shootNamed(engine, 'Day1'))!;
    const day2 = (await shootNamed(engine, 'Day2'))!;
    await expect(call(engine, 'shoots.merge', { from: day1.id, into: day1.id })).rejects.toThrow(
      'cannot be merged into itself',
    );
    const merged = await call(engine, 'shoots.merge', { from: day2.id, into: day1.id });
    expect(merged).toMatchObject({ id: day1.id, photos: 2 });
    expect((await call(engine, 'shoots.list', {})).map((shoot) => shoot.name)).toEqual(['Day1']);
    fs.copyFileSync(corpusPath('photos/storm_canon-400d.jpg'), path.join(root, 'Day2', 'late.jpg'));
    await until(
      async () => (await call(engine, 'assets.list', { shootId: day1.id })).assets.map((a) => a.relativePath).sort(),
      (paths) => paths.length === 3,
    ).then((paths) => expect(paths).toEqual(['Day1/grace_hopper.jpg', 'Day2/dune_canon-rebel.jpg', 'Day2/late.jpg']));
    await engine.stop();
  });

  it('adds photos to a shoot from the UI in pieces: named only when whole, a taken name numbered, a lost piece refused', async () => {
    const { engine } = start();
    const { root } = await watched(engine, { 'Maple St': ['grace_hopper.jpg'] });
    const maple = (await shootNamed(engine, 'Maple St'))!;
    const photo = fs.readFileSync(corpusPath('photos/storm_canon-400d.jpg'));
    const visible = () => fs.readdirSync(path.join(root, 'Maple St')).filter((entry) => !entry.startsWith('.'));
    const send = async (name: string, upload: string) => {
      const before = visible();
      let result = { received: 0, file: null as string | null };
      for (let offset = 0; offset < photo.length; offset += 100_000) {
        const piece = photo.subarray(offset, offset + 100_000);
        result = await call(engine, 'shoots.addFile', {
          id: maple.id,
          upload,
          name,
          offset,
          data: piece.toString('base64'),
          done: offset + piece.length >= photo.length,
        });
        // Until the last piece, nothing a watcher would take is in the folder.
        if (!result.file) expect(visible()).toEqual(before);
      }
      return result;
    };
    expect(await send('storm.jpg', 'upload-0001')).toEqual({ received: photo.length, file: 'storm.jpg' });
    expect(await send('storm.jpg', 'upload-0002')).toEqual({ received: photo.length, file: 'storm (2).jpg' });
    expect(fs.readFileSync(path.join(root, 'Maple St', 'storm (2).jpg')).equals(photo)).toBe(true);
    await until(
      async () =>
        (await call(engine, 'assets.list', { shootId: maple.id })).assets.filter((a) => a.state === 'ok').length,
      (ok) => ok === 3,
    );
    expect(fs.readdirSync(path.join(root, 'Maple St')).sort()).toEqual([
      'grace_hopper.jpg',
      'storm (2).jpg',
      'storm.jpg',
    ]);

    // A piece that does not start where the file ends is refused, and says so.
    const base = { id: maple.id, upload: 'upload-0003', name: 'x.jpg', done: false };
    await call(engine, 'shoots.addFile', { ...base, offset: 0, data: photo.subarray(0, 10).toString('base64') });
    await expect(
      call(engine, 'shoots.addFile', { ...base, offset: 20, data: photo.subarray(20, 30).toString('base64') }),
    ).rejects.toThrow('conflict: The upload of x.jpg lost its place (10 bytes received, this piece starts at 20)');
    // Names are names, never paths; a shoot with no folder takes no photos.
    await expect(call(engine, 'shoots.addFile', { ...base, name: '../evil.jpg', offset: 0, data: '' })).rejects.toThrow(
      'cannot contain /',
    );
    const byHand = await call(engine, 'shoots.create', { name: 'Prompts' });
    await expect(call(engine, 'shoots.addFile', { ...base, id: byHand.id, offset: 0, data: '' })).rejects.toThrow(
      '“Prompts” has no folder, so it cannot take photos',
    );
    await engine.stop();
  });

  it('a deleted shoot makes nothing more: no automatic run, no pending decode; deleting a merge target ignores the merged folders too', async () => {
    const dataDir = tempDir();
    let { engine } = start(dataDir);
    const { root, id: hotFolderId } = await watched(engine, {
      Day1: ['grace_hopper.jpg'],
      Day2: ['dune_canon-rebel.jpg'],
    });
    const day1 = (await shootNamed(engine, 'Day1'))!;
    const day2 = (await shootNamed(engine, 'Day2'))!;
    const [photo] = (await call(engine, 'assets.list', { shootId: day1.id })).assets;
    await call(engine, 'shoots.merge', { from: day2.id, into: day1.id });
    const recipe = await call(engine, 'recipes.create', {
      name: 'Gen',
      provider: 'tp',
      operation: 'generate',
      params: {},
    });
    await call(engine, 'hotFolders.update', { id: hotFolderId, defaultRecipeId: recipe.id });
    await call(engine, 'shoots.delete', { id: day1.id });

    // Both folders are ignored: the merged one's photos were the deleted shoot's.
    const [status] = await call(engine, 'hotFolders.status', {});
    expect(status?.ignoredFolders.map((entry) => entry.folder).sort()).toEqual(['Day1', 'Day2']);
    fs.copyFileSync(corpusPath('photos/storm_canon-400d.jpg'), path.join(root, 'Day2', 'late.jpg'));
    await engine.stop();

    // What the engine would make of the deleted shoot's photos: nothing.
    const db = openDatabase(path.join(dataDir, 'shootline.db'));
    expect(defaultRecipeFor(db, photo!.id)).toBeNull();
    db.prepare("UPDATE assets SET state = 'pending' WHERE id = ?").run(photo!.id);
    expect(pendingAssetIds(db)).not.toContain(photo!.id);
    db.close();
    ({ engine } = start(dataDir));
    await engine.ingestIdle();
    expect(await call(engine, 'shoots.list', {})).toEqual([]);
    expect((await call(engine, 'jobs.list', {})).jobs).toEqual([]);
    await engine.stop();
  });

  it('an upload never overwrites: two finishing under one name at once both keep their bytes; a missing drive is said, not written around', async () => {
    const { engine } = start();
    const { root, id: hotFolderId } = await watched(engine, {});
    const shoot = await call(engine, 'shoots.create', { name: 'Set', hotFolderId });
    const first = fs.readFileSync(corpusPath('photos/grace_hopper.jpg'));
    const second = fs.readFileSync(corpusPath('formats/nul-padded-make_grace-hopper.jpg'));
    const whole = (upload: string, bytes: Buffer) =>
      call(engine, 'shoots.addFile', {
        id: shoot.id,
        upload,
        name: 'IMG_0001.JPG',
        offset: 0,
        data: bytes.toString('base64'),
        done: true,
      });
    const names = (await Promise.all([whole('upload-a-1', first), whole('upload-b-1', second)])).map((r) => r.file);
    expect([...names].sort()).toEqual(['IMG_0001 (2).JPG', 'IMG_0001.JPG']);
    const onDisk = names.map((name) => fs.readFileSync(path.join(root, 'Set', name!)));
    expect(onDisk.some((bytes) => bytes.equals(first)) && onDisk.some((bytes) => bytes.equals(second))).toBe(true);

    // Names a hot folder would pass over are refused for a new shoot.
    await expect(call(engine, 'shoots.create', { name: '~old', hotFolderId })).rejects.toThrow(
      'cannot start with . or ~',
    );
    // The drive is gone (its folder with it): said, and nothing is made in its place.
    fs.renameSync(root, `${root}-unplugged`);
    await expect(whole('upload-c-1', first)).rejects.toThrow(`The hot folder ${root} is not there. Connect its drive`);
    expect(fs.existsSync(root)).toBe(false);
    await engine.stop();
  });
});
