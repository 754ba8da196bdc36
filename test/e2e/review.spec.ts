import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { TEN_PHOTOS } from '../support/corpus';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

const CORPUS = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');
/** Twelve real photos, small enough that the local provider enhances three in seconds. */
const TWELVE = [...TEN_PHOTOS, 'photos/iphone4s_thumb_gps.jpg', 'names/Fotó café 写真 (1).jpg'];
const SHOTS = 'test-results/screens';

let server: HeadlessProcess;
let dataDir: string;
let incoming: string;
let api: WebSocketBridge | undefined;

test.beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-e2e-'));
  incoming = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-incoming-')));
  server = await startHeadless({ dataDir });
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(async ({ page: _page }, testInfo) => {
  // The engine's own log, for a failure that comes from its side.
  if (testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('engine stderr', { body: server.stderr(), contentType: 'text/plain' });
  }
  api?.close();
  api = undefined;
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

async function apiClient(): Promise<WebSocketBridge> {
  api = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}` });
  await api.invoke('engine.info', {});
  return api;
}

test('a new user ingests a shoot, culls it, runs a recipe on three photos, compares and picks a variant that stays picked', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(server.url);
  const nav = page.getByRole('navigation', { name: 'Sections' });

  // Add a hot folder that only ingests (the recipe is run by hand below).
  await nav.getByRole('button', { name: 'Hot folders' }).click();
  await page.getByRole('textbox', { name: 'Folder path' }).fill(incoming);
  await page.getByRole('combobox', { name: 'Default recipe' }).selectOption({ label: 'Ingest only' });
  await page.getByRole('button', { name: 'Watch folder' }).click();
  await expect(page.getByRole('list', { name: 'Hot folders' }).getByText(incoming)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/hot-folders.png` });

  // Drop 12 corpus photos into it as one shoot.
  fs.mkdirSync(path.join(incoming, 'Harbour house'));
  for (const photo of TWELVE)
    fs.copyFileSync(path.join(CORPUS, photo), path.join(incoming, 'Harbour house', path.basename(photo)));

  await nav.getByRole('button', { name: /Shoots/ }).click();
  await page
    .getByRole('list', { name: 'Shoots' })
    .getByRole('button', { name: 'Harbour house', exact: true })
    .click({ timeout: 20_000 });
  const grid = page.getByRole('grid', { name: 'Photos' });
  const cells = grid.getByRole('gridcell');
  await expect(cells).toHaveCount(12, { timeout: 30_000 });
  // Every thumbnail arrives and is a real decoded image.
  await expect
    .poll(
      async () =>
        grid
          .locator('img')
          .evaluateAll(
            (images) =>
              images.filter((image) => (image as unknown as { naturalWidth: number }).naturalWidth > 0).length,
          ),
      { timeout: 30_000 },
    )
    .toBe(12);
  await page.screenshot({ path: `${SHOTS}/shoot-grid.png` });

  // Cull two with X.
  const names = await cells.evaluateAll((elements) =>
    elements.map((element) => (element as unknown as { ariaLabel: string | null }).ariaLabel),
  );
  await cells.nth(0).click();
  await page.keyboard.press('x');
  await cells.nth(1).click();
  await page.keyboard.press('x');
  await expect(grid.getByTestId('reject-flag')).toHaveCount(2);
  await expect(page.getByTestId('shoot-counts')).toContainText('2 rejected');

  // Run the local recipe on three of the rest, seeing the estimate first.
  await cells.nth(2).click();
  await cells.nth(4).click({ modifiers: ['Shift'] });
  await expect(grid.locator('[aria-selected="true"]')).toHaveCount(3);
  await page.getByRole('button', { name: 'Run recipe…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run a recipe on 3 photos' });
  await expect(dialog.getByRole('status')).toHaveText('3 photos · estimated free');
  await page.screenshot({ path: `${SHOTS}/run-recipe.png` });
  await dialog.getByRole('button', { name: 'Run on 3 photos' }).click();
  await expect(dialog).toBeHidden();

  // Progress shows on the photos, then each has its variant.
  await expect(grid.getByTestId('badge-done')).toHaveCount(3, { timeout: 90_000 });
  await expect(grid.getByTestId('badge-done').first()).toHaveText('1 variant');
  await page.screenshot({ path: `${SHOTS}/shoot-done.png` });

  // Open one in compare, toggle before/after with \, pick the variant with P.
  const done = grid.getByRole('gridcell', { name: names[2] ?? '' });
  await done.dblclick();
  const compare = page.getByRole('region', { name: 'Compare' });
  await expect(compare).toBeVisible();
  await expect(page.getByTestId('compare-after').first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/compare-slider.png` });
  await page.keyboard.press('\\');
  await expect(compare.getByText('Before', { exact: true })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/compare-before.png` });
  await page.keyboard.press('\\');
  await expect(compare.getByText('After', { exact: true })).toBeVisible();
  await page.keyboard.press('p');
  const strip = page.getByRole('listbox', { name: 'Variants' });
  await expect(strip.getByRole('option', { name: /picked/ })).toHaveCount(1);
  // Y cycles the modes: from toggle (where \\ left it) to slider, then side by side.
  const modes = page.getByRole('group', { name: 'Compare mode' });
  await page.keyboard.press('y');
  await expect(modes.getByRole('button', { name: 'Slider' })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('y');
  await expect(modes.getByRole('button', { name: 'Side by side' })).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: `${SHOTS}/compare-side-by-side.png` });

  // Reload: the same photo opens again, and its variant is still picked.
  await page.reload();
  await expect(page.getByRole('listbox', { name: 'Variants' }).getByRole('option', { name: /picked/ })).toHaveCount(1, {
    timeout: 20_000,
  });
  const client = await apiClient();
  const variants = await client.invoke('variants.list', {});
  expect(variants.ok && variants.result.map((variant) => variant.pick).sort()).toEqual(['none', 'none', 'picked']);
  const shoots = await client.invoke('shoots.list', {});
  const shootId = shoots.ok ? (shoots.result[0]?.id ?? '') : '';
  const assets = await client.invoke('assets.list', { shootId });
  expect(assets.ok && assets.result.assets.filter((asset) => asset.pick === 'rejected').length).toBe(2);

  // The keyboard sheet, and the queue with its finished jobs.
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/shortcuts.png` });
  await page.keyboard.press('Escape');
  await nav.getByRole('button', { name: /Queue/ }).click();
  await expect(page.getByRole('heading', { name: 'Queue' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/queue.png` });
  await nav.getByRole('button', { name: 'Hot folders' }).click();
  await expect(page.getByTestId('folder-status')).toContainText('Watching · 12 photos');
  await page.screenshot({ path: `${SHOTS}/hot-folders-status.png` });
  await nav.getByRole('button', { name: 'Settings' }).click();
  const aixpose = page.getByRole('region', { name: 'AIXpose account' });
  await expect(aixpose).toBeVisible();
  // Each provider setting saves on its own and explains a value it cannot take, next to the field.
  await aixpose.getByLabel('AIXpose concurrency').fill('0');
  await aixpose.getByRole('button', { name: 'Save' }).nth(1).click();
  await expect(aixpose.getByRole('alert')).toHaveText('Enter a whole number from 1 to 16.');
  await aixpose.getByLabel('AIXpose concurrency').fill('3');
  await aixpose.getByRole('button', { name: 'Save' }).nth(1).click();
  await expect(aixpose.getByRole('alert')).toHaveCount(0);
  await aixpose.getByLabel('AIXpose base URL').fill('ftp://api.example');
  await aixpose.getByRole('button', { name: 'Save' }).first().click();
  await expect(aixpose.getByRole('alert')).toContainText('starts with http:// or https://');
  const providers = await client.invoke('providers.list', {});
  expect(providers.ok && providers.result.find((provider) => provider.id === 'aixpose')?.concurrency).toBe(3);
  await page.screenshot({ path: `${SHOTS}/settings.png`, fullPage: true });
});
