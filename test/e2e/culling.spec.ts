import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

const CORPUS = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');
const SHOTS = 'test-results/screens';
/** Five small real photos; by name, the grid shows them in this order. */
const FIVE = [
  'photos/canon-s400_odd-exif-offsets.jpg',
  'photos/cat_grayscale.jpg',
  'photos/colorfulcups_sony-nex3n_gps_srgb.jpg',
  'photos/grace_hopper.jpg',
  'photos/storm_canon-400d.jpg',
];

let server: HeadlessProcess;
let dataDir: string;
let incoming: string;
let api: WebSocketBridge;

test.beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-e2e-'));
  incoming = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-incoming-')));
  server = await startHeadless({ dataDir });
  api = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}` });
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('engine stderr', { body: server.stderr(), contentType: 'text/plain' });
  }
  api.close();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

async function call<T>(method: string, args: Record<string, unknown>): Promise<T> {
  const envelope = (await api.invoke(method as never, args as never)) as { ok: boolean; result?: T; error?: unknown };
  if (!envelope.ok) throw new Error(`${method}: ${JSON.stringify(envelope.error)}`);
  return envelope.result as T;
}

interface Photo {
  id: string;
  relativePath: string;
  pick: string;
  rating: number;
  state: string;
}

/** A watched folder with one shoot of these corpus photos, all read; the photos in grid order. */
async function ingestShoot(shoot: string, files: readonly string[]): Promise<{ shootId: string; photos: Photo[] }> {
  await call('hotFolders.add', { path: incoming, defaultRecipeId: null });
  fs.mkdirSync(path.join(incoming, shoot));
  for (const file of files) fs.copyFileSync(path.join(CORPUS, file), path.join(incoming, shoot, path.basename(file)));
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
}

async function openShoot(page: Page, name: string | RegExp): Promise<Locator> {
  await page.goto(server.url);
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name }).click();
  return page.getByRole('grid', { name: 'Photos' });
}

/** Waits until every visible thumbnail is decoded. */
async function thumbnailsLoaded(grid: Locator, count: number): Promise<void> {
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

async function focusedCellId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const active = (
      globalThis as unknown as { document: { activeElement: { getAttribute(name: string): string | null } | null } }
    ).document.activeElement;
    return active?.getAttribute('data-id') ?? null;
  });
}

async function picksOf(shootId: string): Promise<Record<string, string>> {
  const { assets } = await call<{ assets: Photo[] }>('assets.list', { shootId });
  return Object.fromEntries(assets.map((asset) => [asset.relativePath, asset.pick]));
}

test('grid culling: keys say what they did, a selection is one batch to cull and to undo, and the selection is kept', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { shootId, photos } = await ingestShoot('Harbour house', FIVE);
  const cullCalls: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', (frame) => {
      if (typeof frame.payload === 'string' && frame.payload.includes('"assets.cull"')) cullCalls.push(frame.payload);
    }),
  );
  const grid = await openShoot(page, 'Harbour house');
  await thumbnailsLoaded(grid, 5);
  const cells = grid.getByRole('gridcell');
  const selected = grid.locator('[aria-selected="true"]');

  // With nothing selected a flag key says so, and flags nothing.
  await page.keyboard.press('p');
  await expect(page.getByTestId('flash')).toContainText('No photo selected');
  await expect(grid.getByTestId('pick-flag')).toHaveCount(0);
  expect(cullCalls).toHaveLength(0);

  // Arrow keys start a selection from nowhere; Ctrl+A selects every photo, not the page's text.
  await page.keyboard.press('ArrowRight');
  await expect(selected).toHaveCount(1);
  await expect(cells.first()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+a');
  await expect(selected).toHaveCount(5);
  // The page's text is not selected (the page's own Ctrl+A would have).
  expect(
    await page.evaluate(() =>
      String((globalThis as unknown as { getSelection: () => { toString(): string } }).getSelection()),
    ),
  ).toBe('');

  // X on one photo rejects it, says so, and the next photo is focused (auto-advance).
  await cells.nth(0).click();
  await page.keyboard.press('x');
  await expect(cells.nth(0).getByTestId('reject-flag')).toHaveCount(1);
  await expect(page.getByTestId('flash')).toHaveText('Rejected 1 photo');
  await expect(cells.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect.poll(() => focusedCellId(page)).toBe(photos[1]?.id);

  // Ctrl+Z restores the flag, Ctrl+Shift+Z makes it again, in the grid and in the library.
  await page.keyboard.press('Control+z');
  await expect(grid.getByTestId('reject-flag')).toHaveCount(0);
  await expect(page.getByTestId('flash')).toHaveText('Undone: Rejected 1 photo');
  await expect.poll(async () => (await picksOf(shootId))[photos[0]?.relativePath ?? '']).toBe('none');
  await page.keyboard.press('Control+Shift+z');
  await expect(cells.nth(0).getByTestId('reject-flag')).toHaveCount(1);
  await page.keyboard.press('Control+z');
  await expect(grid.getByTestId('reject-flag')).toHaveCount(0);

  // Culling three photos is one call; one Ctrl+Z puts all three back, in one call too.
  await cells.nth(2).click();
  await cells.nth(4).click({ modifiers: ['Shift'] });
  await expect(selected).toHaveCount(3);
  const before = cullCalls.length;
  await page.keyboard.press('p');
  await expect(grid.getByTestId('pick-flag')).toHaveCount(3);
  await expect(page.getByTestId('flash')).toHaveText('Picked 3 photos');
  expect(cullCalls.length - before).toBe(1);
  await page.keyboard.press('Control+z');
  await expect(grid.getByTestId('pick-flag')).toHaveCount(0);
  await expect(page.getByTestId('flash')).toHaveText('Undone: Picked 3 photos');
  expect(cullCalls.length - before).toBe(2);
  await expect
    .poll(async () => Object.values(await picksOf(shootId)).filter((pick) => pick === 'picked').length)
    .toBe(0);
  // A selection of several is not advanced from: the three stay selected.
  await expect(selected).toHaveCount(3);

  // The selection survives leaving the shoot and coming back.
  await page.getByRole('button', { name: '← Shoots' }).click();
  await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name: 'Harbour house' }).click();
  await expect(grid.locator('[aria-selected="true"]')).toHaveCount(3);
  await page.screenshot({ path: `${SHOTS}/culling-grid.png` });

  // Auto-advance is a setting: off, X leaves the photo selected.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('checkbox', { name: /Move to the next photo after a flag/ }).uncheck();
  await expect.poll(async () => (await call<{ autoAdvance: boolean }>('settings.get', {})).autoAdvance).toBe(false);
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  await cells.nth(3).click();
  await page.keyboard.press('x');
  await expect(cells.nth(3).getByTestId('reject-flag')).toHaveCount(1);
  await expect(cells.nth(3)).toHaveAttribute('aria-selected', 'true');
  await expect(selected).toHaveCount(1);
});
