import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import type { Mask } from '../../shared/mask';
import { rasterizeStrokes } from '../../shared/mask-raster';
import { renderMask } from '../../main/engine/masks/render-mask';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

const CORPUS = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');
const SHOTS = 'test-results/screens';

let server: HeadlessProcess;
let dataDir: string;
let incoming: string;
let api: WebSocketBridge;

test.beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-e2e-'));
  incoming = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-incoming-')));
  server = await startHeadless({ dataDir });
  api = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}` });
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('engine stderr', { body: server.stderr(), contentType: 'text/plain' });
  }
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

interface Photo {
  id: string;
  width: number;
  height: number;
  shootId: string;
}

/** One photo in a watched folder's shoot, read. */
async function ingest(file: string, bytes?: Buffer): Promise<Photo> {
  await call('hotFolders.add', { path: incoming, defaultRecipeId: null });
  fs.mkdirSync(path.join(incoming, 'Front garden'));
  const target = path.join(incoming, 'Front garden', path.basename(file));
  if (bytes) fs.writeFileSync(target, bytes);
  else fs.copyFileSync(path.join(CORPUS, file), target);
  await expect.poll(async () => (await call<{ id: string }[]>('shoots.list', {})).length, { timeout: 20_000 }).toBe(1);
  const shootId = (await call<{ id: string }[]>('shoots.list', {}))[0]?.id ?? '';
  let photo: Photo | undefined;
  await expect
    .poll(
      async () => {
        const { assets } = await call<{ assets: (Photo & { state: string })[] }>('assets.list', { shootId });
        photo = assets.find((asset) => asset.state === 'ok');
        return photo !== undefined;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  return { ...(photo as Photo), shootId };
}

/** The app, on the shoot of the ingested photo. */
async function openShoot(page: Page): Promise<void> {
  await page.goto(server.url);
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name: 'Front garden', exact: true }).click();
}

/** The photo opened from the grid, and its mask of this purpose in the editor. */
async function openEditor(page: Page, purpose: string): Promise<void> {
  await openShoot(page);
  await page.getByRole('grid', { name: 'Photos' }).getByRole('gridcell').first().dblclick();
  await page.getByRole('combobox', { name: 'Paint a mask' }).selectOption(purpose);
  await expect(page.getByTestId('mask-stage')).toHaveAttribute('data-ready', 'true');
}

async function redactRecipe(): Promise<string> {
  const recipe = await call<{ id: string }>('recipes.create', {
    name: 'Redact (pixelate)',
    provider: 'local',
    operation: 'redact',
    params: { style: 'pixelate', strength: 0.03, output: 'png' },
  });
  return recipe.id;
}

/** Where a point of the upright photo is on screen now (the photo layer's box, as transformed). */
async function onScreen(page: Page, photo: Photo, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = await page.locator('.mask-photo').boundingBox();
  if (!box) throw new Error('the photo is not shown');
  return { x: box.x + (x / photo.width) * box.width, y: box.y + (y / photo.height) * box.height };
}

/** A stroke through these photo points with real mouse events (button: left paints, right erases). */
async function drag(page: Page, photo: Photo, points: [number, number][], button: 'left' | 'right' = 'left') {
  const [first, ...rest] = points;
  if (!first) return;
  const start = await onScreen(page, photo, first[0], first[1]);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down({ button });
  for (const [x, y] of rest) {
    const at = await onScreen(page, photo, x, y);
    await page.mouse.move(at.x, at.y, { steps: 12 });
  }
  await page.mouse.up({ button });
}

/** The overlay's values (its alpha: 0–255 per proxy pixel) and its size; `count` counts those ≥ 128 in the page. */
async function overlay(
  page: Page,
  count = false,
): Promise<{ width: number; height: number; values: Uint8Array; selected: number }> {
  const read = await page.locator('[data-testid="mask-overlay"]').evaluate((node, onlyCount) => {
    // Typed structurally: this file is compiled for Node, the function runs in the page.
    const canvas = node as unknown as {
      width: number;
      height: number;
      getContext: (kind: '2d') => { getImageData: (...box: number[]) => { data: Uint8ClampedArray } } | null;
    };
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const alpha = new Uint8Array(data.length / 4);
    let selected = 0;
    for (let index = 0; index < alpha.length; index++) {
      const value = data[index * 4 + 3] ?? 0;
      alpha[index] = value;
      if (value >= 128) selected++;
    }
    // Sent as text: a few megabytes of numbers as a JSON array would take seconds.
    let text = '';
    if (!onlyCount)
      for (let index = 0; index < alpha.length; index += 8192)
        text += String.fromCharCode(...alpha.subarray(index, index + 8192));
    return { width: canvas.width, height: canvas.height, selected, text: onlyCount ? '' : btoa(text) };
  }, count);
  return {
    width: read.width,
    height: read.height,
    selected: read.selected,
    values: new Uint8Array(Buffer.from(read.text, 'base64')),
  };
}

/**
 * Share of the editor's overlay pixels within `levels` of the engine's render of the same version at
 * the overlay's size (what is seen against what is sent), noted on the test.
 */
async function agreementWithEngine(page: Page, mask: Mask, levels: number, why: string): Promise<number> {
  const shown = await overlay(page);
  const engine = await renderMask(mask.content, shown.width, shown.height);
  let agree = 0;
  shown.values.forEach((value, index) => {
    if (Math.abs(value - (engine[index] ?? 0)) <= levels) agree++;
  });
  test.info().annotations.push({
    type: 'agreement',
    description: `${agree} of ${shown.values.length} proxy pixels (${shown.width}×${shown.height}) within ${levels} level(s)${why}`,
  });
  return agree / shown.values.length;
}

/** Selected proxy pixels (at least half). */
const painted = async (page: Page) => (await overlay(page, true)).selected;
/** Within 0.5%: a drawing rendered whole (undo) and painted segment by segment differ by a level at a few edge pixels. */
const about = (expected: number) => (actual: number) => Math.abs(actual - expected) <= expected * 0.005;

async function upright(file: Buffer | string, width: number, height: number): Promise<Buffer> {
  return sharp(file).rotate().resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
}

async function variantFile(photo: Photo): Promise<Buffer> {
  const [variant] = await call<{ mediaId: string }[]>('variants.list', { assetId: photo.id });
  if (!variant) throw new Error('no variant');
  const response = await fetch(
    `http://127.0.0.1:${server.port}/media/variant/${variant.mediaId}?token=${server.token}`,
  );
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** Pixels whose colour moved by more than a JPEG/rounding wobble. */
function changedPixels(before: Buffer, after: Buffer): Uint8Array {
  const changed = new Uint8Array(before.length / 3);
  for (let index = 0; index < changed.length; index++) {
    const at = index * 3;
    const moved = Math.max(
      Math.abs((before[at] ?? 0) - (after[at] ?? 0)),
      Math.abs((before[at + 1] ?? 0) - (after[at + 1] ?? 0)),
      Math.abs((before[at + 2] ?? 0) - (after[at + 2] ?? 0)),
    );
    changed[index] = moved > 3 ? 1 : 0;
  }
  return changed;
}

