import { expect, test, type Page } from '@playwright/test';
import { openShoot, thumbnailsLoaded, useHeadlessShoot } from '../support/e2e-shoot';

const engine = useHeadlessShoot();

/** What the page asks the engine for, as "method:shootId", from every socket it opens. */
function recordCalls(page: Page): string[] {
  const calls: string[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => {
      const sent = JSON.parse(String(frame.payload)) as { type?: string; method?: string; args?: { shootId?: string } };
      if (sent.type === 'call' && sent.method) calls.push(`${sent.method}:${sent.args?.shootId ?? ''}`);
    });
  });
  return calls;
}

test('a shoot is loaded once per opening: on a click, after a reload, and not again back from a photo', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const { shootId } = await engine.ingestShoot('Pier', [
    'photos/grace_hopper.jpg',
    'photos/dune_canon-rebel.jpg',
    'photos/storm_canon-400d.jpg',
  ]);
  const calls = recordCalls(page);
  const loads = (): string[] =>
    calls.filter((call) => call.endsWith(`:${shootId}`) && /^(assets|jobs|variants)\.list:/.test(call));
  const once = [`assets.list:${shootId}`, `jobs.list:${shootId}`, `variants.list:${shootId}`];
  /**
   * Loaded once: the variants are asked for after a load's last page of photos, so by then a second
   * load, started with the first, has asked for its photos too. No waiting for time to pass.
   */
  const loadedOnce = async (): Promise<void> => {
    await expect.poll(() => loads().includes(`variants.list:${shootId}`)).toBe(true);
    expect(loads().sort()).toEqual(once);
  };

  // A click on the shoot in the list.
  const grid = await openShoot(page, engine.server.url, 'Pier');
  await thumbnailsLoaded(grid, 3);
  await loadedOnce();

  // Into a photo and back: the grid is shown from what the store holds, events keep it current. A
  // load would start as the grid mounts, before it can take a key: a pick made after the return is
  // the mark that anything asked for on the way back has been sent.
  await grid.getByRole('gridcell').first().dblclick();
  await page.getByRole('button', { name: '← Shoot', exact: true }).click();
  await thumbnailsLoaded(grid, 3);
  await grid.getByRole('gridcell').first().click();
  await page.keyboard.press('p');
  await expect.poll(() => calls.filter((call) => call.startsWith('assets.cull')).length).toBe(1);
  expect(loads()).toHaveLength(3);

  // A reload reopens the shoot (from the view kept in localStorage): the start and the grid both want it.
  calls.splice(0);
  await page.reload();
  await thumbnailsLoaded(page.getByRole('grid', { name: 'Photos' }), 3);
  await loadedOnce();
});
