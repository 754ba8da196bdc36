import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { startHeadless, type HeadlessProcess } from './headless-process';

const CORPUS = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');

export interface Photo {
  id: string;
  relativePath: string;
  pick: string;
  rating: number;
  state: string;
}

/** A headless engine per test, a watched folder for it, and the API as the UI's own bridge speaks it. */
export interface HeadlessShoot {
  readonly server: HeadlessProcess;
  /** The folder the test drops shoots into (watched once `ingestShoot` ran). */
  readonly incoming: string;
  call<T>(method: string, args: Record<string, unknown>): Promise<T>;
  /** One shoot of these corpus photos in the watched folder, all read; the photos in the grid's (name) order. */
  ingestShoot(shoot: string, files: readonly string[]): Promise<{ shootId: string; photos: Photo[] }>;
  /** A local recipe, by its id. */
  recipe(name: string, operation: string, params: Record<string, unknown>): Promise<string>;
  /** Waits until the shoot has this many variants. */
  variantsDone(shootId: string, count: number): Promise<void>;
}

/** Starts a fresh engine and data folder before each test of the file and removes them after it. */
export function useHeadlessShoot(): HeadlessShoot {
  let server: HeadlessProcess | undefined;
  let api: WebSocketBridge | undefined;
  let dataDir = '';
  let incoming = '';
  test.beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-e2e-'));
    incoming = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-incoming-')));
    server = await startHeadless({ dataDir });
    api = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}` });
  });
  test.afterEach(async ({ page: _page }, testInfo) => {
    if (server && testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('engine stderr', { body: server.stderr(), contentType: 'text/plain' });
    }
    api?.close();
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(incoming, { recursive: true, force: true });
  });

  const call = async <T>(method: string, args: Record<string, unknown>): Promise<T> => {
    if (!api) throw new Error('the engine is not running');
    const envelope = (await api.invoke(method as never, args as never)) as { ok: boolean; result?: T; error?: unknown };
    if (!envelope.ok) throw new Error(`${method}: ${JSON.stringify(envelope.error)}`);
    return envelope.result as T;
  };

  return {
    get server(): HeadlessProcess {
      if (!server) throw new Error('the engine is not running');
      return server;
    },
    get incoming(): string {
      return incoming;
    },
    call,
    ingestShoot: async (shoot, files) => {
      await call('hotFolders.add', { path: incoming, defaultRecipeId: null });
      fs.mkdirSync(path.join(incoming, shoot));
      for (const file of files)
        fs.copyFileSync(path.join(CORPUS, file), path.join(incoming, shoot, path.basename(file)));
      let shootId = '';
      let photos: Photo[] = [];
      await expect
        .poll(
          async () => {
            shootId = (await call<{ id: string }[]>('shoots.list', {}))[0]?.id ?? '';
            if (!shootId) return 0;
            photos = (await call<{ assets: Photo[] }>('assets.list', { shootId })).assets;
            return photos.filter((photo) => photo.state === 'ok').length;
          },
          { timeout: 30_000 },
        )
        .toBe(files.length);
      return { shootId, photos };
    },
    recipe: async (name, operation, params) =>
      (await call<{ id: string }>('recipes.create', { name, provider: 'local', operation, params })).id,
    variantsDone: async (shootId, count) => {
      await expect
        .poll(async () => (await call<unknown[]>('variants.list', { shootId })).length, { timeout: 90_000 })
        .toBe(count);
    },
  };
}

/** The app, on the grid of the shoot named `name`. */
export async function openShoot(page: Page, url: string, name: string | RegExp): Promise<Locator> {
  await page.goto(url);
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  // Exact for a string: "Rename Maple St" and the other row actions carry the name too.
  const exact = typeof name === 'string';
  await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name, exact }).click();
  return page.getByRole('grid', { name: 'Photos' });
}

/** Waits until the grid has `count` cells and every thumbnail in it is decoded. */
export async function thumbnailsLoaded(grid: Locator, count: number): Promise<void> {
  await expect(grid.getByRole('gridcell')).toHaveCount(count, { timeout: 30_000 });
  await expect
    .poll(() =>
      grid
        .locator('img')
        .evaluateAll(
          (images) => images.filter((image) => (image as unknown as { naturalWidth: number }).naturalWidth > 0).length,
        ),
    )
    .toBe(count);
}

/** Where an element is on screen, to the pixel. */
export async function boxOf(locator: Locator): Promise<string> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('not on screen');
  return [box.x, box.y, box.width, box.height].map(Math.round).join(',');
}
