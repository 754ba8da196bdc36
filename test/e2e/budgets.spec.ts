import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

const CORPUS = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');
const PHOTOS = ['photos/grace_hopper.jpg', 'photos/cat_grayscale.jpg'];

let server: HeadlessProcess;
let dataDir: string;
let incoming: string;
let api: WebSocketBridge;

test.beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-e2e-'));
  incoming = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-incoming-')));
  server = await startHeadless({ dataDir });
  api = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}` });
});

test.afterEach(async () => {
  api.close();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

async function call<T>(method: string, args: Record<string, unknown>): Promise<T> {
  const envelope = (await api.invoke(method as never, args as never)) as { ok: boolean; result?: T; error?: unknown };
  if (!envelope.ok) throw new Error(`${method}: ${JSON.stringify(envelope.error)}`);
  return envelope.result as T;
}

test('a shoot with AIXpose and ProductAI work shows two budgets in their units; approving one releases only its job', async ({
  page,
}) => {
  test.setTimeout(90_000);
  // Nothing is sent: the queue is paused before any work exists.
  await call('queue.pause', { scope: 'global' });
  await call('hotFolders.add', { path: incoming, defaultRecipeId: null });
  fs.mkdirSync(path.join(incoming, 'Harbour loft'));
  for (const photo of PHOTOS)
    fs.copyFileSync(path.join(CORPUS, photo), path.join(incoming, 'Harbour loft', path.basename(photo)));
  await expect.poll(async () => (await call<{ id: string }[]>('shoots.list', {})).length, { timeout: 20_000 }).toBe(1);
  const shootId = (await call<{ id: string }[]>('shoots.list', {}))[0]?.id ?? '';
  await expect
    .poll(async () => (await call<{ assets: { state: string }[] }>('assets.list', { shootId })).assets.length, {
      timeout: 30_000,
    })
    .toBe(2);
  const assetIds = (await call<{ assets: { id: string }[] }>('assets.list', { shootId })).assets.map(
    (asset) => asset.id,
  );
  await call('budgets.set', { shootId, provider: 'aixpose', cap: 100, autoApprove: true });
  await call('budgets.set', { shootId, provider: 'productai', cap: 50, autoApprove: false });
  const staging = await call<{ id: string }>('recipes.create', {
    name: 'Staging',
    provider: 'aixpose',
    operation: 'enhance',
    params: { actions: ['interior-style-japandi'], variants: 2 },
  });
  const upscale = await call<{ id: string }>('recipes.create', {
    name: 'Upscale',
    provider: 'productai',
    operation: 'upscale',
    params: {},
  });
  await call('recipes.run', { recipeId: staging.id, assetIds });
  await call('recipes.run', { recipeId: upscale.id, assetIds: [assetIds[0]] });

  await page.goto(server.url);
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name: 'Harbour loft', exact: true }).click();
  const aixpose = page.getByRole('group', { name: 'AIXpose budget' });
  const productai = page.getByRole('group', { name: 'ProductAI budget' });
  await expect(aixpose).toContainText('4 credits committed of a 100 credits cap');
  await expect(productai).toContainText('0 tokens committed of a 50 tokens cap');
  await expect(productai).toContainText('1 job waits for approval (about 20 tokens)');
  await expect(aixpose.getByRole('button', { name: /Approve/ })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/budgets-per-provider.png' });

  await productai.getByRole('button', { name: 'Approve 20 tokens' }).click();
  await expect(productai).toContainText('20 tokens committed of a 50 tokens cap');
  await expect(
    page.getByRole('status').filter({ hasText: 'Approved 20 tokens at ProductAI: 1 job released.' }),
  ).toBeVisible();
});
