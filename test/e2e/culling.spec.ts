import { expect, test, type Page } from '@playwright/test';
import { boxOf, openShoot, thumbnailsLoaded, useHeadlessShoot, type Photo } from '../support/e2e-shoot';

const SHOTS = 'test-results/screens';
/** Five small real photos; by name, the grid shows them in this order. */
const FIVE = [
  'photos/canon-s400_odd-exif-offsets.jpg',
  'photos/cat_grayscale.jpg',
  'photos/colorfulcups_sony-nex3n_gps_srgb.jpg',
  'photos/grace_hopper.jpg',
  'photos/storm_canon-400d.jpg',
];

const engine = useHeadlessShoot();

async function focusedCellId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const active = (
      globalThis as unknown as { document: { activeElement: { getAttribute(name: string): string | null } | null } }
    ).document.activeElement;
    return active?.getAttribute('data-id') ?? null;
  });
}

async function picksOf(shootId: string): Promise<Record<string, string>> {
  const { assets } = await engine.call<{ assets: Photo[] }>('assets.list', { shootId });
  return Object.fromEntries(assets.map((asset) => [asset.relativePath, asset.pick]));
}

test('grid culling: keys say what they did, a selection is one batch to cull and to undo, and the selection is kept', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { shootId, photos } = await engine.ingestShoot('Harbour house', FIVE);
  const cullCalls: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', (frame) => {
      if (typeof frame.payload === 'string' && frame.payload.includes('"assets.cull"')) cullCalls.push(frame.payload);
    }),
  );
  const grid = await openShoot(page, engine.server.url, 'Harbour house');
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

  // Culling three photos is one call; one Ctrl+Z puts all three back, in one call too. Counting starts once
  // every earlier call has reached the library, and each count is read once the library shows the change.
  await expect.poll(async () => (await picksOf(shootId))[photos[0]?.relativePath ?? '']).toBe('none');
  const picked = async (): Promise<number> =>
    Object.values(await picksOf(shootId)).filter((pick) => pick === 'picked').length;
  await cells.nth(2).click();
  await cells.nth(4).click({ modifiers: ['Shift'] });
  await expect(selected).toHaveCount(3);
  const before = cullCalls.length;
  await page.keyboard.press('p');
  await expect(grid.getByTestId('pick-flag')).toHaveCount(3);
  await expect(page.getByTestId('flash')).toHaveText('Picked 3 photos');
  await expect.poll(picked).toBe(3);
  await expect.poll(() => cullCalls.length - before).toBe(1);
  await page.keyboard.press('Control+z');
  await expect(grid.getByTestId('pick-flag')).toHaveCount(0);
  await expect(page.getByTestId('flash')).toHaveText('Undone: Picked 3 photos');
  await expect.poll(picked).toBe(0);
  await expect.poll(() => cullCalls.length - before).toBe(2);
  // A selection of several is not advanced from: the three stay selected.
  await expect(selected).toHaveCount(3);

  // The selection survives leaving the shoot and coming back.
  await page.getByRole('button', { name: '← Shoots' }).click();
  await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name: 'Harbour house', exact: true }).click();
  await expect(grid.locator('[aria-selected="true"]')).toHaveCount(3);
  await page.screenshot({ path: `${SHOTS}/culling-grid.png` });

  // Auto-advance is a setting: off, X leaves the photo selected.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('checkbox', { name: /Move to the next photo after a flag/ }).uncheck();
  await expect
    .poll(async () => (await engine.call<{ autoAdvance: boolean }>('settings.get', {})).autoAdvance)
    .toBe(false);
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

test('the photo view: both marks in view, undo of a variant flag, the info panel, and a zoom that stays', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const { shootId, photos } = await engine.ingestShoot('Harbour house', FIVE);
  const enhance = await engine.recipe('Bright interior', 'enhance', { preset: 'real_estate', output: 'jpeg' });
  const upscale = await engine.recipe('Upscale 2×', 'upscale', { factor: 2, output: 'jpeg' });
  const grid = await openShoot(page, engine.server.url, 'Harbour house');
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
  await engine.call('recipes.run', { recipeId: upscale, assetIds: [photos[0]?.id] });
  await engine.variantsDone(shootId, 4);

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
  await engine.call('recipes.run', { recipeId: enhance, assetIds: [photos[3]?.id] });
  await expect(page.getByRole('listbox', { name: 'Variants' }).getByRole('option')).toHaveCount(1, {
    timeout: 60_000,
  });
  expect(await boxOf(stage)).toBe(stageBefore);
});