test('an editor paints the mask a waiting redaction asks for: paint, erase, undo, redo, invert, save; the file changes inside the mask only', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // 2560 × 1600: the editor paints on its 2048 px preview, the engine renders at full size.
  const photo = await ingest('photos/bythewater_nokia-n9.jpg');
  const recipeId = await redactRecipe();
  const run = await call<{ jobIds: string[]; awaitingInput: number }>('recipes.run', {
    recipeId,
    assetIds: [photo.id],
  });
  expect(run.awaitingInput).toBe(1);

  await openShoot(page);
  // The grid's "Needs a mask" opens the editor on that photo, for the redaction; so does the queue's row.
  await page.getByTestId('badge-needs-mask').click();
  await expect(page.getByRole('region', { name: 'Redact mask' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('region', { name: 'Redact mask' })).toBeHidden();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /Queue/ }).click();
  await page.getByRole('button', { name: 'Paint the mask' }).click();
  await expect(page.getByRole('region', { name: 'Redact mask' })).toBeVisible();
  await expect(page.getByTestId('mask-stage')).toHaveAttribute('data-ready', 'true');

  const { width: w, height: h } = photo;
  await drag(page, photo, [
    [0.2 * w, 0.35 * h],
    [0.8 * w, 0.35 * h],
  ]);
  await drag(page, photo, [
    [0.2 * w, 0.5 * h],
    [0.8 * w, 0.5 * h],
  ]);
  const afterPaint = await painted(page);
  expect(afterPaint).toBeGreaterThan(0);
  await page.screenshot({ path: `${SHOTS}/mask-painting.png` });
  // Right-drag erases across both bands.
  await drag(
    page,
    photo,
    [
      [0.5 * w, 0.2 * h],
      [0.5 * w, 0.65 * h],
    ],
    'right',
  );
  const afterErase = await painted(page);
  expect(afterErase).toBeLessThan(afterPaint);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => about(afterPaint)(await painted(page))).toBe(true);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => about(afterErase)(await painted(page))).toBe(true);

  // Holding H shows the photo without the overlay; letting go brings it back.
  await page.keyboard.down('h');
  await expect(page.getByTestId('mask-overlay')).toHaveCSS('opacity', '0');
  await page.screenshot({ path: `${SHOTS}/mask-overlay-hidden.png` });
  await page.keyboard.up('h');
  await expect(page.getByTestId('mask-overlay')).not.toHaveCSS('opacity', '0');
  // Z: 100%, and back to fit.
  await page.keyboard.press('z');
  await page.screenshot({ path: `${SHOTS}/mask-zoomed.png` });
  await page.keyboard.press('z');

  // Leaving with unsaved strokes asks first; declining keeps the editor and its strokes.
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.keyboard.press('Control+3');
  await expect.poll(() => asked).toContain('not saved');
  await expect(page.getByRole('region', { name: 'Redact mask' })).toBeVisible();

  await page.keyboard.press('Control+i');
  const { width: proxyWidth, height: proxyHeight } = await overlay(page, true);
  await expect.poll(() => painted(page)).toBeGreaterThan(proxyWidth * proxyHeight - afterErase * 1.01);
  await page.keyboard.press('Control+s');
  await expect(page.getByRole('status')).toContainText('Saved as version 1');

  const mask = await call<Mask>('masks.get', { assetId: photo.id, purpose: 'redact' });
  expect(mask.content.invert).toBe(true);
  expect(mask.content.strokes.map((stroke) => stroke.mode)).toEqual(['paint', 'paint', 'erase']);

  // Saving released the waiting job: the redaction runs on the saved version.
  await expect
    .poll(async () => (await call<{ state: string }>('jobs.get', { id: run.jobIds[0] })).state, { timeout: 30_000 })
    .toBe('done');
  const output = await variantFile(photo);
  const source = await upright(path.join(CORPUS, 'photos/bythewater_nokia-n9.jpg'), w, h);
  const result = await upright(output, w, h);
  const selection = await renderMask(mask.content, w, h);
  const changed = changedPixels(source, result);
  let outside = 0;
  let outsideChanged = 0;
  let inside = 0;
  let insideChanged = 0;
  let feather = 0;
  let featherChanged = 0;
  selection.forEach((value, index) => {
    const moved = changed[index] ?? 0;
    if (value === 0) {
      outside++;
      outsideChanged += moved;
    } else if (value === 255) {
      inside++;
      insideChanged += moved;
    } else {
      feather++;
      featherChanged += moved;
    }
  });
  test.info().annotations.push({
    type: 'redact',
    description: `changed: inside ${insideChanged}/${inside}, feather ${featherChanged}/${feather}, outside ${outsideChanged}/${outside}`,
  });
  expect(outsideChanged).toBe(0);
  expect(insideChanged / inside).toBeGreaterThan(0.6);
  expect(featherChanged / feather).toBeGreaterThan(0.3);

  // Opened again, the editor draws the saved version as the engine renders it.
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('combobox', { name: 'Paint a mask' }).selectOption('redact');
  await expect(page.getByTestId('mask-stage')).toHaveAttribute('data-ready', 'true');
  await expect.poll(() => painted(page)).toBeGreaterThan(0);
  expect(await agreementWithEngine(page, mask, 1, '')).toBeGreaterThanOrEqual(0.99);
});

