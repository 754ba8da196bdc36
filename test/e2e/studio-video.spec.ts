import { expect, test, type Locator, type Page } from '@playwright/test';
import { startAixposeSandbox } from '../sandbox/aixpose/server';
import { MODELS, startAivsSandbox, type AivsSandbox } from '../sandbox/aivisualstudio/server';
import { openShoot, thumbnailsLoaded, useHeadlessShoot } from '../support/e2e-shoot';
import { S3RVER_ACCESS_KEY_ID, startS3 } from '../support/s3';

const SHOTS = 'test-results/screens';

/** What the tests read of a <video> element (the e2e config has no DOM types). */
interface Playing {
  readyState: number;
  duration: number;
  currentTime: number;
  seeking: boolean;
}

const engine = useHeadlessShoot();
const closers: (() => Promise<unknown>)[] = [];
test.afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Job {
  id: string;
  state: string;
  operation: string;
  remoteId: string | null;
  costCharged: number | null;
}

/**
 * Byte ranges the page asked of our media routes and the status each got: a <video> asks for
 * ranges from its first request, and can seek only where the server answers them (206).
 */
function recordRanges(page: Page): { range: string; status: number }[] {
  const ranges: { range: string; status: number }[] = [];
  page.on('response', (response) => {
    const range = response.request().headers().range;
    if (response.url().includes('/media/variant/') && range) ranges.push({ range, status: response.status() });
  });
  return ranges;
}

/**
 * Plays the video in `player` as an editor would: it plays (time advances), seeks to the middle
 * with the bar (a Range request is made, and it lands there), and `.` steps exactly one frame.
 */
async function playsSeeksAndSteps(
  page: Page,
  player: Locator,
  ranges: { range: string; status: number }[],
  fps: number,
  name: string,
) {
  const video = player.locator('video');
  await expect
    .poll(() => video.evaluate((element) => (element as unknown as Playing).readyState))
    .toBeGreaterThanOrEqual(2);
  const duration = await video.evaluate((element) => (element as unknown as Playing).duration);
  expect(duration).toBeGreaterThan(1);

  await player.getByRole('button', { name: 'Play' }).click();
  await expect
    .poll(() => video.evaluate((element) => (element as unknown as Playing).currentTime))
    .toBeGreaterThan(0.3);
  await player.getByRole('button', { name: 'Pause' }).click();
  await page.screenshot({ path: `${SHOTS}/${name}-playing.png` });

  const middle = duration / 2;
  // A click in the middle of the bar, as a hand would scrub.
  const bar = player.getByRole('slider', { name: 'Position' });
  const box = await bar.boundingBox();
  if (!box) throw new Error('the position bar is not shown');
  await bar.click({ position: { x: box.width / 2, y: box.height / 2 } });
  await expect
    .poll(() => video.evaluate((element) => (element as unknown as Playing).currentTime))
    .toBeCloseTo(middle, 0);
  await expect.poll(() => video.evaluate((element) => (element as unknown as Playing).seeking)).toBe(false);
  // The player asked for byte ranges and got them (a small file is then buffered whole, so the
  // seek itself may need no further request).
  expect(ranges.length, 'the player asks for byte ranges').toBeGreaterThan(0);
  expect(ranges.every((asked) => asked.status === 206)).toBe(true);

  // Frame steps with the keys, paused: three forward, one back, each exactly one frame.
  const frame = async () =>
    Math.floor((await video.evaluate((element) => (element as unknown as Playing).currentTime)) * fps + 1e-6);
  const settled = () =>
    expect.poll(() => video.evaluate((element) => (element as unknown as Playing).seeking)).toBe(false);
  await player.focus();
  const start = await frame();
  for (const [key, expected] of [
    ['.', start + 1],
    ['.', start + 2],
    ['.', start + 3],
    [',', start + 2],
  ] as const) {
    await page.keyboard.press(key);
    await settled();
    expect(await frame(), `after ${key}`).toBe(expected);
  }
  await page.screenshot({ path: `${SHOTS}/${name}-stepped.png` });
}

