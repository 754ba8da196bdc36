import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { assetsOf, call, startTestEngine, until } from '../support/engine';
import { corpusPath, TEN_PHOTOS } from '../support/corpus';
import { startHeadless } from '../support/headless-process';
import { tempDir } from '../support/temp';

/**
 * Files in a hot folder that are not regular files: a named pipe would block its reader for ever,
 * a link to /dev/zero never ends, a socket cannot be opened. Each is skipped with a reason the
 * folder's status shows; the real photos beside them are ingested.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A shoot folder with two real photos and three special files named like photos. */
async function hostileShoot(root: string): Promise<string> {
  const shoot = path.join(root, 'Harbour Rd');
  fs.mkdirSync(shoot, { recursive: true });
  for (const photo of TEN_PHOTOS.slice(0, 2))
    fs.copyFileSync(corpusPath(photo), path.join(shoot, path.basename(photo)));
  execFileSync('mkfifo', [path.join(shoot, 'pipe.jpg')]);
  fs.symlinkSync('/dev/zero', path.join(shoot, 'zero.jpg'));
  const socket = net.createServer();
  await new Promise<void>((resolve) => socket.listen(path.join(shoot, 'socket.jpg'), resolve));
  cleanups.push(() => new Promise((resolve) => socket.close(resolve)));
  return shoot;
}

describe('special files in a hot folder', () => {
  it('skips a FIFO, a link to /dev/zero and a socket with a reason, and ingests the photos beside them', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200 });
    const root = path.join(fs.realpathSync(tempDir()), 'Listings');
    await hostileShoot(root);
    const folder = await call(engine, 'hotFolders.add', { path: root, defaultRecipeId: null });
    const assets = await until(
      () => assetsOf(engine),
      (list) => list.length === 2 && list.every((asset) => asset.state === 'ok'),
    );
    expect(assets.map((asset) => path.basename(asset.relativePath)).sort()).toEqual(
      TEN_PHOTOS.slice(0, 2)
        .map((photo) => path.basename(photo))
        .sort(),
    );
    const status = await until(
      async () => (await call(engine, 'hotFolders.status', {})).find((entry) => entry.id === folder.id),
      (entry) => entry?.skipped === 3,
    );
    expect(status?.skippedFiles.map((entry) => entry.reason).sort()).toEqual([
      'Harbour Rd/pipe.jpg is a named pipe, not a photo file',
      'Harbour Rd/socket.jpg is a socket, not a photo file',
      'Harbour Rd/zero.jpg is a device, not a photo file',
    ]);
  });

  it(
    'lets the headless server stop promptly on SIGTERM with such files in a hot folder',
    { timeout: 60_000 },
    async () => {
      const dataDir = tempDir();
      const root = path.join(fs.realpathSync(tempDir()), 'Listings');
      await hostileShoot(root);
      const server = await startHeadless({ dataDir });
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(server.token)}`);
      await new Promise((resolve) => ws.once('open', resolve));
      const answers = new Map<number, { ok: boolean; result?: unknown }>();
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as { type: string; id: number; envelope: { ok: boolean } };
        if (frame.type === 'result') answers.set(frame.id, frame.envelope);
      });
      const ask = async (id: number, method: string, args: unknown): Promise<{ ok: boolean; result?: unknown }> => {
        ws.send(JSON.stringify({ type: 'call', id, method, args }));
        while (!answers.has(id)) await new Promise((resolve) => setTimeout(resolve, 20));
        return answers.get(id) as { ok: boolean; result?: unknown };
      };
      expect((await ask(1, 'hotFolders.add', { path: root, defaultRecipeId: null })).ok).toBe(true);
      let id = 2;
      for (;;) {
        const status = (await ask(id++, 'hotFolders.status', {})).result as { photos: number; skipped: number }[];
        if (status[0]?.photos === 2 && status[0].skipped === 3) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      ws.close();
      // A hang (a thread stuck on the pipe, a read of /dev/zero) would keep the process alive.
      const exited = server.stop();
      const deadline = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000));
      expect(await Promise.race([exited, deadline])).toBe(0);
    },
  );
});
