import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { useHeadlessShoot } from '../support/e2e-shoot';

const engine = useHeadlessShoot();

test('a shoot is renamed and keeps its photos; a deleted hot-folder shoot says what happens and does not come back at the next rescan', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await engine.ingestShoot('Maple St', ['photos/grace_hopper.jpg', 'photos/dune_canon-rebel.jpg']);
  await page.goto(engine.server.url);
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  const list = page.getByRole('list', { name: 'Shoots' });
  await expect(list.getByTestId('shoot-progress')).toHaveText('2 photos');

  // Rename in place: the list, the grid and its photos follow.
  await list.getByRole('button', { name: 'Rename Maple St' }).click();
  await list.getByRole('textbox', { name: 'Shoot name' }).fill('12 Maple Street – kitchen');
  await list.getByRole('button', { name: 'Save' }).click();
  await list.getByRole('button', { name: '12 Maple Street – kitchen', exact: true }).click();
  await expect(page.getByRole('heading', { name: '12 Maple Street – kitchen' })).toBeVisible();
  await expect(page.getByRole('grid', { name: 'Photos' }).getByRole('gridcell')).toHaveCount(2);
  await page.getByRole('button', { name: '← Shoots' }).click();

  // Delete: the dialog says what happens before anything does.
  await list.getByRole('button', { name: 'Delete 12 Maple Street – kitchen' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete 12 Maple Street – kitchen' });
  const plan = dialog.getByTestId('delete-plan');
  await expect(plan).toContainText('2 photos stay on disk untouched');
  await expect(plan).toContainText('0 variants made in this shoot are removed from the library.');
  await expect(plan).toContainText('The folder “Maple St” is ignored from now on');
  await page.screenshot({ path: 'test-results/screens/delete-shoot.png' });
  await dialog.getByRole('button', { name: 'Delete shoot' }).click();
  await expect(page.getByText('No shoots yet.')).toBeVisible();
  expect(fs.readdirSync(path.join(engine.incoming, 'Maple St')).sort()).toEqual([
    'dune_canon-rebel.jpg',
    'grace_hopper.jpg',
  ]);

  // A rescan does not bring it back: a new photo lands in its folder and one in another, then the
  // folder is watched again (a full scan). Once the other photo is in, the scan has seen both.
  fs.copyFileSync(
    path.join(engine.incoming, 'Maple St', 'grace_hopper.jpg'),
    path.join(engine.incoming, 'Maple St', 'another.jpg'),
  );
  fs.mkdirSync(path.join(engine.incoming, 'Keep'));
  fs.copyFileSync(
    path.join(engine.incoming, 'Maple St', 'dune_canon-rebel.jpg'),
    path.join(engine.incoming, 'Keep', 'k.jpg'),
  );
  const [folder] = await engine.call<{ id: string }[]>('hotFolders.list', {});
  await engine.call('hotFolders.update', { id: folder!.id, polling: true });
  await expect(list.getByRole('button', { name: 'Keep', exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(list.getByTestId('shoot-progress')).toHaveText('1 photo', { timeout: 30_000 });
  expect((await engine.call<{ name: string }[]>('shoots.list', {})).map((shoot) => shoot.name)).toEqual(['Keep']);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Hot folders' }).click();
  await expect(page.getByTestId('folder-ignored')).toContainText('Ignored: “Maple St”');

  // Restored from the hot folder's settings, its three photos come back as a shoot.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Hot folders' }).click();
  await page.getByTestId('folder-ignored').getByRole('button', { name: 'Restore' }).click();
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  await expect(list.getByRole('listitem').filter({ hasText: 'Maple St' }).getByTestId('shoot-progress')).toHaveText(
    '3 photos',
    { timeout: 30_000 },
  );
});

test('a shoot made in the app receives photos: Add photos… puts them in its folder and they join the grid', async ({
  page,
}) => {
  await engine.call('hotFolders.add', { path: engine.incoming, defaultRecipeId: null });
  await page.goto(engine.server.url);
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  await page.getByRole('textbox', { name: 'New shoot name' }).fill('Studio session');
  await page.getByRole('button', { name: 'New shoot' }).click();
  await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name: 'Studio session', exact: true }).click();
  await expect(page.getByText(`Copy photos into ${engine.incoming}/Studio session`)).toBeVisible();

  const corpus = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');
  await page
    .getByLabel('Photos to add')
    .setInputFiles([
      path.join(corpus, 'photos', 'grace_hopper.jpg'),
      path.join(corpus, 'photos', 'storm_canon-400d.jpg'),
      path.join(corpus, 'bad', 'text-file-renamed.jpg'),
    ]);
  const grid = page.getByRole('grid', { name: 'Photos' });
  await expect(grid.getByRole('gridcell')).toHaveCount(3, { timeout: 30_000 });
  await expect(grid.getByRole('gridcell', { name: 'storm_canon-400d.jpg' })).toBeVisible();
  expect(fs.readdirSync(path.join(engine.incoming, 'Studio session')).sort()).toEqual([
    'grace_hopper.jpg',
    'storm_canon-400d.jpg',
    'text-file-renamed.jpg',
  ]);
});