test('pen pressure: the same stroke at 0.2 and at full pressure saves two widths', async ({ page }) => {
  test.setTimeout(90_000);
  const photo = await ingest('photos/grace_hopper.jpg');
  await openEditor(page, 'exterior');

  // A pen through the browser's own input pipeline (Chrome DevTools Protocol), with its force.
  const cdp = await page.context().newCDPSession(page);
  const pen = async (
    type: 'mousePressed' | 'mouseMoved' | 'mouseReleased',
    at: { x: number; y: number },
    force: number,
  ) =>
    cdp.send('Input.dispatchMouseEvent', {
      type,
      x: at.x,
      y: at.y,
      button: 'left',
      buttons: type === 'mouseReleased' ? 0 : 1,
      clickCount: 1,
      pointerType: 'pen',
      force,
    });
  for (const [y, force] of [
    [0.3, 0.2],
    [0.7, 1],
  ] as const) {
    await pen('mousePressed', await onScreen(page, photo, 0.2 * photo.width, y * photo.height), force);
    for (let step = 1; step <= 20; step++) {
      await pen('mouseMoved', await onScreen(page, photo, (0.2 + 0.03 * step) * photo.width, y * photo.height), force);
    }
    await pen('mouseReleased', await onScreen(page, photo, 0.8 * photo.width, y * photo.height), force);
  }
  await page.keyboard.press('Control+s');
  await expect(page.getByRole('status')).toContainText('Saved as version 1');

  const mask = await call<Mask>('masks.get', { assetId: photo.id, purpose: 'exterior' });
  expect(mask.content.strokes).toHaveLength(2);
  const pressures = mask.content.strokes.map((stroke) => stroke.points[1]?.pressure);
  expect(pressures[0]).toBeCloseTo(0.2, 2);
  expect(pressures[1]).toBeCloseTo(1, 2);
  const rendered = rasterizeStrokes(mask.content, photo.width, photo.height);
  const column = Math.round(0.5 * photo.width);
  const widthAround = (y: number) => {
    let count = 0;
    for (let row = Math.round((y - 0.15) * photo.height); row < Math.round((y + 0.15) * photo.height); row++) {
      if ((rendered[row * photo.width + column] ?? 0) >= 128) count++;
    }
    return count;
  };
  const light = widthAround(0.3);
  const firm = widthAround(0.7);
  test.info().annotations.push({ type: 'widths', description: `pressure 0.2: ${light} px; pressure 1.0: ${firm} px` });
  expect(light).toBeGreaterThan(0);
  expect(light).toBeLessThan(firm * 0.5);
});

