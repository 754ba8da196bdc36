import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, refusal, startTestEngine } from '../support/engine';
import { tempDir } from '../support/temp';

describe('hot folders', () => {
  it('are added with defaults, listed, changed and removed', async () => {
    const { engine } = startTestEngine();
    const root = fs.realpathSync(tempDir());
    const incoming = path.join(root, 'Incoming – Smith');
    fs.mkdirSync(incoming);
    const folder = await call(engine, 'hotFolders.add', { path: incoming });
    expect(folder).toMatchObject({
      path: incoming,
      name: 'Incoming – Smith',
      defaultRecipeId: 'local-auto-enhance', // a new folder runs "Local · Auto enhance"…
      spendingCap: null,
      autoApprove: false,
      recursive: true,
      polling: false,
      reconcileMinutes: 5,
    });
    expect(await call(engine, 'hotFolders.list', {})).toEqual([folder]);
    // …unless "ingest only" is chosen.
    const ingestOnly = path.join(root, 'Ingest only');
    fs.mkdirSync(ingestOnly);
    const bare = await call(engine, 'hotFolders.add', { path: ingestOnly, defaultRecipeId: null });
    expect(bare.defaultRecipeId).toBeNull();
    await call(engine, 'hotFolders.remove', { id: bare.id });
    const updated = await call(engine, 'hotFolders.update', { id: folder.id, polling: true, spendingCap: 25 });
    expect(updated).toMatchObject({ polling: true, spendingCap: 25, recursive: true });
    expect((await refusal(engine, 'hotFolders.update', { id: folder.id, defaultRecipeId: 'missing' })).message).toBe(
      'No recipe missing.',
    );
    expect(await call(engine, 'hotFolders.remove', { id: folder.id })).toEqual({ id: folder.id });
    expect(await call(engine, 'hotFolders.list', {})).toEqual([]);
    expect((await refusal(engine, 'hotFolders.remove', { id: folder.id })).code).toBe('not_found');
  });

  it('refuses folders that cannot work, saying why', async () => {
    const { engine, dataDir } = startTestEngine();
    const root = fs.realpathSync(tempDir());
    const shoots = path.join(root, 'shoots');
    fs.mkdirSync(path.join(shoots, 'smith'), { recursive: true });
    fs.writeFileSync(path.join(root, 'photo.jpg'), 'x');
    await call(engine, 'hotFolders.add', { path: shoots });

    const cases: [string, string, RegExp][] = [
      ['a relative path', 'shoots', /full path/],
      ['a missing folder', path.join(root, 'nope'), /does not exist/],
      ['a file', path.join(root, 'photo.jpg'), /is a file, not a folder/],
      ['the library itself', dataDir, /Shootline's own library/],
      ['a folder inside the library', path.join(dataDir, 'media'), /Shootline's own library/],
      ['a folder holding the library', path.dirname(dataDir), /Shootline's own library/],
      ['a folder inside a hot folder', path.join(shoots, 'smith'), /overlaps the hot folder/],
      ['a folder holding a hot folder', root, /overlaps the hot folder/],
    ];
    for (const [label, given, message] of cases) {
      const error = await refusal(engine, 'hotFolders.add', { path: given });
      expect(error.code, label).toBe('invalid_input');
      expect(error.message, label).toMatch(message);
    }
    expect((await refusal(engine, 'hotFolders.add', { path: shoots })).code).toBe('conflict');
    // A symlink to a hot folder is the same folder.
    fs.symlinkSync(shoots, path.join(root, 'link-to-shoots'));
    expect((await refusal(engine, 'hotFolders.add', { path: path.join(root, 'link-to-shoots') })).code).toBe(
      'conflict',
    );
  });
});

describe('a hot folder added through the API', () => {
  it('is watched at once: a photo dropped in becomes an asset of a shoot named after its subfolder', async () => {
    const { engine } = startTestEngine();
    const root = fs.realpathSync(tempDir());
    const folder = await call(engine, 'hotFolders.add', { path: root });
    const added = new Promise<{ relativePath: string; shootId: string }>((resolve) => {
      const stop = engine.events.listen((event, payload) => {
        if (event !== 'asset.added') return;
        stop();
        resolve(payload as { relativePath: string; shootId: string });
      });
    });
    fs.mkdirSync(path.join(root, 'Lakeside villa'));
    fs.writeFileSync(path.join(root, 'Lakeside villa', 'DSC_0001.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    const asset = await added;
    expect(asset.relativePath).toBe('Lakeside villa/DSC_0001.jpg');
    const shoots = await call(engine, 'shoots.list', {});
    expect(shoots.find((shoot) => shoot.id === asset.shootId)?.name).toBe('Lakeside villa');
    const page = await call(engine, 'assets.list', { shootId: asset.shootId });
    expect(page.assets.map((a) => [a.relativePath, a.format, a.state])).toEqual([
      ['Lakeside villa/DSC_0001.jpg', 'jpeg', 'pending'],
    ]);
    expect(page.nextCursor).toBeNull();
    await call(engine, 'hotFolders.remove', { id: folder.id });
  });
});

describe('assets.list', () => {
  it('pages through a shoot by name and by arrival, and refuses a foreign cursor', async () => {
    const { engine, dataDir } = startTestEngine();
    const shoot = await call(engine, 'shoots.create', { name: 'Paging' });
    const { insertAsset } = await import('../../main/engine/db/assets-repo');
    const { openDatabase } = await import('../../main/engine/db/connection');
    const db = openDatabase(path.join(dataDir, 'shootline.db'));
    for (const [name, at] of [
      ['c.jpg', 1],
      ['a.jpg', 2],
      ['b.jpg', 3],
    ] as const) {
      insertAsset(
        db,
        { id: name, shootId: shoot.id, relativePath: name, contentHash: name, sizeBytes: 1, width: null, height: null },
        at,
      );
    }
    db.close();
    const byName: string[] = [];
    let cursor: string | undefined;
    do {
      const page: { assets: { relativePath: string }[]; nextCursor: string | null } = await call(
        engine,
        'assets.list',
        {
          shootId: shoot.id,
          limit: 2,
          ...(cursor ? { cursor } : {}),
        },
      );
      byName.push(...page.assets.map((a) => a.relativePath));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(byName).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    const first = await call(engine, 'assets.list', { shootId: shoot.id, sort: 'added', limit: 2 });
    const rest = await call(engine, 'assets.list', {
      shootId: shoot.id,
      sort: 'added',
      limit: 2,
      cursor: first.nextCursor ?? '',
    });
    expect([...first.assets, ...rest.assets].map((a) => a.relativePath)).toEqual(['c.jpg', 'a.jpg', 'b.jpg']);
    expect(
      (
        await refusal(engine, 'assets.list', {
          shootId: shoot.id,
          sort: 'added',
          // A cursor from the by-name listing (a text key) does not fit the by-arrival one (a time).
          cursor: Buffer.from('["a.jpg",1]').toString('base64url'),
        })
      ).code,
    ).toBe('invalid_input');
    expect(await call(engine, 'assets.get', { id: 'a.jpg' })).toMatchObject({ relativePath: 'a.jpg', state: 'ok' });
    expect((await refusal(engine, 'assets.get', { id: 'nope' })).code).toBe('not_found');
  });
});
