import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { TEN_PHOTOS } from '../support/corpus';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

const CORPUS = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');
const SHOTS = 'test-results/screens';
let server: HeadlessProcess;
let dataDir: string;
let incoming: string;
let outDir: string;

test.beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-e2e-'));
  incoming = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-incoming-')));
  outDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-out-')));
  server = await startHeadless({ dataDir });
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('engine stderr', { body: server.stderr(), contentType: 'text/plain' });
  }
  await server.stop();
  for (const dir of [dataDir, incoming, outDir]) fs.rmSync(dir, { recursive: true, force: true });
});

test('a preset is duplicated and edited with a live preview, then exports a shoot from the Export section and from the shoot', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(server.url);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.getByRole('button', { name: 'Hot folders' }).click();
  await page.getByRole('textbox', { name: 'Folder path' }).fill(incoming);
  await page.getByRole('combobox', { name: 'Default recipe' }).selectOption({ label: 'Ingest only' });
  await page.getByRole('button', { name: 'Watch folder' }).click();
  fs.mkdirSync(path.join(incoming, 'Harbour house'));
  for (const photo of TEN_PHOTOS.slice(0, 4)) {
    fs.copyFileSync(path.join(CORPUS, photo), path.join(incoming, 'Harbour house', path.basename(photo)));
  }
  await nav.getByRole('button', { name: /Shoots/ }).click();
  await page
    .getByRole('list', { name: 'Shoots' })
    .getByRole('button', { name: 'Harbour house', exact: true })
    .click({ timeout: 20_000 });
  await expect(page.getByRole('grid', { name: 'Photos' }).getByRole('gridcell')).toHaveCount(4, { timeout: 30_000 });

  // The built-ins are there and read-only; nothing is approved yet, and the preview says what to do.
  await nav.getByRole('button', { name: /Export/ }).click();
  const presets = page.getByRole('navigation', { name: 'Export presets' });
  await expect(presets.getByText('Built-in')).toHaveCount(5);
  await expect(page.getByLabel('Preset name')).toBeDisabled();
  await page.getByRole('textbox', { name: 'Export folder' }).fill(outDir);
  const preview = page.getByTestId('export-preview');
  await expect(preview).toContainText('Nothing to export: approve variants first', { timeout: 15_000 });

  // A copy of Web, edited: originals, JPEG 800 px, a file-size ceiling, a watermark, a name template.
  await presets.getByRole('button', { name: 'Duplicate Web' }).click();
  await expect(page.getByLabel('Preset name')).toHaveValue('Web copy');
  await page.getByLabel('What to export').selectOption('originals');
  await page.getByLabel('Format').selectOption('jpeg');
  await page.getByLabel('Quality').fill('70');
  await page.getByLabel('Long edge (px)').fill('800');
  await page.getByLabel('File name').fill('web_');
  await page.getByRole('button', { name: '{seq}' }).click();
  await page.getByLabel('Watermark', { exact: true }).selectOption('text');
  await page.getByLabel('Watermark text').fill('© Harbour Studio');
  await page.getByLabel('Max file size (MB)').fill('0.5');
  await expect(preview).toHaveText(/^web_1\.jpg · 800×\d+ · JPEG · \d+ KB · 4 files$/, { timeout: 20_000 });
  // A wrong value is explained before anything is saved.
  await page.getByLabel('Long edge (px)').fill('5');
  await expect(preview).toContainText('Long edge (px) must be between 16 and 65535.');
  await page.getByLabel('Long edge (px)').fill('800');
  await page.getByRole('button', { name: 'Save preset' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/export-preset-editor.png` });

  await page.getByRole('button', { name: 'Export 4 files' }).click();
  const runs = page.getByRole('list', { name: 'Export runs' });
  await expect(runs.getByRole('listitem').first()).toContainText('4 of 4 done', { timeout: 30_000 });
  const folder = path.join(outDir, 'Harbour house', 'Web');
  const written = fs.readdirSync(folder).sort();
  expect(written).toEqual(['web_1.jpg', 'web_2.jpg', 'web_3.jpg', 'web_4.jpg']);
  for (const name of written) {
    const meta = await sharp(path.join(folder, name)).metadata();
    expect(Math.max(meta.width, meta.height)).toBe(800);
    expect(fs.statSync(path.join(folder, name)).size).toBeLessThanOrEqual(500_000);
  }
  await page.screenshot({ path: `${SHOTS}/export-runs.png` });

  // From the shoot: the dialog, the same preset, and the collision policy adds suffixes.
  await nav.getByRole('button', { name: /Shoots/ }).click();
  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await expect(dialog.getByLabel('Export folder')).toHaveValue(outDir);
  await dialog.getByLabel('Preset').selectOption({ label: 'Web copy' });
  await expect(dialog.getByRole('status')).toContainText('4 files', { timeout: 15_000 });
  await page.screenshot({ path: `${SHOTS}/export-dialog.png` });
  await dialog.getByRole('button', { name: 'Export 4 files' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Finished: 4 of 4 done', { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();
  expect(fs.readdirSync(folder).filter((name) => name.endsWith('-2.jpg'))).toHaveLength(4);
});