test('a saved version with raster layers (an imported PNG, one with alpha and one without) opens as the engine renders it', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const photo = await ingest('photos/grace_hopper.jpg');
  // A selection with alpha (a soft disc) and one without (a grey ramp, read as its grey level), at a
  // size other than the photo's: both are stretched over it.
  const side = 64;
  const disc = Buffer.alloc(side * side * 4);
  const ramp = Buffer.alloc(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      disc[(y * side + x) * 4 + 3] = Math.max(0, 255 - Math.round(Math.hypot(x - 20, y - 40) * 12));
      ramp[y * side + x] = x >= 40 ? Math.round(((x - 40) / 23) * 200) : 0;
    }
  }
  const png = async (raw: Buffer, channels: 1 | 4) =>
    (
      await sharp(raw, { raw: { width: side, height: side, channels } })
        .png()
        .toBuffer()
    ).toString('base64');
  await call('masks.save', {
    assetId: photo.id,
    purpose: 'heal',
    content: {
      width: photo.width,
      height: photo.height,
      rasters: [
        { png: await png(disc, 4), mode: 'paint' },
        { png: await png(ramp, 1), mode: 'paint', opacity: 0.8 },
      ],
      strokes: [
        {
          points: [
            { x: 100, y: 500 },
            { x: 400, y: 80 },
          ],
          size: 30,
          hardness: 0.5,
          mode: 'erase',
        },
      ],
    },
  });
  await openEditor(page, 'heal');
  await expect.poll(() => painted(page)).toBeGreaterThan(0);
  const mask = await call<Mask>('masks.get', { assetId: photo.id, purpose: 'heal' });
  expect(
    await agreementWithEngine(page, mask, 2, ' (raster layers resampled by the browser and by sharp)'),
  ).toBeGreaterThanOrEqual(0.99);
});