test('a new user generates 4 images from a prompt, picks one, animates it, and plays the video', async ({ page }) => {
  test.setTimeout(180_000);
  const sandbox: AivsSandbox = await startAivsSandbox({ durationsMs: { image: 500, video: 1_000 } });
  closers.push(() => sandbox.close());
  const s3 = await startS3();
  closers.push(s3.close);
  await engine.call('providers.configure', { provider: 'aivisualstudio', baseUrl: sandbox.baseUrl });
  await engine.call('providers.setKey', { provider: 'aivisualstudio', key: sandbox.apiKey });
  await engine.call('staging.configure', {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: S3RVER_ACCESS_KEY_ID,
    secretAccessKey: 'staging-secret',
  });
  await engine.ingestShoot('Loft concepts', ['photos/grace_hopper.jpg']);
  const ranges = recordRanges(page);

  const grid = await openShoot(page, engine.server.url, 'Loft concepts');
  await thumbnailsLoaded(grid, 1);
  await page
    .getByRole('toolbar', { name: 'Images and video' })
    .getByRole('button', { name: 'Generate images…' })
    .click();
  const images = page.getByRole('dialog', { name: 'Generate images' });
  await images.getByRole('textbox', { name: 'Prompt' }).fill('A sunlit loft with tall windows and a linen sofa');
  await expect(images.getByRole('combobox', { name: 'Model' })).toContainText('Z-Image Turbo · 5 credits an image');
  await images.getByRole('spinbutton', { name: 'How many' }).fill('4');
  await expect(images.getByTestId('images-estimate')).toHaveText('4 images · 20 credits');
  await images.getByRole('checkbox').check();
  await page.screenshot({ path: `${SHOTS}/studio-generate.png` });
  await images.getByRole('button', { name: 'Generate 4' }).click();

  const items = page.getByTestId('generated-item');
  await expect(items).toHaveCount(4, { timeout: 60_000 });
  await expect
    .poll(() =>
      items
        .locator('img')
        .evaluateAll(
          (all) => all.filter((image) => (image as unknown as { naturalWidth: number }).naturalWidth > 0).length,
        ),
    )
    .toBe(4);
  const chosen = items.first();
  await chosen.getByRole('button', { name: 'Pick' }).click();
  await expect(chosen).toHaveAttribute('data-pick', 'picked');

  await chosen.getByRole('button', { name: 'Animate…' }).click();
  const animate = page.getByRole('dialog', { name: 'Animate' });
  await animate.getByRole('textbox', { name: 'Prompt' }).fill('A slow push in; the curtains move');
  await animate.getByRole('spinbutton', { name: 'Duration in seconds' }).fill('4');
  const hailuo = MODELS.find((model) => model.id === 'minimax/hailuo-2.3-fast');
  // The cost said before sending is the model's price per generation.
  await expect(animate.getByTestId('animate-estimate')).toHaveText(
    `This video costs ${hailuo?.credits_per_generation ?? 0} credits.`,
  );
  await animate.getByRole('checkbox').check();
  await page.screenshot({ path: `${SHOTS}/studio-animate.png` });
  await animate.getByRole('button', { name: 'Animate' }).click();

  const clip = page.locator('[data-testid="generated-item"][data-kind="video"]');
  await expect(clip).toHaveCount(1, { timeout: 90_000 });
  const jobs = (await engine.call<{ jobs: Job[] }>('jobs.list', {})).jobs;
  const animated = jobs.find((job) => job.operation === 'animate');
  if (!animated?.remoteId) throw new Error('the animation has no generation');
  const generation = sandbox.generation(animated.remoteId);
  if (!generation) throw new Error('the sandbox does not know the animation');
  // The charge recorded is the sandbox's; the frame it started from was the picked picture, staged.
  expect(animated.costCharged).toBe(generation.creditsCharged);
  expect(generation.creditsCharged).toBe(hailuo?.credits_per_generation);
  expect(generation.firstFrame?.format).toBe('jpeg');
  expect(sandbox.violations).toEqual([]);

  await clip.getByRole('button', { name: 'Play' }).click();
  const player = page.getByTestId('video-player');
  await expect(player.getByTestId('video-info')).toContainText('H.264');
  await expect(player.getByTestId('video-info')).toContainText('256 × 144');
  await playsSeeksAndSteps(page, player, ranges, 2, 'studio-video');
});

test('an AIXpose listing video plays, seeks and steps the same way', async ({ page }) => {
  test.setTimeout(180_000);
  const sandbox = await startAixposeSandbox({ speed: 50, credits: 1000 });
  closers.push(() => sandbox.close());
  await engine.call('providers.configure', { provider: 'aixpose', baseUrl: sandbox.baseUrl });
  await engine.call('providers.setKey', { provider: 'aixpose', key: sandbox.apiKey });
  const { shootId, photos } = await engine.ingestShoot('Mill house', ['photos/grace_hopper.jpg']);
  const enhance = await engine.recipe('Enhance', 'enhance', { preset: 'auto', output: 'jpeg' });
  await engine.call('recipes.run', { recipeId: enhance, assetIds: [photos[0]?.id ?? ''] });
  await engine.variantsDone(shootId, 1);
  const [variant] = await engine.call<{ id: string }[]>('variants.list', { shootId });
  await engine.call('variants.update', { id: variant?.id ?? '', approved: true });
  await engine.call('shoots.runOperation', {
    shootId,
    provider: 'aixpose',
    operation: 'video',
    params: { sceneContext: 'A quiet mill house by the river.' },
    approve: true,
  });
  const ranges = recordRanges(page);

  const grid = await openShoot(page, engine.server.url, 'Mill house');
  await thumbnailsLoaded(grid, 1);
  const clip = page.locator('[data-testid="generated-item"][data-kind="video"]');
  await expect(clip).toHaveCount(1, { timeout: 120_000 });
  await clip.getByRole('button', { name: 'Play' }).click();
  const player = page.getByTestId('video-player');
  await expect(player.getByTestId('video-info')).toContainText('H.264');
  await playsSeeksAndSteps(page, player, ranges, 4, 'aixpose-video');
});
