import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { boxOf, thumbnailsLoaded, useHeadlessShoot } from '../support/e2e-shoot';

const TWO = ['photos/canon-s400_odd-exif-offsets.jpg', 'photos/cat_grayscale.jpg'];

const engine = useHeadlessShoot();

/** Every scroll container (and the page) that scrolls sideways, and every label whose text does not fit its box. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    interface El {
      tagName: string;
      className: unknown;
      scrollWidth: number;
      clientWidth: number;
      textContent: string | null;
      getAttribute(name: string): string | null;
      getClientRects(): { length: number };
      getBoundingClientRect(): { width: number };
    }
    const doc = (
      globalThis as unknown as { document: { querySelectorAll(selector: string): Iterable<El>; scrollingElement: El } }
    ).document;
    const view = globalThis as unknown as {
      getComputedStyle(el: El): { overflowX: string; textOverflow: string; clipPath: string };
    };
    const style = (el: El) => view.getComputedStyle(el);
    const name = (el: El): string =>
      `${el.tagName.toLowerCase()}.${String(el.className)} "${(el.textContent ?? '').slice(0, 40)}"`;
    const found: string[] = [];
    const page = doc.scrollingElement;
    if (page.scrollWidth > page.clientWidth)
      found.push(`the page scrolls sideways (${page.scrollWidth} > ${page.clientWidth})`);
    for (const el of doc.querySelectorAll('*')) {
      if (el.getClientRects().length === 0) continue; // not rendered
      const overflowX = style(el).overflowX;
      if ((overflowX === 'auto' || overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
        // The filmstrip is the one strip meant to scroll sideways, when a photo has many variants.
        if (!String(el.className).includes('filmstrip')) found.push(`scrolls sideways: ${name(el)}`);
      }
    }
    for (const el of doc.querySelectorAll('button, label, h1, h2, h3, h4, th, legend, summary, .nav-item, dt')) {
      // Not drawn, or drawn for screen readers only (a 1-pixel box, or clipped on purpose).
      if (el.getClientRects().length === 0 || el.getBoundingClientRect().width <= 1) continue;
      if (style(el).clipPath !== 'none') continue;
      // A name cut with an ellipsis and given in full as a tooltip is not clipped: it is shortened on purpose.
      const shortened = style(el).textOverflow === 'ellipsis' && el.getAttribute('title') !== null;
      if (!shortened && el.scrollWidth > el.clientWidth + 1) found.push(`clipped: ${name(el)}`);
    }
    return found;
  });
}

test('no view scrolls sideways or clips a label, with a 250-character shoot name, at 1280×800 and 1920×1080', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // ASCII with no space or hyphen (nothing a line may break at), within the 255 bytes a folder name may have.
  const longName = `Villa_${'HarbourViewTerrace_'.repeat(14)}`.slice(0, 250);
  expect(longName).toHaveLength(250);
  const { shootId, photos } = await engine.ingestShoot(longName, TWO);
  const enhance = await engine.recipe('Bright interior', 'enhance', { preset: 'auto', output: 'jpeg' });
  await engine.call('recipes.run', { recipeId: enhance, assetIds: [photos[0]?.id] });
  await engine.variantsDone(shootId, 1);

  for (const size of [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ]) {
    // A fresh window each time, as a new user's (the view remembers the shoot opened before).
    const context = await browser.newContext({ viewport: size });
    const page = await context.newPage();
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await page.goto(engine.server.url);
    const views: [string, () => Promise<void>][] = [
      ['hot folders', () => nav.getByRole('button', { name: 'Hot folders' }).click()],
      ['shoots', () => nav.getByRole('button', { name: /Shoots/ }).click()],
      [
        'shoot grid',
        async () => {
          await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name: longName, exact: true }).click();
          await thumbnailsLoaded(page.getByRole('grid', { name: 'Photos' }), 2);
        },
      ],
      ['grid with info', () => page.keyboard.press('i')],
      [
        'photo view with info',
        async () => {
          await page.getByRole('grid', { name: 'Photos' }).getByRole('gridcell').first().dblclick();
          await expect(page.getByTestId('photo-facts')).toBeVisible();
        },
      ],
      ['queue', () => nav.getByRole('button', { name: /Queue/ }).click()],
      ['export', () => nav.getByRole('button', { name: /Export/ }).click()],
      ['settings', () => nav.getByRole('button', { name: 'Settings' }).click()],
    ];
    for (const [view, open] of views) {
      await open();
      await expect.poll(() => overflowing(page), { message: `${view} at ${size.width}×${size.height}` }).toEqual([]);
    }
    await context.close();
  }
});

test('an error message appearing moves nothing under the pointer', async ({ page }) => {
  await page.goto(engine.server.url);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Hot folders' }).click();
  const watch = page.getByRole('button', { name: 'Watch folder' });
  const before = await boxOf(watch);
  await page.getByRole('textbox', { name: 'Folder path' }).fill(path.join(engine.incoming, 'no such folder'));
  await watch.click();
  await expect(page.getByRole('alert')).toBeVisible();
  expect(await boxOf(watch)).toBe(before);
});
