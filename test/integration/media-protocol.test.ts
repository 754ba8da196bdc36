import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMediaHandler } from '../../main/app/media-protocol';
import { startTestEngine } from '../support/engine';

describe('the shootline-media protocol handler', () => {
  it('serves a media file by kind and id, and nothing by path', async () => {
    const { engine } = startTestEngine();
    fs.mkdirSync(path.join(engine.mediaRoot, 'thumb'), { recursive: true });
    fs.writeFileSync(path.join(engine.mediaRoot, 'thumb', 'abc123.webp'), Buffer.from('RIFF-webp-bytes'));
    // A secret beside the media root, and one in a sibling folder sharing its prefix.
    fs.writeFileSync(path.join(engine.dataDir, 'secret.webp'), 'secret');
    fs.mkdirSync(`${engine.mediaRoot}-evil/thumb`, { recursive: true });
    fs.writeFileSync(`${engine.mediaRoot}-evil/thumb/x.webp`, 'secret');
    const handle = createMediaHandler(engine);

    const ok = await handle(new Request('shootline-media://thumb/abc123'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/webp');
    expect(Buffer.from(await ok.arrayBuffer()).toString()).toBe('RIFF-webp-bytes');

    expect((await handle(new Request('shootline-media://thumb/missing'))).status).toBe(404);
    for (const url of [
      'shootline-media://thumb/../secret',
      'shootline-media://thumb/..%2Fsecret',
      'shootline-media://thumb/%2e%2e%2fsecret',
      'shootline-media://thumb/..%5Csecret',
      'shootline-media://thumb/..%2F..%2Fmedia-evil%2Fthumb%2Fx',
      `shootline-media://thumb/${encodeURIComponent(path.join(engine.dataDir, 'secret'))}`,
    ]) {
      const response = await handle(new Request(url));
      expect(response.status, url).toBeGreaterThanOrEqual(400);
      expect(await response.text(), url).not.toContain('secret');
    }
    expect((await handle(new Request('shootline-media://thumb/abc123', { method: 'POST', body: 'x' }))).status).toBe(
      405,
    );
  });
});