/** A red/green checkered ellipse on a red/blue checkered ground (PNG: exact colours): they share red. */
async function checkeredObject() {
  const [width, height] = [640, 480];
  const rgb = Buffer.alloc(width * height * 3);
  const [cx, cy, rx, ry] = [width / 2, height / 2, width * 0.22, height * 0.22];
  const inside = (x: number, y: number) => ((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const checker = (Math.floor(x / 4) + Math.floor(y / 4)) % 2 === 0;
      const colour = checker ? [200, 60, 60] : inside(x, y) ? [60, 200, 60] : [60, 60, 200];
      rgb.set(colour, (y * width + x) * 3);
    }
  }
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  return { width, height, cx, cy, rx, ry, inside, png };
}

/** Share of the overlay's selected pixels and the object's that overlap (intersection over union). */
async function overlayIoU(page: Page, inside: (x: number, y: number) => boolean, width: number, height: number) {
  const shown = await overlay(page);
  let both = 0;
  let either = 0;
  shown.values.forEach((value, index) => {
    const x = ((index % shown.width) + 0.5) * (width / shown.width) - 0.5;
    const y = (Math.floor(index / shown.width) + 0.5) * (height / shown.height) - 0.5;
    const selected = value >= 128;
    const object = inside(x, y);
    if (selected && object) both++;
    if (selected || object) either++;
  });
  return both / either;
}

