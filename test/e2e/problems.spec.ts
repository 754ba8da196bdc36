import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openShoot, useHeadlessShoot } from '../support/e2e-shoot';

const engine = useHeadlessShoot();

test('an unreadable photo says why and what to do, on its tile and in its view, and is not offered a recipe', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await engine.ingestShoot('Card dump', ['photos/grace_hopper.jpg']);
  // A truncated JPEG and a text file with a .jpg name join the shoot; both are read and refused.
  const corpus = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus', 'bad');
  for (const file of ['truncated_40pct_nokia-lumia820.jpg', 'text-file-renamed.jpg'])
    fs.copyFileSync(path.join(corpus, file), path.join(engine.incoming, 'Card dump', file));
  const grid = await openShoot(page, engine.server.url, 'Card dump');
  await expect(grid.getByRole('gridcell')).toHaveCount(3, { timeout: 30_000 });
  const broken = grid.getByRole('gridcell', { name: 'truncated_40pct_nokia-lumia820.jpg' });
  await expect(broken.getByTestId('tile-problem')).toContainText('The file ends early', { timeout: 30_000 });
  await expect(broken.getByTestId('tile-problem')).toContainText('copy the photo again from the card');

  // "Run recipe" leaves it out, and with only unreadable photos selected is not offered at all.
  await broken.click();
  await expect(page.getByRole('button', { name: /^Run recipe/ })).toBeDisabled();
  await grid.getByRole('gridcell', { name: 'grace_hopper.jpg' }).click({ modifiers: ['Control'] });
  await expect(page.getByRole('button', { name: 'Run recipe on 1…' })).toBeEnabled();

  // Its view shows the reason and the remedy, not a broken image, and offers no mask to paint.
  await broken.dblclick();
  const problem = page.getByTestId('photo-problem');
  await expect(problem).toContainText('Unreadable');
  await expect(problem).toContainText('The file ends early');
  await expect(page.getByTestId('asset-preview')).toHaveCount(0);
  await expect(page.getByRole('combobox', { name: 'Paint a mask' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/unreadable-photo.png' });
});

test('Settings says "Not set up" for a cloud provider with no key, never "Reachable"', async ({ page }) => {
  await page.goto(engine.server.url);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Settings' }).click();
  for (const name of ['AIXpose', 'ProductAI']) {
    const card = page.getByRole('region', { name: `${name} account` });
    await expect(card.getByTestId('provider-state')).toHaveText('Not set up · add its key below');
    await expect(card.getByText('Reachable', { exact: false })).toHaveCount(0);
  }
});

test('a photo already in another shoot, and a byte copy in the same shoot, say "Same photo as …" and can be run here anyway', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await engine.recipe('Bright interior', 'enhance', { preset: 'real_estate', output: 'jpeg' });
  await engine.ingestShoot('Maple St', ['photos/grace_hopper.jpg']);
  // The same bytes sorted into a second shoot, and copied again under another name in the first.
  const photo = path.join(engine.incoming, 'Maple St', 'grace_hopper.jpg');
  fs.mkdirSync(path.join(engine.incoming, 'Oak Ave'));
  fs.copyFileSync(photo, path.join(engine.incoming, 'Oak Ave', 'IMG_0042.jpg'));
  fs.copyFileSync(photo, path.join(engine.incoming, 'Maple St', 'grace_hopper copy.jpg'));

  const grid = await openShoot(page, engine.server.url, /^Maple St/);
  const copy = grid.getByRole('gridcell', { name: 'grace_hopper copy.jpg' });
  await expect(copy.getByTestId('badge-same')).toHaveText('Same photo as grace_hopper.jpg in this shoot', {
    timeout: 30_000,
  });
  await expect(grid.getByRole('gridcell', { name: 'grace_hopper.jpg' }).getByTestId('badge-same')).toHaveCount(0);

  await page.getByRole('button', { name: '← Shoots' }).click();
  await page
    .getByRole('list', { name: 'Shoots' })
    .getByRole('button', { name: /^Oak Ave/ })
    .click();
  const elsewhere = grid.getByRole('gridcell', { name: 'IMG_0042.jpg' });
  await expect(elsewhere.getByTestId('badge-same')).toHaveText('Same photo as grace_hopper.jpg in Maple St', {
    timeout: 30_000,
  });
  await elsewhere.dblclick();
  const note = page.getByTestId('same-photo');
  await expect(note).toContainText('Same photo as grace_hopper.jpg in Maple St');
  await expect(note).toContainText('none ran on this copy');
  await page.screenshot({ path: 'test-results/screens/same-photo.png' });

  // Run here anyway: the run dialog for this copy, and its variant lands on it.
  await note.getByRole('button', { name: 'Run here anyway…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run a recipe on this copy' });
  await dialog.getByRole('button', { name: 'Run on 1 photo' }).click();
  await expect(page.getByRole('listbox', { name: /variants/i }).getByRole('option')).toHaveCount(1, {
    timeout: 60_000,
  });

  // "Open the first" goes to the photo in Maple St.
  await page.getByTestId('same-photo').getByRole('button', { name: 'Open the first' }).click();
  await expect(page.getByRole('heading', { name: 'grace_hopper.jpg' })).toBeVisible();
  await expect(page.getByTestId('same-photo')).toHaveCount(0);
});

test('the run dialog says before sending that a 4× upscale over the cap would be refused, and runs nothing on it', async ({
  page,
}) => {
  await engine.recipe('Upscale 4×', 'upscale', { factor: 4, maxMegapixels: 10, output: 'jpeg' });
  await engine.ingestShoot('Harbour', ['photos/storm_canon-400d.jpg']);
  const grid = await openShoot(page, engine.server.url, /^Harbour/);
  await grid.getByRole('gridcell', { name: 'storm_canon-400d.jpg' }).click();
  await page.getByRole('button', { name: 'Run recipe…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run a recipe on 1 photo' });
  await dialog.getByRole('combobox', { name: 'Recipe' }).selectOption({ label: 'Upscale 4×' });
  await expect(dialog.getByTestId('run-refused')).toContainText(
    'storm_canon-400d.jpg: 4× of 1920×1280 would be 7680×5120 = 39 MP, beyond the 10 MP cap',
  );
  await expect(dialog.getByRole('status')).toHaveText(/^0 photos/);
  await expect(dialog.getByRole('button', { name: /^Run/ })).toBeDisabled();
});
