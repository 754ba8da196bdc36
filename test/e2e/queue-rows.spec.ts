import { expect, test } from '@playwright/test';
import { useHeadlessShoot } from '../support/e2e-shoot';

const engine = useHeadlessShoot();

test('queue rows name the photo and show it, and Clear finished folds done jobs away, across a reload', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { shootId, photos } = await engine.ingestShoot('Harbour house', [
    'photos/canon-s400_odd-exif-offsets.jpg',
    'photos/cat_grayscale.jpg',
  ]);
  const enhance = await engine.recipe('Bright interior', 'enhance', { preset: 'auto', output: 'jpeg' });
  await engine.call('recipes.run', { recipeId: enhance, assetIds: photos.map((photo) => photo.id) });
  await engine.variantsDone(shootId, 2);

  await page.goto(engine.server.url);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /Queue/ }).click();
  const rows = page.locator('.queue-job');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'cat_grayscale.jpg' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'canon-s400_odd-exif-offsets.jpg' })).toContainText('Enhance');
  await expect(rows.first().locator('img.queue-job-thumb')).toHaveJSProperty('complete', true);
  expect(
    await rows
      .first()
      .locator('img.queue-job-thumb')
      .evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth),
  ).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/screens/queue-rows.png' });

  await page.getByRole('button', { name: 'Clear finished (2)' }).click();
  await expect(rows).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Show 2 cleared' })).toBeVisible();
  await expect(rows).toHaveCount(0);
  await page.getByRole('button', { name: 'Show 2 cleared' }).click();
  await expect(rows).toHaveCount(2);
});
