import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMediaHandler } from '../../main/app/media-protocol';
import { systemFolderHolding } from '../../main/engine/folder-rules';
import { silentLogger } from '../../main/engine/log';
import { startServer } from '../../main/headless/server';
import { corpusPath } from '../support/corpus';
import { assetsOf, call, refusal, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

/** Only what the user meant: pictures served as pictures, and no system folder or library used. */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('originals', () => {
  it('are served only for files ingest recognised as images, typed as images', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const root = path.join(fs.realpathSync(tempDir()), 'Home');
    fs.mkdirSync(path.join(root, '.ssh'), { recursive: true });
    fs.copyFileSync(corpusPath('photos/grace_hopper.jpg'), path.join(root, 'hopper.jpg'));
    // What a careless hot folder (a home folder) holds beside its photos.
    fs.writeFileSync(path.join(root, 'id_rsa'), '-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n');
    fs.writeFileSync(path.join(root, 'notes.jpg'), 'not a picture at all, just text with a photo name');
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    const assets = await until(
      () => assetsOf(engine),
      (list) => list.length === 3 && list.every((asset) => asset.state !== 'pending'),
    );
    const photo = assets.find((asset) => asset.relativePath === 'hopper.jpg');
    const others = assets.filter((asset) => asset !== photo);
    expect(others.map((asset) => asset.error?.kind)).toEqual(['not_an_image', 'not_an_image']);

    const token = 'media-token-0123456789abcdefghijklmnop';
    const staticDir = path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
    const server = await startServer({ engine, log: silentLogger, token, staticDir, port: 0 });
    cleanups.push(() => server.close());
    const media = (kind: string, id: string): Promise<Response> =>
      fetch(`http://127.0.0.1:${server.port}/media/${kind}/${id}?token=${token}`);
    const served = await media('original', photo?.id ?? '');
    expect([served.status, served.headers.get('content-type'), served.headers.get('x-content-type-options')]).toEqual([
      200,
      'image/jpeg',
      'nosniff',
    ]);
    // A range, as a <video> seeks: 206 with those bytes; past the end, 416.
    const bytes = fs.readFileSync(corpusPath('photos/grace_hopper.jpg'));
    const url = `http://127.0.0.1:${server.port}/media/original/${photo?.id ?? ''}?token=${token}`;
    const part = await fetch(url, { headers: { Range: 'bytes=10-19' } });
    expect([part.status, part.headers.get('content-range'), part.headers.get('accept-ranges')]).toEqual([
      206,
      `bytes 10-19/${bytes.length}`,
      'bytes',
    ]);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
    expect((await fetch(url, { headers: { Range: `bytes=${bytes.length + 5}-` } })).status).toBe(416);
    const desktop = createMediaHandler(engine);
    for (const other of others) {
      expect((await media('original', other.id)).status, other.relativePath).toBe(404);
      expect((await desktop(new Request(`shootline-media://original/${other.id}`))).status).toBe(404);
    }
    const desktopPhoto = await desktop(new Request(`shootline-media://original/${photo?.id ?? ''}`));
    expect(desktopPhoto.headers.get('x-content-type-options')).toBe('nosniff');
    expect(
      Buffer.from(await desktopPhoto.arrayBuffer()).equals(fs.readFileSync(corpusPath('photos/grace_hopper.jpg'))),
    ).toBe(true);
  });
});

describe('folders the user points at', () => {
  it('refuses system folders as hot folders, saying why', async () => {
    const { engine } = startTestEngine();
    for (const [given, message] of [
      ['/etc', '/etc is a system folder; choose a folder of your own.'],
      ['/usr/share', '/usr/share is inside the system folder /usr; choose a folder of your own.'],
      ['/proc', '/proc is a system folder; choose a folder of your own.'],
      ['/dev', '/dev is a system folder; choose a folder of your own.'],
    ] as const) {
      expect(await refusal(engine, 'hotFolders.add', { path: given })).toEqual({ code: 'invalid_input', message });
    }
    expect(await call(engine, 'hotFolders.list', {})).toEqual([]);
  });

  it('refuses exports into the library or a system folder, and allows a folder that merely holds the library', async () => {
    const parent = fs.realpathSync(tempDir());
    const dataDir = path.join(parent, 'Library');
    const { engine } = startTestEngine({ dataDir, stabilityMs: 200 });
    const root = path.join(parent, 'Shoots');
    fs.mkdirSync(path.join(root, 'Smith'), { recursive: true });
    fs.copyFileSync(corpusPath('photos/grace_hopper.jpg'), path.join(root, 'Smith', 'hopper.jpg'));
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    const [asset] = await until(
      () => assetsOf(engine),
      (list) => list.length === 1 && list[0]?.state === 'ok',
    );
    const presets = await call(engine, 'exports.presets', {});
    const preset = presets.find((entry) => entry.id.includes('full-resolution'))?.preset;
    const request = { shootId: asset?.shootId ?? '', preset: { ...preset, what: 'originals' } };

    for (const [targetRoot, message] of [
      [dataDir, `${dataDir} is inside Shootline's own library (${dataDir}); exports go to a folder of your own.`],
      [
        path.join(dataDir, 'media', 'out'),
        `${path.join(dataDir, 'media', 'out')} is inside Shootline's own library (${dataDir}); exports go to a folder of your own.`,
      ],
      ['/etc/shootline', '/etc/shootline is inside the system folder /etc; choose a folder of your own.'],
      ['exports', "Give the export folder's full path, e.g. /Users/you/Deliveries."],
    ] as const) {
      expect(await refusal(engine, 'exports.start', { ...request, targetRoot })).toEqual({
        code: 'invalid_input',
        message,
      });
      expect((await refusal(engine, 'exports.preview', { ...request, targetRoot })).message).toBe(message);
    }
    const folder = (await call(engine, 'hotFolders.list', {}))[0];
    expect(
      (await refusal(engine, 'hotFolders.update', { id: folder?.id ?? '', exportFolder: path.join(dataDir, 'x') }))
        .message,
    ).toMatch(/inside Shootline's own library/);
    // The parent of the library (like a home folder holding it) is a fine place for deliveries.
    const run = await call(engine, 'exports.start', { ...request, targetRoot: path.join(parent, 'Deliveries') });
    await until(
      async () => (await call(engine, 'exports.list', {})).find((entry) => entry.id === run.id),
      (entry) => entry?.state === 'done',
    );
    expect(fs.readdirSync(path.join(parent, 'Deliveries'), { recursive: true }).length).toBeGreaterThan(0);
  });

  it('knows the system folders of each platform, through symlinks and case', () => {
    expect(systemFolderHolding('/etc/ssh', 'linux')).toBe('/etc');
    expect(systemFolderHolding('/etcetera', 'linux')).toBeNull();
    expect(systemFolderHolding('/home/ana/Photos', 'linux')).toBeNull();
    expect(systemFolderHolding('/private/etc/hosts', 'darwin')).toBe('/private/etc');
    expect(systemFolderHolding('/system/library', 'darwin')).toBe('/System');
    expect(systemFolderHolding('/Users/ana/Library/Photos', 'darwin')).toBeNull();
    expect(systemFolderHolding('c:\\windows\\system32', 'win32')).toBe('C:\\Windows');
    expect(systemFolderHolding('D:\\Shoots', 'win32')).toBeNull();
  });
});
