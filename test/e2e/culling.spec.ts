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

/** Where an element is on screen, to the pixel. */
async function boxOf(locator: Locator): Promise<string> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('not on screen');
  return [box.x, box.y, box.width, box.height].map(Math.round).join(',');
}

async function recipe(name: string, operation: string, params: Record<string, unknown>): Promise<string> {
  return (await call<{ id: string }>('recipes.create', { name, provider: 'local', operation, params })).id;
}

async function variantsDone(shootId: string, count: number): Promise<void> {
  await expect
    .poll(async () => (await call<unknown[]>('variants.list', { shootId })).length, { timeout: 90_000 })
    .toBe(count);
}

test('the photo view: both marks in view, undo of a variant flag, the info panel, and a zoom that stays', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const { shootId, photos } = await ingestShoot('Harbour house', FIVE);
  const enhance = await recipe('Bright interior', 'enhance', { preset: 'real_estate', output: 'jpeg' });
  const upscale = await recipe('Upscale 2×', 'upscale', { factor: 2, output: 'jpeg' });
  const grid = await openShoot(page, 'Harbour house');
  await thumbnailsLoaded(grid, 5);
  const cells = grid.getByRole('gridcell');

  // The photo's own marks, set in the grid: Picked ★★★.
  await cells.nth(2).click();
  await page.keyboard.press('3');
  await page.keyboard.press('p');
  await expect(cells.nth(2).getByTestId('pick-flag')).toHaveCount(1);

  // Results arriving (badges, the "Queued" message) move nothing in the grid.
  const gridBefore = await boxOf(grid);
  await cells.nth(0).click();
  await cells.nth(2).click({ modifiers: ['Shift'] });
  await page.getByRole('button', { name: 'Run recipe…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run a recipe on 3 photos' });
  await dialog.getByRole('combobox', { name: 'Recipe' }).selectOption({ label: 'Bright interior' });
  await dialog.getByRole('button', { name: 'Run on 3 photos' }).click();
  await expect(page.getByTestId('flash')).toContainText('Queued');
  await expect(grid.getByTestId('badge-done')).toHaveCount(3, { timeout: 90_000 });
  expect(await boxOf(grid)).toBe(gridBefore);
  await call('recipes.run', { recipeId: upscale, assetIds: [photos[0]?.id] });
  await variantsDone(shootId, 4);

  // In the photo view P marks the variant; the photo's own Picked ★★★ stays in view.
  await cells.nth(2).dblclick();
  const photoMarks = page.getByTestId('photo-marks');
  const variantMarks = page.getByTestId('variant-marks');
  await expect(photoMarks).toContainText('Pick');
  await expect(photoMarks.getByLabel('3 stars')).toBeVisible();
  await expect(page.getByTestId('key-target')).toContainText('Variant 1 · Bright interior');
  await page.keyboard.press('p');
  await expect(variantMarks).toContainText('Pick');
  await expect(page.getByTestId('flash')).toHaveText('Variant 1 · Picked');
  await expect(photoMarks).toContainText('Pick');
  await expect(photoMarks.getByLabel('3 stars')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/photo-view-marks.png` });

  // X then Ctrl+Z gives the variant its flag back.
  await page.keyboard.press('x');
  await expect(variantMarks).toContainText('Rejected');
  await page.keyboard.press('Control+z');
  await expect(variantMarks).toContainText('Pick');
  await expect(variantMarks).not.toContainText('Rejected');
  await page.keyboard.press('a');
  await expect(variantMarks).toContainText('Approved');

  // I: the camera and a histogram for the photo; the recipe, provider and history for the variant.
  await page.keyboard.press('i');
  const info = page.getByRole('complementary', { name: 'Info' });
  await expect(info.getByTestId('photo-facts')).toContainText('SONY NEX-3N');
  await expect(info.getByTestId('photo-facts')).toContainText('f/8');
  await expect(info.getByTestId('photo-facts')).toContainText('56.15600° N');
  await expect(info.getByRole('img', { name: 'Histogram' })).toBeVisible();
  expect(await info.locator('[data-testid="histogram"] path').evaluateAll((paths) => paths.length)).toBe(4);
  await expect(info.getByTestId('variant-facts')).toContainText('Bright interior');
  await expect(info.getByTestId('variant-facts')).toContainText('Local');
  await expect(info.getByTestId('variant-facts')).toContainText('Free');
  await expect(info.getByTestId('job-history').getByRole('listitem').last()).toContainText('done');
  await page.screenshot({ path: `${SHOTS}/info-panel.png` });
  await page.keyboard.press('i');
  await expect(info).toBeHidden();

  // Z to 100%, then ↑: the zoom stays at 100%.
  const zoom = page.getByLabel('Zoom level');
  await page.keyboard.press('z');
  await expect(zoom).toHaveText('100%');
  await page.keyboard.press('ArrowUp');
  await expect(page.getByRole('heading', { name: 'cat_grayscale.jpg' })).toBeVisible();
  await expect(zoom).toHaveText('100%');

  // Side by side at 100%, a 2× upscale and its 640×480 source are each shown 1:1.
  await page.keyboard.press('ArrowUp');
  await expect(page.getByRole('heading', { name: 'canon-s400_odd-exif-offsets.jpg' })).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('key-target')).toContainText('Variant 2 · Upscale 2×');
  await page.getByRole('group', { name: 'Compare mode' }).getByRole('button', { name: 'Side by side' }).click();
  await expect(zoom).toHaveText('100%');
  const widths = async (): Promise<number[]> =>
    Promise.all(
      ['compare-before', 'compare-after'].map(async (id) =>
        Math.round((await page.getByTestId(id).boundingBox())?.width ?? 0),
      ),
    );
  await expect.poll(widths).toEqual([640, 1280]);

  // Back in the grid: the approved mark, the Approved filter and the count.
  await page.keyboard.press('Escape');
  await expect(grid.getByTestId('approved-mark')).toHaveCount(1);
  await expect(page.getByTestId('shoot-counts')).toContainText('1 approved');
  await page.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Approved' });
  await expect(grid.getByRole('gridcell')).toHaveCount(1);
  await expect(grid.getByRole('gridcell')).toHaveAccessibleName('colorfulcups_sony-nex3n_gps_srgb.jpg');
  await page.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'All photos' });

  // A first variant arriving moves nothing in the photo view: the strip is there, waiting.
  await cells.nth(3).dblclick();
  const stage = page.locator('.asset-stage');
  const stageBefore = await boxOf(stage);
  await call('recipes.run', { recipeId: enhance, assetIds: [photos[3]?.id] });
  await expect(page.getByRole('listbox', { name: 'Variants' }).getByRole('option')).toHaveCount(1, {
    timeout: 60_000,
  });
  expect(await boxOf(stage)).toBe(stageBefore);
});

/** Every scroll container (and the page) that scrolls sideways, and every label whose text does not fit its box. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    interface El {
      tagName: string;
      className: unknown;
      scrollWidth: number;
      clientWidth: number;
      textContent: string | null;
      getAttribute(name: string): string | null;
      getClientRects(): { length: number };
      getBoundingClientRect(): { width: number };
    }
    const doc = (
      globalThis as unknown as { document: { querySelectorAll(selector: string): Iterable<El>; scrollingElement: El } }
    ).document;
    const style = (
      globalThis as unknown as {
        getComputedStyle(el: El): { overflowX: string; textOverflow: string; clipPath: string };
      }
    ).getComputedStyle;
    const name = (el: El): string =>
      `${el.tagName.toLowerCase()}.${String(el.className)} "${(el.textContent ?? '').slice(0, 40)}"`;
    const found: string[] = [];
    const page = doc.scrollingElement;
    if (page.scrollWidth > page.clientWidth)
      found.push(`the page scrolls sideways (${page.scrollWidth} > ${page.clientWidth})`);
    for (const el of doc.querySelectorAll('*')) {
      if (el.getClientRects().length === 0) continue; // not rendered
      const overflowX = style(el).overflowX;
      if ((overflowX === 'auto' || overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
        // The filmstrip is the one strip meant to scroll sideways, when a photo has many variants.
        if (!String(el.className).includes('filmstrip')) found.push(`scrolls sideways: ${name(el)}`);
      }
    }
    for (const el of doc.querySelectorAll('button, label, h1, h2, h3, h4, th, legend, summary, .nav-item, dt')) {
      // Not drawn, or drawn for screen readers only (a 1-pixel box, or clipped on purpose).
      if (el.getClientRects().length === 0 || el.getBoundingClientRect().width <= 1) continue;
      if (style(el).clipPath !== 'none') continue;
      // A name cut with an ellipsis and given in full as a tooltip is not clipped: it is shortened on purpose.
      const shortened = style(el).textOverflow === 'ellipsis' && el.getAttribute('title') !== null;
      if (!shortened && el.scrollWidth > el.clientWidth + 1) found.push(`clipped: ${name(el)}`);
    }
    return found;
  });
}

test('no view scrolls sideways or clips a label, with a 250-character shoot name, at 1280×800 and 1920×1080', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // ASCII with no space or hyphen (nothing a line may break at), within the 255 bytes a folder name may have.
  const longName = `Villa_${'HarbourViewTerrace_'.repeat(14)}`.slice(0, 250);
  expect(longName).toHaveLength(250);
  const { shootId, photos } = await ingestShoot(longName, FIVE.slice(0, 2));
  const enhance = await recipe('Bright interior', 'enhance', { preset: 'auto', output: 'jpeg' });
  await call('recipes.run', { recipeId: enhance, assetIds: [photos[0]?.id] });
  await variantsDone(shootId, 1);

  for (const size of [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ]) {
    // A fresh window each time, as a new user's (the view remembers the shoot opened before).
    const context = await browser.newContext({ viewport: size });
    const page = await context.newPage();
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await page.goto(server.url);
    const views: [string, () => Promise<void>][] = [
      ['hot folders', () => nav.getByRole('button', { name: 'Hot folders' }).click()],
      ['shoots', () => nav.getByRole('button', { name: /Shoots/ }).click()],
      [
        'shoot grid',
        async () => {
          await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name: longName }).click();
          await thumbnailsLoaded(page.getByRole('grid', { name: 'Photos' }), 2);
        },
      ],
      ['grid with info', () => page.keyboard.press('i')],
      [
        'photo view with info',
        async () => {
          await page.getByRole('grid', { name: 'Photos' }).getByRole('gridcell').first().dblclick();
          await expect(page.getByTestId('photo-facts')).toBeVisible();
        },
      ],
      ['queue', () => nav.getByRole('button', { name: /Queue/ }).click()],
      ['export', () => nav.getByRole('button', { name: /Export/ }).click()],
      ['settings', () => nav.getByRole('button', { name: 'Settings' }).click()],
    ];
    for (const [view, open] of views) {
      await open();
      await expect.poll(() => overflowing(page), { message: `${view} at ${size.width}×${size.height}` }).toEqual([]);
    }
    await context.close();
  }
});

test('an error message appearing moves nothing under the pointer', async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Hot folders' }).click();
  const watch = page.getByRole('button', { name: 'Watch folder' });
  const before = await boxOf(watch);
  await page.getByRole('textbox', { name: 'Folder path' }).fill(path.join(incoming, 'no such folder'));
  await watch.click();
  await expect(page.getByRole('alert')).toBeVisible();
  expect(await boxOf(watch)).toBe(before);
});
