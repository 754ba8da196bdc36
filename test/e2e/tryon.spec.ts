import { expect, test } from '@playwright/test';
import { DEFAULT_API_KEY, DEFAULT_KEY_ID, startAuraxSandbox, type AuraxSandbox } from '../sandbox/aurax/server';
import { openShoot, thumbnailsLoaded, useHeadlessShoot } from '../support/e2e-shoot';

const SHOTS = 'test-results/screens';
/** By name the grid shows the two garments first, then the three persons. */
const GARMENTS = ['photos/cat_grayscale.jpg', 'photos/colorfulcups_sony-nex3n_gps_srgb.jpg'];
const PERSONS = ['photos/dune_canon-rebel.jpg', 'photos/fog_hp-photosmart735.jpg', 'photos/grace_hopper.jpg'];

const engine = useHeadlessShoot();
let sandbox: AuraxSandbox | undefined;
test.afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

interface Variant {
  id: string;
  assetId: string | null;
  kind: string;
  pick: string;
  approved: boolean;
}

test('a fashion shoot: mark garments, try them on three persons, review in three-up, approve; describe; generate', async ({
  page,
}) => {
  test.setTimeout(180_000);
  sandbox = await startAuraxSandbox({ credits: 100, speed: 40 });
  await engine.call('providers.configure', { provider: 'aurax', baseUrl: sandbox.baseUrl });
  await engine.call('providers.setKey', { provider: 'aurax', key: DEFAULT_API_KEY });
  await engine.call('providers.setKey', { provider: 'aurax', field: 'key-id', key: DEFAULT_KEY_ID });
  const { shootId, photos } = await engine.ingestShoot('Spring looks', [...GARMENTS, ...PERSONS]);
  const idOf = (file: string) =>
    photos.find((photo) => photo.relativePath.endsWith(file.split('/').pop() ?? ''))?.id ?? '';
  // The second person has a garment area painted: the dialog says so, and the three-up shows it.
  const masked = await engine.call<{ id: string; width: number; height: number }>('assets.get', {
    id: idOf(PERSONS[1] ?? ''),
  });
  await engine.call('masks.save', {
    assetId: masked.id,
    purpose: 'tryon',
    content: {
      width: masked.width,
      height: masked.height,
      strokes: [{ points: [{ x: masked.width / 2, y: masked.height * 0.6 }], size: masked.width / 3, mode: 'paint' }],
    },
  });

  const grid = await openShoot(page, engine.server.url, 'Spring looks');
  await thumbnailsLoaded(grid, 5);
  const cells = grid.getByRole('gridcell');

  // Mark the two garments as dresses.
  await cells.nth(0).click();
  await cells.nth(1).click({ modifiers: ['Shift'] });
  await page.getByRole('combobox', { name: 'Mark as garment' }).selectOption('DRESS');
  await expect(grid.getByTestId('thumb-tag')).toHaveCount(2);
  await expect(grid.getByTestId('thumb-tag').first()).toHaveText('Dress');

  // Select the three persons and open the try-on.
  await cells.nth(2).click();
  await cells.nth(4).click({ modifiers: ['Shift'] });
  await page.getByRole('button', { name: 'Try on…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Virtual try-on' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('tryon-estimate')).toHaveText('Choose at least one garment.');
  for (const garment of GARMENTS) {
    await dialog.getByRole('checkbox', { name: `Garment ${garment.split('/').pop() ?? ''}` }).check();
  }
  await expect(dialog.getByTestId('tryon-estimate')).toHaveText('6 try-ons · 18 credits');
  // Which persons send a painted garment area, and which leave it to the provider.
  const personRows = dialog.getByTestId('tryon-persons').getByRole('listitem');
  await expect(personRows).toHaveCount(3);
  await expect(personRows.filter({ hasText: 'garment area painted' })).toHaveCount(1);
  await expect(personRows.filter({ hasText: 'automatic garment area' })).toHaveCount(2);
  await page.screenshot({ path: `${SHOTS}/tryon-dialog.png` });
  expect(sandbox.ledger).toHaveLength(0);

  await dialog.getByRole('checkbox', { name: /Approve the spend now/ }).check();
  await dialog.getByRole('button', { name: 'Run 6 try-ons' }).click();
  await expect(dialog).toBeHidden();
  await expect
    .poll(async () => (await engine.call<Variant[]>('variants.list', { shootId })).length, { timeout: 90_000 })
    .toBe(6);

  // The masked person: two results, one per garment; the three-up shows person (with the mask), garment and result.
  await cells.nth(3).dblclick();
  await expect(page.getByRole('listbox', { name: 'Variants' }).getByRole('option')).toHaveCount(2);
  // T (or the button) shows person, garment and result side by side.
  await page.keyboard.press('t');
  await expect(page.getByRole('button', { name: 'Person · garment · result' })).toHaveAttribute('aria-pressed', 'true');
  const threeUp = page.getByTestId('three-up');
  await expect(threeUp).toBeVisible();
  await expect(threeUp.getByRole('img', { name: /^Person / })).toBeVisible();
  await expect(threeUp.getByRole('img', { name: /^Garment / })).toBeVisible();
  await expect(threeUp.getByRole('img', { name: /^Result / })).toBeVisible();
  await expect(threeUp.getByTestId('mask-overlay')).toBeVisible();
  await expect(threeUp).toContainText('Dress');
  await expect
    .poll(() =>
      threeUp
        .locator('img')
        .evaluateAll((images) =>
          images.every((image) => (image as unknown as { naturalWidth: number }).naturalWidth > 0),
        ),
    )
    .toBe(true);
  await page.screenshot({ path: `${SHOTS}/tryon-three-up.png` });

  // Pick it and approve it with the keys editors know.
  await page.keyboard.press('p');
  await page.keyboard.press('a');
  await expect
    .poll(async () => {
      const variants = await engine.call<Variant[]>('variants.list', { assetId: masked.id });
      return variants.filter((variant) => variant.pick === 'picked' && variant.approved).length;
    })
    .toBe(1);
  await expect(threeUp).toContainText('Approved');
  // The info panel names the garment.
  await page.keyboard.press('i');
  await expect(page.getByTestId('variant-facts')).toContainText(/Garment\s*Photo (cat_grayscale|colorfulcups)/);
  await page.keyboard.press('Escape');

  // Describe a garment and read the description in the info panel.
  await expect(grid).toBeVisible();
  await cells.nth(0).click();
  await page.getByRole('button', { name: 'Describe 1…' }).click();
  const describe = page.getByRole('dialog', { name: 'Describe products' });
  await expect(describe.getByRole('status')).toHaveText('1 description · 0.25 credits');
  // The try-ons' approval covered them alone: the description is beyond the budget again, and says so.
  await describe.getByRole('checkbox', { name: /Approve the spend now \(1 beyond/ }).check();
  await describe.getByRole('button', { name: 'Describe' }).click();
  await expect(describe).toBeHidden();
  const description = page.getByRole('complementary', { name: 'Info' }).getByTestId('description');
  await expect(description).toContainText(/^A dress in #[0-9a-f]{6}/, { timeout: 60_000 });
  // Edited by hand, it stays edited.
  await description.getByRole('button', { name: 'Edit' }).click();
  await description.getByRole('textbox').fill('A black cotton shift dress, knee length.');
  await description.getByRole('button', { name: 'Save' }).click();
  await expect(description.locator('p')).toHaveText('A black cotton shift dress, knee length.\n');

  // Two product images from a prompt join the shoot as generated items.
  await page.getByRole('button', { name: 'Generate product images…' }).click();
  const generate = page.getByRole('dialog', { name: 'Generate product images' });
  await generate.getByRole('textbox', { name: 'Prompt' }).fill('A red leather tote on a white seamless background');
  await generate.getByRole('spinbutton', { name: 'How many' }).fill('2');
  await expect(generate.getByTestId('generate-estimate')).toHaveText('2 images · 2 credits');
  await generate.getByRole('checkbox', { name: /Approve the spend now/ }).check();
  await generate.getByRole('button', { name: 'Generate 2' }).click();
  await expect(generate).toBeHidden();
  await expect(page.getByTestId('generated-item')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByRole('heading', { name: 'Generated in this shoot (2)' })).toBeVisible();

  expect(sandbox.violations).toEqual([]);
  const charged = sandbox.ledger.reduce((sum, entry) => sum + entry.credits, 0);
  expect(charged).toBe(18 + 0.25 + 2);
});
