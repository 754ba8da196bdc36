import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

let server: HeadlessProcess;
let dataDir: string;
let incoming: string;

test.beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-e2e-'));
  incoming = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-incoming-')));
  server = await startHeadless({ dataDir });
});

test.afterEach(async () => {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

test('a folder added in the UI is watched: a shoot dropped into it appears in Shoots by itself', async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Hot folders' }).click();
  await expect(page.getByText('No hot folders yet.')).toBeVisible();

  await page.getByRole('textbox', { name: 'Folder path' }).fill('relative/path');
  await page.getByRole('button', { name: 'Watch folder' }).click();
  await expect(page.getByRole('alert')).toContainText("Give the folder's full path");
  await page.getByRole('button', { name: 'Dismiss' }).click();

  await page.getByRole('textbox', { name: 'Folder path' }).fill(incoming);
  await page.getByRole('button', { name: 'Watch folder' }).click();
  const list = page.getByRole('list', { name: 'Hot folders' });
  await expect(list.getByText(incoming)).toBeVisible();

  fs.mkdirSync(path.join(incoming, 'Lakeside villa'));
  fs.writeFileSync(
    path.join(incoming, 'Lakeside villa', 'DSC_0001.jpg'),
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
  );
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  // Taken once its size held for the 2 s stability window, then announced: no reload.
  await expect(page.getByRole('list', { name: 'Shoots' }).getByText('Lakeside villa')).toBeVisible({ timeout: 15_000 });
  await page.screenshot({ path: 'test-results/hot-folder-shoot.png' });

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Hot folders' }).click();
  await list.getByRole('button', { name: 'Stop watching' }).click();
  await expect(page.getByText('No hot folders yet.')).toBeVisible();
});