test('refine to edges: a rough stroke inside an object that shares colours with its ground snaps to its border, and can be painted over and undone', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const { width, height, cx, cy, rx, ry, inside, png } = await checkeredObject();
  const photo = await ingest('object.png', png);
  await openEditor(page, 'exterior');
  // A rough scribble over the object, as a hand does it: past the border in places, short of it in others.
  await page.getByRole('slider', { name: 'Size' }).fill('0.06');
  for (const [dy, over] of [
    [-0.75, 1.15],
    [-0.4, 0.9],
    [0, 1.1],
    [0.4, 0.95],
    [0.75, 1.05],
  ] as const) {
    const half = rx * Math.sqrt(1 - dy * dy) * over;
    await drag(page, photo, [
      [cx - half, cy + dy * ry],
      [cx + half, cy + dy * ry],
    ]);
  }
  const roughIoU = await overlayIoU(page, inside, width, height);
  await page.getByRole('button', { name: 'Refine to edges' }).click();
  await expect(page.getByRole('status')).toContainText('Refined to the edges', { timeout: 30_000 });
  // The overlay shows the step at the next frame.
  await expect.poll(() => overlayIoU(page, inside, width, height)).toBeGreaterThanOrEqual(0.9);
  const refinedIoU = await overlayIoU(page, inside, width, height);
  test.info().annotations.push({
    type: 'IoU',
    description: `with the object: the rough scribble ${roughIoU.toFixed(3)}, refined ${refinedIoU.toFixed(3)}`,
  });
  expect(refinedIoU).toBeGreaterThanOrEqual(0.9);
  expect(refinedIoU).toBeGreaterThan(roughIoU);
  await page.screenshot({ path: `${SHOTS}/mask-refined.png` });

  // Painting over the refined area adds to it; undo takes the stroke back, a second undo the refinement.
  const afterRefine = await painted(page);
  await drag(page, photo, [
    [40, 40],
    [200, 40],
  ]);
  await expect.poll(() => painted(page)).toBeGreaterThan(afterRefine);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => about(afterRefine)(await painted(page))).toBe(true);
  await page.keyboard.press('Control+s');
  await expect(page.getByRole('status')).toContainText('Saved as version 1');
  const mask = await call<Mask>('masks.get', { assetId: photo.id, purpose: 'exterior' });
  expect({ rasters: mask.content.rasters.length, strokes: mask.content.strokes.length }).toEqual({
    rasters: 1,
    strokes: 0,
  });

  // Two more frames of the same framing arrive; the refined mask is applied to both from the library.
  for (const [name, brightness] of [
    ['object-2.png', 1.1],
    ['object-3.png', 1.2],
  ] as const) {
    fs.writeFileSync(
      path.join(incoming, 'Front garden', name),
      await sharp(png).modulate({ brightness }).png().toBuffer(),
    );
  }
  await expect
    .poll(async () => (await call<{ assets: unknown[] }>('assets.list', { shootId: photo.shootId })).assets.length, {
      timeout: 30_000,
    })
    .toBe(3);
  // The grid learns of them through events; the library lists the shoot's photos from there.
  await page.getByText('Masks of this photo').click();
  await page.getByRole('button', { name: 'Apply to other photos…' }).click();
  await expect(page.getByRole('button', { name: 'Apply to 2 photos' })).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/mask-library.png` });
  await page.getByRole('button', { name: 'Apply to 2 photos' }).click();
  await expect(page.getByText('Applied to 2 photos.')).toBeVisible();
  // Renamed in place (no browser prompt: Electron has none).
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByRole('textbox', { name: 'New name' }).fill('Garden');
  await page.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByText('Renamed to “Garden”.')).toBeVisible();
  const { assets } = await call<{ assets: { id: string }[] }>('assets.list', { shootId: photo.shootId });
  for (const other of assets.filter((one) => one.id !== photo.id)) {
    const copy = await call<Mask>('masks.get', { assetId: other.id, purpose: 'exterior' });
    expect(copy).toMatchObject({ version: 1, name: mask.name });
    expect(copy.content.rasters).toEqual(mask.content.rasters);
  }
});

test('the box tool refines what a box holds to its edges, and the colour tool adds a colour as a layer', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const { width, height, cx, cy, rx, ry, inside, png } = await checkeredObject();
  const photo = await ingest('object.png', png);
  await openEditor(page, 'exterior');
  await page.getByRole('button', { name: 'Box', exact: true }).click();
  // A box a fifth larger than the object each way.
  await drag(page, photo, [
    [cx - rx * 1.2, cy - ry * 1.2],
    [cx + rx * 1.2, cy + ry * 1.2],
  ]);
  await expect(page.getByRole('status')).toContainText('The object in the box is selected', { timeout: 30_000 });
  await expect.poll(() => overlayIoU(page, inside, width, height)).toBeGreaterThanOrEqual(0.9);
  const fromBox = await overlayIoU(page, inside, width, height);
  test.info().annotations.push({ type: 'IoU', description: `refined from a box: ${fromBox.toFixed(3)}` });
  expect(fromBox).toBeGreaterThanOrEqual(0.9);

  // The colour tool on the ground's blue (connected, so the whole ground except the object's red) adds a layer.
  const before = await painted(page);
  await page.getByRole('button', { name: 'Colour', exact: true }).click();
  await page.getByRole('slider', { name: 'Tolerance' }).fill('0.05');
  const at = await onScreen(page, photo, 5.5, 1.5);
  await page.mouse.click(at.x, at.y);
  await expect(page.getByRole('status')).toContainText('Colour selected', { timeout: 30_000 });
  // The status is said when the step is taken; the overlay shows it at the next frame.
  await expect.poll(() => painted(page)).toBeGreaterThan(before);
  await page.keyboard.press('Control+s');
  await expect(page.getByRole('status')).toContainText('Saved as version 1');
  const mask = await call<Mask>('masks.get', { assetId: photo.id, purpose: 'exterior' });
  expect(mask.content.rasters).toHaveLength(2);
});

test('on an orientation-6 photo, a mask painted over a marker on screen lands on it, and stays on it when the window is resized', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // Upright 600 × 400: flat grey with a fine checkered marker at (380–460, 120–200); stored turned,
  // with orientation 6 (turn 90° clockwise to show).
  const width = 600;
  const height = 400;
  const marker = { left: 380, top: 120, right: 460, bottom: 200 };
  const pixels = Buffer.alloc(width * height * 3, 128);
  for (let y = marker.top; y < marker.bottom; y++) {
    for (let x = marker.left; x < marker.right; x++) {
      const value = (Math.floor(x / 4) + Math.floor(y / 4)) % 2 === 0 ? 20 : 235;
      pixels.fill(value, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  const stored = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .rotate(270)
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 95 })
    .toBuffer();
  const photo = await ingest('turned.jpg', stored);
  expect({ width: photo.width, height: photo.height }).toEqual({ width, height });

  await openEditor(page, 'redact');
  // A hard 16 px brush, passes 8 px apart inside the marker, 8 px in from its edges.
  await page.getByRole('slider', { name: 'Hardness' }).fill('1');
  await page.getByRole('slider', { name: 'Size' }).fill(String(16 / width));
  for (let y = marker.top + 8; y <= marker.bottom - 8; y += 8) {
    await drag(page, photo, [
      [marker.left + 8, y],
      [marker.right - 8, y],
    ]);
  }

  const paintedBox = async () => {
    const { width: proxyWidth, height: proxyHeight, values } = await overlay(page);
    let left = Infinity;
    let top = Infinity;
    let right = -Infinity;
    let bottom = -Infinity;
    values.forEach((value, index) => {
      if (value < 128) return;
      const x = index % proxyWidth;
      const y = Math.floor(index / proxyWidth);
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
    });
    const sx = width / proxyWidth;
    const sy = height / proxyHeight;
    return { left: left * sx, top: top * sy, right: right * sx, bottom: bottom * sy };
  };
  const near = (box: { left: number; top: number; right: number; bottom: number }) => {
    for (const side of ['left', 'top', 'right', 'bottom'] as const)
      expect(Math.abs(box[side] - marker[side])).toBeLessThan(4);
  };
  near(await paintedBox());
  const before = await page.locator('.mask-photo').boundingBox();

  // A smaller window: the photo and the drawing move together and the drawing stays on the marker.
  await page.setViewportSize({ width: 900, height: 640 });
  const boxes = async () => {
    const [drawing, picture] = await Promise.all([
      page.locator('.mask-overlay').boundingBox(),
      page.locator('.mask-photo').boundingBox(),
    ]);
    return { drawing, picture, same: JSON.stringify(drawing) === JSON.stringify(picture) };
  };
  // The stage followed the window (the photo moved), and the drawing moved with it.
  await expect.poll(async () => JSON.stringify((await boxes()).picture)).not.toBe(JSON.stringify(before));
  expect((await boxes()).same).toBe(true);
  near(await paintedBox());
  await page.keyboard.press('Control+s');
  await expect(page.getByRole('status')).toContainText('Saved as version 1');
  // The brush is remembered: opened again, the editor has the same hard, small brush.
  await page.keyboard.press('Escape');
  await page.getByRole('combobox', { name: 'Paint a mask' }).selectOption('redact');
  await expect(page.getByRole('slider', { name: 'Hardness' })).toHaveValue('1');
  // The slider keeps its steps of 0.001: 16 / 600 is kept as 0.027.
  await expect(page.getByRole('slider', { name: 'Size' })).toHaveValue('0.027');

  const recipeId = await redactRecipe();
  const run = await call<{ jobIds: string[] }>('recipes.run', { recipeId, assetIds: [photo.id] });
  await expect
    .poll(async () => (await call<{ state: string }>('jobs.get', { id: run.jobIds[0] })).state, { timeout: 30_000 })
    .toBe('done');
  const changed = changedPixels(
    await upright(stored, width, height),
    await upright(await variantFile(photo), width, height),
  );
  let both = 0;
  let either = 0;
  changed.forEach((moved, index) => {
    const x = index % width;
    const y = Math.floor(index / width);
    const inMarker = x >= marker.left && x < marker.right && y >= marker.top && y < marker.bottom;
    if (moved && inMarker) both++;
    if (moved || inMarker) either++;
  });
  test.info().annotations.push({ type: 'IoU', description: `${(both / either).toFixed(3)} (${both} / ${either})` });
  expect(both / either).toBeGreaterThanOrEqual(0.9);
});
