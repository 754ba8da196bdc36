import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

let server: HeadlessProcess;
let dataDir: string;
let api: WebSocketBridge | undefined;

test.beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-e2e-'));
  server = await startHeadless({ dataDir });
});

test.afterEach(async () => {
  api?.close();
  api = undefined;
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A second client of the same engine, as a script or another window would be. */
async function apiClient(): Promise<WebSocketBridge> {
  api ??= createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}` });
  await api.invoke('engine.info', {});
  return api;
}

async function openApp(page: Page): Promise<void> {
  await page.goto(server.url);
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveCount(0); // connected: no connection banner
}

test('shows the shell, and a shoot created through the API appears without a reload', async ({ page }) => {
  await openApp(page);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  for (const label of ['Hot folders', 'Shoots', 'Queue', 'Export', 'Settings']) {
    await expect(nav.getByRole('button', { name: label })).toBeVisible();
  }
  await expect(page.getByRole('heading', { name: 'Shoots' })).toBeVisible();
  await expect(page.getByText('No shoots yet.')).toBeVisible();
  // The token left the address bar as soon as the page read it.
  expect(page.url()).not.toContain('token=');

  const client = await apiClient();
  let navigations = 0;
  page.on('framenavigated', () => (navigations += 1));
  const created = await client.invoke('shoots.create', { name: 'Lakeside villa – twilight' });
  expect(created.ok).toBe(true);

  const list = page.getByRole('list', { name: 'Shoots' });
  await expect(list.getByText('Lakeside villa – twilight')).toBeVisible();
  expect(navigations).toBe(0);
  await expect(nav.getByRole('button', { name: /Shoots/ })).toContainText('1');
  await page.screenshot({ path: 'test-results/shell.png', fullPage: true });
});

/** A watched folder for this test (removed with the data folder's siblings after the test). */
async function hotFolder(): Promise<string> {
  const folder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-hot-')));
  const added = await (await apiClient()).invoke('hotFolders.add', { path: folder, defaultRecipeId: null });
  expect(added.ok).toBe(true);
  return folder;
}

test('a new shoot is a folder made in a hot folder; other windows see it live and a reload keeps it', async ({
  page,
  context,
}) => {
  const folder = await hotFolder();
  await openApp(page);
  const other = await context.newPage();
  await openApp(other);

  await page.getByRole('textbox', { name: 'New shoot name' }).fill('Smith kitchen');
  await page.getByRole('button', { name: 'New shoot' }).click();
  await expect(page.getByRole('list', { name: 'Shoots' }).getByText('Smith kitchen')).toHaveCount(1);
  await expect(page.getByRole('textbox', { name: 'New shoot name' })).toHaveValue('');
  await expect(other.getByRole('list', { name: 'Shoots' }).getByText('Smith kitchen')).toBeVisible();

  // The folder to copy photos into exists, and the user is told where it is.
  expect(fs.statSync(path.join(folder, 'Smith kitchen')).isDirectory()).toBe(true);
  await expect(page.getByText(`Made the folder ${folder}/Smith kitchen`)).toBeVisible();

  await page.reload();
  await expect(page.getByRole('list', { name: 'Shoots' }).getByText('Smith kitchen')).toHaveCount(1);
  fs.rmSync(folder, { recursive: true, force: true });
});

test('a name the engine refuses shows its message, and nothing is created', async ({ page }) => {
  const folder = await hotFolder();
  await openApp(page);
  await page.getByRole('textbox', { name: 'New shoot name' }).fill('Client/Job 12');
  await page.getByRole('button', { name: 'New shoot' }).click();
  await expect(page.getByRole('alert')).toContainText('A shoot name cannot contain / or \\.');
  const client = await apiClient();
  expect(await client.invoke('shoots.list', {})).toEqual({ ok: true, result: [] });
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(fs.readdirSync(folder)).toEqual([]);
  fs.rmSync(folder, { recursive: true, force: true });
});

test('settings change through the UI, persist, and follow changes made elsewhere', async ({ page }) => {
  await openApp(page);
  await page.keyboard.press('Control+5');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  const paused = page.getByRole('checkbox', { name: /Start with the queue paused/ });
  await expect(paused).not.toBeChecked();
  await paused.check();
  await expect(paused).toBeChecked();

  const client = await apiClient();
  // The checkbox moves at once (optimistic); the engine has it once its answer is back.
  await expect
    .poll(async () => {
      const envelope = await client.invoke('settings.get', {});
      return envelope.ok && envelope.result.startQueuePaused;
    })
    .toBe(true);
  await client.invoke('settings.set', { patch: { reconcileIntervalMinutes: 15 } });
  await expect(page.getByRole('combobox', { name: 'Rescan hot folders every' })).toHaveValue('15');
  await page.screenshot({ path: 'test-results/settings.png' });

  await page.reload();
  // The last section is remembered across a reload.
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: /Start with the queue paused/ })).toBeChecked();
});

test('a page with a wrong token is told so, and gets no data', async ({ page }) => {
  await page.goto(`${server.origin}/?token=not-the-token`);
  await expect(page.getByRole('status')).toContainText('token is missing or out of date');
  await expect(page.getByRole('list', { name: 'Shoots' })).toHaveCount(0);
});

test('when the engine stops, the page says it is reconnecting', async ({ page }) => {
  await openApp(page);
  await server.stop();
  await expect(page.getByRole('status')).toContainText('Reconnecting');
});

test('a page left open keeps working when the same server restarts: the token stays with the library', async ({
  page,
}) => {
  // The same address before and after, as `npm run serve` keeps its port.
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address() as net.AddressInfo;
      probe.close(() => resolve(address.port));
    });
  });
  await server.stop();
  server = await startHeadless({ dataDir, extraArgs: ['--port', String(port)] });
  await openApp(page);
  await expect(page).not.toHaveURL(/token=/); // the token left the address bar
  await server.stop();
  await expect(page.getByRole('status')).toContainText('Reconnecting');
  server = await startHeadless({ dataDir, extraArgs: ['--port', String(port)] });
  await expect(page.getByRole('status')).toHaveCount(0, { timeout: 30_000 });
  const client = await apiClient();
  await client.invoke('shoots.create', { name: 'After the restart' });
  await expect(page.getByRole('list', { name: 'Shoots' }).getByText('After the restart')).toBeVisible();
});
