import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { openShoot, thumbnailsLoaded, useHeadlessShoot } from '../support/e2e-shoot';

/** Issue 23 as a user meets it: a photo turned and its crop placed, an export that starts in the right place. */

const SHOTS = 'test-results/screens';
const shoot = useHeadlessShoot();

test.beforeAll(() => fs.mkdirSync(SHOTS, { recursive: true }));

async function meanDifference(a: Buffer | string, b: Buffer | string): Promise<number> {
  const [first, second] = await Promise.all(
    [a, b].map((input) => sharp(input).removeAlpha().resize(80, 100, { fit: 'fill' }).raw().toBuffer()),
  );
  let sum = 0;
  const length = first?.length ?? 0;
  for (let index = 0; index < length; index++) sum += Math.abs((first?.[index] ?? 0) - (second?.[index] ?? 0));
  return sum / Math.max(1, length);
}

test('a photo is turned and its 4:5 crop placed in the photo view, and the export follows both', async ({ page }) => {
  test.setTimeout(120_000);
  const { shootId } = await shoot.ingestShoot('Coast', [
    'photos/colorfulcups_sony-nex3n_gps_srgb.jpg',
    'photos/grace_hopper.jpg',
  ]);
  const grid = await openShoot(page, shoot.server.url, 'Coast');
  await thumbnailsLoaded(grid, 2);

  // Turn the portrait a quarter right: the header says 600×512 and, back in the grid, its thumbnail is landscape.
  await grid.getByRole('gridcell', { name: 'grace_hopper.jpg' }).dblclick();
  await expect(page.getByText('512×600')).toBeVisible();
  await page.getByRole('button', { name: '⟳ Turn right' }).click();
  await expect(page.getByText('600×512')).toBeVisible();
  await page.keyboard.press('Control+]');
  await page.keyboard.press('Control+[');
  await expect(page.getByText('600×512')).toBeVisible();
  await expect(page.getByTestId('asset-preview')).toHaveJSProperty('complete', true);
  const preview = await page
    .getByTestId('asset-preview')
    .evaluate((image) => [
      (image as unknown as { naturalWidth: number; naturalHeight: number }).naturalWidth,
      (image as unknown as { naturalWidth: number; naturalHeight: number }).naturalHeight,
    ]);
  expect(preview[0]).toBeGreaterThan(preview[1] ?? 0);
  await page.screenshot({ path: `${SHOTS}/photo-turned.png` });
  await page.keyboard.press('Escape');
  const thumb = grid.getByRole('gridcell', { name: 'grace_hopper.jpg' }).locator('img');
  await expect
    .poll(() =>
      thumb.evaluate(
        (image) =>
          (image as unknown as { naturalWidth: number; naturalHeight: number }).naturalWidth >
          (image as unknown as { naturalWidth: number; naturalHeight: number }).naturalHeight,
      ),
    )
    .toBe(true);

  // Place the crop of the landscape at its left edge, with the keys on the frame.
  await grid.getByRole('gridcell', { name: 'colorfulcups_sony-nex3n_gps_srgb.jpg' }).dblclick();
  await page.getByRole('button', { name: 'Place export crop…' }).click();
  const frame = page.getByRole('slider', { name: 'Crop position' });
  await frame.focus();
  for (let step = 0; step < 10; step++) await page.keyboard.press('ArrowLeft');
  await expect(frame).toHaveAttribute('aria-valuetext', '0% across, 50% down');
  await expect(page.getByText('Placed by hand: exports of a fixed size crop here.')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/crop-placed.png` });

  // The export: the turned photo turned, the placed crop where it was placed (pixels compared).
  const out = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-out-')));
  try {
    const preset = {
      name: 'Portrait 4:5',
      what: 'originals',
      format: 'png',
      size: { mode: 'exact', width: 400, height: 500 },
      outputFolder: 'Out',
      filenameTemplate: '{name}',
      metadata: 'strip-all',
    };
    await shoot.call('exports.start', { shootId, preset, targetRoot: out });
    const cups = path.join(out, 'Out', 'colorfulcups_sony-nex3n_gps_srgb.png');
    const hopper = path.join(out, 'Out', 'grace_hopper.png');
    await expect.poll(() => fs.existsSync(cups) && fs.existsSync(hopper), { timeout: 30_000 }).toBe(true);
    const source = path.join(shoot.incoming, 'Coast', 'colorfulcups_sony-nex3n_gps_srgb.jpg');
    const scaled = await sharp(source).resize(800, 500, { fit: 'fill' }).png().toBuffer();
    const left = await sharp(scaled).extract({ left: 0, top: 0, width: 400, height: 500 }).png().toBuffer();
    const middle = await sharp(scaled).extract({ left: 200, top: 0, width: 400, height: 500 }).png().toBuffer();
    expect(await meanDifference(cups, left)).toBeLessThan(3);
    expect(await meanDifference(cups, middle)).toBeGreaterThan(10);
    // Turned: the 600 × 512 photo's 4:5 crop comes from the turned picture, not the upright original.
    const turned = await sharp(path.join(shoot.incoming, 'Coast', 'grace_hopper.jpg'))
      .rotate(90)
      .resize(400, 500, { fit: 'cover' })
      .png()
      .toBuffer();
    const unturned = await sharp(path.join(shoot.incoming, 'Coast', 'grace_hopper.jpg'))
      .resize(400, 500, { fit: 'cover' })
      .png()
      .toBuffer();
    expect(await meanDifference(hopper, turned)).toBeLessThan(3);
    expect(await meanDifference(hopper, unturned)).toBeGreaterThan(10);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('the Export view starts on the shoot with approved work and keeps the chosen preset across a reload', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { shootId, photos } = await shoot.ingestShoot('Harbour', ['photos/grace_hopper.jpg']);
  const recipe = await shoot.recipe('Enhance', 'enhance', { preset: 'auto', output: 'jpeg' });
  await shoot.call('recipes.run', { recipeId: recipe, assetIds: [photos[0]?.id] });
  await shoot.variantsDone(shootId, 1);
  const [variant] = await shoot.call<{ id: string }[]>('variants.list', { shootId });
  await shoot.call('variants.update', { id: variant?.id, approved: true });
  // A newer, empty shoot comes first in the list: the Export view must not start there.
  const [folder] = await shoot.call<{ id: string }[]>('hotFolders.list', {});
  await shoot.call('shoots.create', { name: 'Empty lot', hotFolderId: folder?.id });

  await page.goto(shoot.server.url);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.getByRole('button', { name: /Export/ }).click();
  const shootChoice = page.getByLabel('Shoot', { exact: true });
  await expect(shootChoice).toHaveValue(shootId);
  const presets = page.getByRole('navigation', { name: 'Export presets' });
  await presets.getByRole('button', { name: 'Web', exact: true }).click();
  await page.getByRole('textbox', { name: 'Export folder' }).fill(os.tmpdir());
  await expect(page.getByTestId('export-preview')).toContainText('1 file', { timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/export-starts-on-approved.png` });

  await page.reload();
  await nav.getByRole('button', { name: /Export/ }).click();
  await expect(presets.getByRole('button', { name: 'Web', exact: true })).toHaveAttribute('aria-current', 'true');

  // Credits say they were saved.
  await nav.getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Creator', { exact: true }).fill('Harbour Studio');
  await page.getByLabel('Copyright', { exact: true }).focus();
  await expect(page.getByLabel('Creator saved state')).toHaveText('Saved');
});
