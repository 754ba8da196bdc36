import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_API_KEY, DEFAULT_USER_ID, startIacreaSandbox, type IacreaSandbox } from '../sandbox/iacrea/server';
import { openShoot, thumbnailsLoaded, useHeadlessShoot, type Photo } from '../support/e2e-shoot';
import { S3RVER_ACCESS_KEY_ID, startS3 } from '../support/s3';

const SHOTS = 'test-results/screens';
const CONCEPT = 'Concept render — not the property as it is';

const engine = useHeadlessShoot();
let sandbox: IacreaSandbox | undefined;
let closeS3: (() => Promise<void>) | undefined;
test.afterEach(async () => {
  await sandbox?.close();
  await closeS3?.();
  sandbox = undefined;
  closeS3 = undefined;
});

/** A stroke across the photo at these fractions of its size, with real mouse events. */
async function paint(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const box = await page.locator('.mask-photo').boundingBox();
  if (!box) throw new Error('the photo is not shown');
  const at = ([x, y]: [number, number]) => ({ x: box.x + x * box.width, y: box.y + y * box.height });
  const start = at(from);
  const end = at(to);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(end.x, end.y, { steps: 20 });
  await page.mouse.up();
}

interface Variant {
  id: string;
  jobId: string;
}

test('an exterior concept: paint the garden, build a pool, see it labelled, ask for a variation, compare the two', async ({
  page,
}) => {
  test.setTimeout(180_000);
  sandbox = await startIacreaSandbox({ speed: 40 });
  const s3 = await startS3();
  closeS3 = s3.close;
  await engine.call('providers.configure', {
    provider: 'iacrea',
    baseUrl: sandbox.baseUrl,
    fields: { 'user-id': DEFAULT_USER_ID },
  });
  await engine.call('providers.setKey', { provider: 'iacrea', key: DEFAULT_API_KEY });
  await engine.call('staging.configure', {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: S3RVER_ACCESS_KEY_ID,
    secretAccessKey: 'staging-secret',
  });
  const { shootId, photos } = await engine.ingestShoot('Garden house', ['photos/dune_canon-rebel.jpg']);
  const [photo] = photos as [Photo];

  const grid = await openShoot(page, engine.server.url, 'Garden house');
  await thumbnailsLoaded(grid, 1);
  await grid.getByRole('gridcell').first().dblclick();

  // Paint the garden: the lower part of the photo, in the exterior mask.
  await page.getByRole('combobox', { name: 'Paint a mask' }).selectOption('exterior');
  await expect(page.getByTestId('mask-stage')).toHaveAttribute('data-ready', 'true');
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  for (const y of [0.7, 0.8, 0.9]) await paint(page, [0.05, y], [0.95, y]);
  await page.keyboard.press('Control+s');
  await expect(page.getByRole('status')).toContainText('Saved as version 1');
  await page.getByRole('button', { name: 'Close' }).click();

  // Choose a pool; the cost is said first.
  await page.getByRole('button', { name: 'Exterior concept…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Exterior concept' });
  await expect(dialog.getByTestId('exterior-area')).toContainText('In the painted area');
  await dialog.getByRole('radio', { name: 'Pool' }).check();
  await expect(dialog.getByTestId('exterior-estimate')).toHaveText(/^1 photo/);
  await page.screenshot({ path: `${SHOTS}/exterior-dialog.png` });
  await dialog.getByRole('checkbox', { name: /Approve the spend now/ }).check();
  await dialog.getByRole('button', { name: 'Build a pool' }).click();
  await expect(dialog).toBeHidden();

  // The results come back labelled as a concept.
  const strip = page.getByRole('listbox', { name: 'Variants' });
  await expect(strip.getByRole('option')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('concept-label')).toHaveText(CONCEPT);
  await expect(strip.getByTestId('filmstrip-group')).toHaveText(['Concept 1']);
  const first = await engine.call<Variant[]>('variants.list', { assetId: photo.id });

  // More like this: a variation of the result, in the same family.
  await page.getByRole('button', { name: 'More like this…' }).click();
  const more = page.getByRole('dialog', { name: 'More like this' });
  await expect(more.getByTestId('exterior-estimate')).toHaveText(/^1 photo · 99 photos left/);
  await more.getByRole('checkbox', { name: /Approve the spend now/ }).check();
  await more.getByRole('button', { name: 'Make a variation' }).click();
  await expect(more).toBeHidden();
  await expect(strip.getByRole('option')).toHaveCount(4, { timeout: 60_000 });
  await expect(strip.getByTestId('filmstrip-group')).toHaveText(['Concept 1']);

  // Compare the variation with the first result.
  await strip.getByRole('option', { name: /^Variant 3/ }).click();
  await expect(page.getByTestId('concept-label')).toHaveText(CONCEPT);
  const compareWith = page.getByRole('combobox', { name: 'Compare with' });
  const firstResult = (await compareWith.locator('option').allTextContents()).find((text) =>
    text.startsWith('Variant 1 '),
  );
  expect(firstResult).toBeDefined();
  await compareWith.selectOption({ label: firstResult ?? '' });
  await page.getByRole('button', { name: 'Side by side' }).click();
  await expect(page.getByRole('region', { name: 'Compare' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/exterior-compare.png` });

  const all = await engine.call<Variant[]>('variants.list', { shootId });
  expect(all).toHaveLength(4);
  expect(first).toHaveLength(2);
  expect(sandbox.violations).toEqual([]);
  expect(sandbox.counters.variations).toBe(1);
});
