import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMediaHandler } from '../../main/app/media-protocol';
import { corpusPath } from '../support/corpus';
import { call, startTestEngine } from '../support/engine';
import { tempDir } from '../support/temp';

describe('the shootline-media protocol handler', () => {
  it('serves an asset’s thumbnail, preview and original by id, and nothing by path', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const root = path.join(fs.realpathSync(tempDir()), 'Shoot');
    fs.mkdirSync(root);
    fs.copyFileSync(corpusPath('photos/grace_hopper.jpg'), path.join(root, 'hopper.jpg'));
    // A secret beside the library, and one in a sibling folder sharing the hot folder's prefix.
    fs.writeFileSync(path.join(engine.dataDir, 'secret.webp'), 'secret');
    fs.mkdirSync(`${root}-evil`);
    fs.writeFileSync(`${root}-evil/x.webp`, 'secret');
    await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    let id = '';
    for (let tries = 0; tries < 200 && !id; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [shoot] = await call(engine, 'shoots.list', {});
      const [asset] = shoot ? (await call(engine, 'assets.list', { shootId: shoot.id })).assets : [];
      if (asset?.state === 'ok') id = asset.id;
    }
    const handle = createMediaHandler(engine);

    const thumbnail = await handle(new Request(`shootline-media://thumbnail/${id}`));
    expect([thumbnail.status, thumbnail.headers.get('content-type')]).toEqual([200, 'image/webp']);
    const etag = thumbnail.headers.get('etag') ?? '';
    expect(
      (await handle(new Request(`shootline-media://thumbnail/${id}`, { headers: { 'If-None-Match': etag } }))).status,
    ).toBe(304);
    const preview = await handle(new Request(`shootline-media://preview/${id}`));
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
    const original = await handle(new Request(`shootline-media://original/${id}`));
    expect(
      Buffer.from(await original.arrayBuffer()).equals(fs.readFileSync(corpusPath('photos/grace_hopper.jpg'))),
    ).toBe(true);

    expect((await handle(new Request('shootline-media://thumbnail/missing'))).status).toBe(404);
    expect((await handle(new Request('shootline-media://variant/missing'))).status).toBe(404);
    for (const url of [
      'shootline-media://thumbnail/../secret',
      'shootline-media://thumbnail/..%2Fsecret',
      'shootline-media://original/%2e%2e%2fsecret',
      'shootline-media://original/..%5Csecret',
      'shootline-media://original/..%2F..%2FShoot-evil%2Fx',
      `shootline-media://thumbnail/${encodeURIComponent(path.join(engine.dataDir, 'secret'))}`,
    ]) {
      const response = await handle(new Request(url));
      expect(response.status, url).toBeGreaterThanOrEqual(400);
      expect(await response.text(), url).not.toContain('secret');
    }
    expect((await handle(new Request(`shootline-media://thumbnail/${id}`, { method: 'POST', body: 'x' }))).status).toBe(
      405,
    );

    // Ranges, as a <video> asks for them to seek: 206 with the bytes asked for, 416 past the end.
    const photo = fs.readFileSync(corpusPath('photos/grace_hopper.jpg'));
    const part = await handle(new Request(`shootline-media://original/${id}`, { headers: { Range: 'bytes=100-199' } }));
    expect([part.status, part.headers.get('content-range'), part.headers.get('accept-ranges')]).toEqual([
      206,
      `bytes 100-199/${photo.length}`,
      'bytes',
    ]);
    expect(Buffer.from(await part.arrayBuffer()).equals(photo.subarray(100, 200))).toBe(true);
    const tail = await handle(new Request(`shootline-media://original/${id}`, { headers: { Range: 'bytes=-10' } }));
    expect(Buffer.from(await tail.arrayBuffer()).equals(photo.subarray(photo.length - 10))).toBe(true);
    const past = await handle(
      new Request(`shootline-media://original/${id}`, { headers: { Range: `bytes=${photo.length}-` } }),
    );
    expect([past.status, past.headers.get('content-range')]).toEqual([416, `bytes */${photo.length}`]);
    // An If-Range of another version asks for the whole (current) file.
    const stale = await handle(
      new Request(`shootline-media://original/${id}`, { headers: { Range: 'bytes=0-9', 'If-Range': '"old"' } }),
    );
    expect([stale.status, (await stale.arrayBuffer()).byteLength]).toEqual([200, photo.length]);
  });
});
