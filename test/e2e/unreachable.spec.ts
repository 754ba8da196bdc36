import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { startAixposeSandbox, type AixposeSandbox } from '../sandbox/aixpose/server';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

const CORPUS = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');
const PHOTOS = ['photos/grace_hopper.jpg', 'photos/cat_grayscale.jpg', 'photos/canon-s400_odd-exif-offsets.jpg'];
const KEY = 'aix_e2e_unreachable_key';

let server: HeadlessProcess;
let sandbox: AixposeSandbox;
let dataDir: string;
let incoming: string;
let api: WebSocketBridge;

test.beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-e2e-'));
  incoming = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-incoming-')));
  sandbox = await startAixposeSandbox({ apiKey: KEY, credits: 100, speed: 200 });
  server = await startHeadless({
    dataDir,
    env: { SHOOTLINE_AIXPOSE_BASE_URL: sandbox.baseUrl, SHOOTLINE_AIXPOSE_API_KEY: KEY },
  });
  api = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}` });
});

test.afterEach(async () => {
  api.close();
  await server.stop();
  await sandbox.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

/** Calls the engine as a script would, failing the test on an error answer. */
async function call<T>(method: string, args: Record<string, unknown>): Promise<T> {
  const envelope = (await api.invoke(method as never, args as never)) as { ok: boolean; result?: T; error?: unknown };
  if (!envelope.ok) throw new Error(`${method}: ${JSON.stringify(envelope.error)}`);
  return envelope.result as T;
}

test('AIXpose stops answering: a banner says its jobs wait; it comes back and they finish untouched', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await call('hotFolders.add', { path: incoming, defaultRecipeId: null, spendingCap: 100, autoApprove: true });
  fs.mkdirSync(path.join(incoming, 'Dock street'));
  for (const photo of PHOTOS)
    fs.copyFileSync(path.join(CORPUS, photo), path.join(incoming, 'Dock street', path.basename(photo)));
  await expect.poll(async () => (await call<{ id: string }[]>('shoots.list', {})).length, { timeout: 20_000 }).toBe(1);
  const shootId = (await call<{ id: string }[]>('shoots.list', {}))[0]?.id ?? '';
  await expect
    .poll(
      async () =>
        (await call<{ assets: { state: string }[] }>('assets.list', { shootId })).assets.filter(
          (asset) => asset.state === 'ok',
        ).length,
      { timeout: 30_000 },
    )
    .toBe(3);
  const assets = await call<{ assets: { id: string }[] }>('assets.list', { shootId });
  const recipe = await call<{ id: string }>('recipes.create', {
    name: 'Declutter',
    provider: 'aixpose',
    operation: 'enhance',
    params: { quickAction: 'qa_declutter', variants: 1 },
  });

  await sandbox.setUnreachable(true);
  await call('recipes.run', { recipeId: recipe.id, assetIds: assets.assets.map((asset) => asset.id) });
  await page.goto(server.url);
  const banner = page.getByRole('status').filter({ hasText: 'AIXpose unreachable' });
  await expect(banner).toHaveText('AIXpose unreachable — 3 jobs waiting; they resume by themselves', {
    timeout: 30_000,
  });
  await page.screenshot({ path: 'test-results/screens/provider-unreachable.png' });

  await sandbox.setUnreachable(false);
  await expect(banner).toBeHidden({ timeout: 60_000 });
  await expect
    .poll(
      async () =>
        (await call<{ jobs: { state: string }[] }>('jobs.list', { shootId })).jobs.filter((job) => job.state === 'done')
          .length,
      { timeout: 60_000 },
    )
    .toBe(3);
  expect(sandbox.violations).toEqual([]);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /Queue/ }).click();
  await page.screenshot({ path: 'test-results/screens/queue-after-outage.png' });

  // A new AIXpose recipe from the form the operation's schema and AIXpose's catalog build, priced as it is set.
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name: 'Dock street', exact: true }).click();
  await page.getByRole('grid', { name: 'Photos' }).getByRole('gridcell').first().click();
  await page.getByRole('button', { name: 'Run recipe…' }).click();
  await page.getByRole('button', { name: 'New recipe…' }).click();
  const editor = page.getByRole('region', { name: 'New recipe' });
  await editor.getByLabel('Provider').selectOption({ label: 'AIXpose' });
  await editor.getByLabel('Variants').fill('3');
  await editor.getByRole('checkbox', { name: /Interior style: japandi/ }).check();
  await expect(editor.getByTestId('recipe-cost')).toHaveText('Paid: charged by AIXpose · about 3 credits per photo');
  await page.screenshot({ path: 'test-results/screens/recipe-editor.png' });
  await editor.getByRole('button', { name: 'Save recipe' }).click();
  await expect(page.getByRole('dialog').getByRole('status')).toHaveText('1 photo · estimated 3 credits');
});
