/**
 * UI bench: how smoothly the renderer draws the two things an editor does most, measured in
 * Chromium against the real headless server, each beside a floor measured in the same run:
 *   - scrolling the virtualised grid of a 5,000-photo shoot at ~3,000 px/s, down then up, vs the
 *     same scrolling of an empty div of the same size;
 *   - dragging the compare slider's divider over a 24 MP photo and its variant, vs the same mouse
 *     moves on an empty page.
 * Frame times are the intervals between requestAnimationFrame callbacks in the page. The main
 * thread's time split (script, style, layout) comes from the Chrome DevTools Performance domain.
 * Nothing is asserted: this prints figures.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type Page } from '@playwright/test';
import sharp from 'sharp';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { call, openShoot, sleep, START_RECORDING, STOP_RECORDING, until } from './bench-page';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIG_PHOTO = path.join(ROOT, 'test', 'fixtures', 'corpus', 'photos', 'sony-ilce6000_6000x4000.jpg');
const GRID_SHOOT = 'UI bench grid';
const COMPARE_SHOOT = 'UI bench compare';
const PHOTOS = 5_000;
const THUMB_WIDTH = 160;
const THUMB_HEIGHT = 120;
const VIEWPORT = { width: 1280, height: 800 };
const SCROLL_SPEED = 3_000; // px/s
const SCROLL_MS = 5_000; // each way
const SLIDER_MOVES = 200;
const SLIDER_MS = 4_000;
const FRAME_MS = 1000 / 60;

/** Main-thread time by kind during a measurement, in ms (from the Performance domain's counters). */
interface MainThread {
  task: number;
  script: number;
  style: number;
  layout: number;
}

interface FrameStats {
  frames: number;
  median: number;
  p95: number;
  max: number;
  /** When the longest frame ended, in seconds from the start of the measurement. */
  maxAt: number;
  /** Frames that took longer than 1.5 vsync intervals (at least one vsync missed). */
  long: number;
  main: MainThread;
}

/**
 * In-page: scroll `selector` down at `speed` px/s for `ms`, then back up for `ms`, moving it in a
 * requestAnimationFrame loop, and return the intervals between frames. A string, so the page gets
 * plain JavaScript whatever this file is compiled with.
 */
const SCROLL_AND_RECORD = `async ({ selector, speed, ms }) => {
  const el = document.querySelector(selector);
  if (!el) throw new Error('no element ' + selector);
  el.scrollTop = 0;
  const max = el.scrollHeight - el.clientHeight;
  const top = Math.min(max, (speed * ms) / 1000);
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return await new Promise((resolve) => {
    const intervals = [];
    let start = -1;
    let last = 0;
    const tick = (now) => {
      if (start < 0) start = now;
      else intervals.push(now - last);
      last = now;
      const t = now - start;
      if (t >= 2 * ms) {
        resolve(intervals);
        return;
      }
      const travelled = (speed * t) / 1000;
      el.scrollTop = t < ms ? Math.min(top, travelled) : Math.max(0, top - (travelled - top));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}`;

function ensureBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) return;
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

/** 5,000 distinct small JPEGs: a diagonal gradient between two colours that depend on the index, plus noise. */
async function generateThumbs(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  let next = 0;
  const worker = async (): Promise<void> => {
    const pixels = Buffer.alloc(THUMB_WIDTH * THUMB_HEIGHT * 3);
    while (next < PHOTOS) {
      const index = next++;
      const hue = (index * 137.508) % 360;
      const from = hsl(hue, 0.6, 0.35);
      const to = hsl((hue + 60 + (index % 7) * 20) % 360, 0.7, 0.65);
      let seed = (index + 1) * 2654435761;
      for (let y = 0; y < THUMB_HEIGHT; y++) {
        for (let x = 0; x < THUMB_WIDTH; x++) {
          const t = (x / THUMB_WIDTH + y / THUMB_HEIGHT) / 2;
          const offset = (y * THUMB_WIDTH + x) * 3;
          for (let channel = 0; channel < 3; channel++) {
            seed = (seed * 1103515245 + 12345) >>> 0;
            const noise = ((seed >>> 16) & 31) - 16;
            const value = (from[channel] ?? 0) * (1 - t) + (to[channel] ?? 0) * t + noise;
            pixels[offset + channel] = Math.max(0, Math.min(255, Math.round(value)));
          }
        }
      }
      await sharp(pixels, { raw: { width: THUMB_WIDTH, height: THUMB_HEIGHT, channels: 3 } })
        .jpeg({ quality: 82 })
        .toFile(path.join(dir, `IMG_${String(index + 1).padStart(5, '0')}.jpg`));
    }
  };
  await Promise.all([worker(), worker()]);
}

function hsl(hue: number, saturation: number, lightness: number): [number, number, number] {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const h = hue / 60;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1
      ? [chroma, x, 0]
      : h < 2
        ? [x, chroma, 0]
        : h < 3
          ? [0, chroma, x]
          : h < 4
            ? [0, x, chroma]
            : h < 5
              ? [x, 0, chroma]
              : [chroma, 0, x];
  const m = lightness - chroma / 2;
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

/** Waits until both shoots exist and every photo in them is ingested; returns the shoots' ids. */
async function waitForIngest(api: WebSocketBridge): Promise<{ gridId: string; compareId: string }> {
  return until('5,001 photos to be ingested', 20 * 60_000, async () => {
    const shoots = await call(api, 'shoots.list', {});
    const grid = shoots.find((shoot) => shoot.name === GRID_SHOOT);
    const compare = shoots.find((shoot) => shoot.name === COMPARE_SHOOT);
    if (!grid || !compare) return undefined;
    const [gridDetail, compareDetail] = await Promise.all([
      call(api, 'shoots.get', { id: grid.id }),
      call(api, 'shoots.get', { id: compare.id }),
    ]);
    const failed = gridDetail.assets.error + compareDetail.assets.error;
    if (failed > 0) throw new Error(`ui bench: ${failed} photos failed to ingest`);
    if (gridDetail.assets.ok < PHOTOS || compareDetail.assets.ok < 1) return undefined;
    return { gridId: grid.id, compareId: compare.id };
  });
}

async function enhanceBigPhoto(api: WebSocketBridge, compareId: string): Promise<void> {
  const { assets } = await call(api, 'assets.list', { shootId: compareId });
  const asset = assets[0];
  if (!asset) throw new Error('ui bench: the 24 MP photo is missing');
  const run = await call(api, 'recipes.run', { recipeId: 'local-auto-enhance', assetIds: [asset.id] });
  const jobId = run.jobIds[0];
  if (!jobId) throw new Error('ui bench: recipes.run made no job');
  await until('the enhance job', 5 * 60_000, async () => {
    const job = await call(api, 'jobs.get', { id: jobId });
    if (job.state === 'done') return true;
    if (['failed', 'canceled', 'needs_review'].includes(job.state))
      throw new Error(`ui bench: enhance job ended ${job.state}: ${job.lastError?.message ?? ''}`);
    return undefined;
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

function stats(intervals: readonly number[], main: MainThread): FrameStats {
  const sorted = [...intervals].sort((a, b) => a - b);
  let elapsed = 0;
  let maxAt = 0;
  let longest = -1;
  for (const interval of intervals) {
    elapsed += interval;
    if (interval > longest) [longest, maxAt] = [interval, elapsed / 1000];
  }
  return {
    frames: sorted.length,
    median: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted.at(-1) ?? Number.NaN,
    maxAt,
    long: sorted.filter((interval) => interval > FRAME_MS * 1.5).length,
    main,
  };
}

/** Runs `work` and returns the main thread's time by kind while it ran. */
async function mainThreadDuring<T>(page: Page, work: () => Promise<T>): Promise<{ result: T; main: MainThread }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const read = async (): Promise<MainThread> => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const value = (name: string): number => (metrics.find((metric) => metric.name === name)?.value ?? 0) * 1000;
    return {
      task: value('TaskDuration'),
      script: value('ScriptDuration'),
      style: value('RecalcStyleDuration'),
      layout: value('LayoutDuration'),
    };
  };
  const before = await read();
  const result = await work();
  const after = await read();
  await cdp.detach();
  return {
    result,
    main: {
      task: after.task - before.task,
      script: after.script - before.script,
      style: after.style - before.style,
      layout: after.layout - before.layout,
    },
  };
}

async function scrollAndRecord(page: Page, selector: string): Promise<FrameStats> {
  const { result, main } = await mainThreadDuring(page, async () => {
    const args = JSON.stringify({ selector, speed: SCROLL_SPEED, ms: SCROLL_MS });
    return await page.evaluate<number[]>(`(${SCROLL_AND_RECORD})(${args})`);
  });
  return stats(result, main);
}

/** Presses at `from`, moves back and forth between `left` and `right` (two round trips), releases. */
async function dragAndRecord(
  page: Page,
  from: { x: number; y: number },
  left: number,
  right: number,
): Promise<FrameStats> {
  await page.mouse.move(from.x, from.y);
  const { result, main } = await mainThreadDuring(page, async () => {
    await page.evaluate(START_RECORDING);
    await page.mouse.down();
    const start = performance.now();
    for (let step = 1; step <= SLIDER_MOVES; step++) {
      // A triangle wave starting at the divider: right, left, right, left, back to the middle.
      const phase = ((step / SLIDER_MOVES) * 2 + 0.25) % 1;
      const wave = phase < 0.5 ? phase * 2 : 2 - phase * 2;
      await page.mouse.move(left + (right - left) * wave, from.y);
      const due = start + (step * SLIDER_MS) / SLIDER_MOVES;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await page.mouse.up();
    return await page.evaluate<number[]>(STOP_RECORDING);
  });
  return stats(result, main);
}

/**
 * Polls a JavaScript expression in the page until it is true. (page.waitForFunction evaluates a
 * string predicate with eval, which the app's Content-Security-Policy refuses.)
 */
async function waitInPage(page: Page, what: string, expression: string, timeoutMs = 60_000): Promise<void> {
  await until(what, timeoutMs, async () => ((await page.evaluate(expression)) === true ? true : undefined));
}

/** Every thumbnail in the DOM has decoded. */
const THUMBS_LOADED = `(() => {
  const images = [...document.querySelectorAll('[role="grid"][aria-label="Photos"] img')];
  return images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0);
})()`;
/** An empty page holding only a scroller of the grid's size and scroll height, where the grid was. */
async function floorScroller(browser: Browser, box: Box, scrollHeight: number): Promise<FrameStats> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.setContent(
      `<!doctype html><body style="margin:0"><div id="scroller" style="position:absolute;left:${box.x}px;` +
        `top:${box.y}px;width:${box.width}px;height:${box.height}px;overflow-y:auto">` +
        `<div style="height:${scrollHeight}px"></div></div></body>`,
    );
    return await scrollAndRecord(page, '#scroller');
  } finally {
    await context.close();
  }
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const GRID = '[role="grid"][aria-label="Photos"]';

async function gridScroll(browser: Browser, url: string): Promise<{ ours: FrameStats; floor: FrameStats }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await openShoot(page, url, GRID_SHOOT);
    // All 5,000 are loaded once the grid's rows cover them.
    await waitInPage(
      page,
      'every photo in the grid',
      `(() => {
        const grid = document.querySelector('${GRID}');
        return !!grid && Number(grid.getAttribute('aria-rowcount')) * Number(grid.getAttribute('aria-colcount')) >= ${PHOTOS};
      })()`,
    );
    await waitInPage(page, 'the thumbnails', THUMBS_LOADED);
    const box = await page.locator(GRID).boundingBox();
    if (!box) throw new Error('ui bench: the grid has no box');
    const scrollHeight = await page.evaluate<number>(`document.querySelector('${GRID}').scrollHeight`);

    const floorBefore = await floorScroller(browser, box, scrollHeight);
    const ours = await scrollAndRecord(page, GRID);
    const floorAfter = await floorScroller(browser, box, scrollHeight);
    return { ours, floor: floorBefore.p95 <= floorAfter.p95 ? floorBefore : floorAfter };
  } finally {
    await context.close();
  }
}

/** Every image in the compare view has decoded. */
const COMPARE_LOADED = `(() => {
  const images = [...document.querySelectorAll('[data-testid="compare-before"], [data-testid="compare-after"]')];
  return images.length === 2 && images.every((image) => image.complete && image.naturalWidth > 0);
})()`;

async function floorDrag(
  browser: Browser,
  from: { x: number; y: number },
  left: number,
  right: number,
): Promise<FrameStats> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.setContent('<!doctype html><body style="margin:0;width:100vw;height:100vh"></body>');
    return await dragAndRecord(page, from, left, right);
  } finally {
    await context.close();
  }
}

async function sliderDrag(
  browser: Browser,
  url: string,
): Promise<{ ours: FrameStats; floor: FrameStats; positions: number }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await openShoot(page, url, COMPARE_SHOOT);
    await waitInPage(page, 'the thumbnail', THUMBS_LOADED);
    await page.getByRole('grid', { name: 'Photos' }).getByRole('gridcell').first().dblclick();
    await page.getByRole('region', { name: 'Compare' }).waitFor();
    await waitInPage(page, 'the compare images', COMPARE_LOADED);
    const pane = await page.locator('.compare-pane').first().boundingBox();
    const handle = await page.getByRole('slider', { name: 'Before/after divider' }).boundingBox();
    if (!pane || !handle) throw new Error('ui bench: the compare view has no divider');
    const from = { x: handle.x + handle.width / 2, y: pane.y + pane.height / 2 };
    const left = pane.x + pane.width * 0.1;
    const right = pane.x + pane.width * 0.9;

    const floorBefore = await floorDrag(browser, from, left, right);
    // Which divider positions were drawn, to be sure the drag moved it.
    await page.evaluate(`(() => {
      const slider = document.querySelector('[role="slider"][aria-label="Before/after divider"]');
      const seen = new Set();
      window.__uiBenchPositions = seen;
      const sample = () => {
        seen.add(slider.getAttribute('aria-valuenow'));
        if (window.__uiBenchPositions === seen) requestAnimationFrame(sample);
      };
      requestAnimationFrame(sample);
    })()`);
    const ours = await dragAndRecord(page, from, left, right);
    const positions = await page.evaluate<number>(`(() => {
      const seen = window.__uiBenchPositions;
      window.__uiBenchPositions = null;
      return seen.size;
    })()`);
    const floorAfter = await floorDrag(browser, from, left, right);
    return { ours, floor: floorBefore.p95 <= floorAfter.p95 ? floorBefore : floorAfter, positions };
  } finally {
    await context.close();
  }
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;

function frameLines(title: string, ours: FrameStats, floor: FrameStats, note: string): string[] {
  const busy = (main: MainThread): string =>
    `${Math.round(main.task)} ms busy (script ${Math.round(main.script)}, style ${Math.round(main.style)}, layout ${Math.round(main.layout)})`;
  return [
    `${title}: median ${ms(ours.median)}, p95 ${ms(ours.p95)} over ${ours.frames} frames; ` +
      `floor median ${ms(floor.median)}, p95 ${ms(floor.p95)} (aim: median ≤ 16.7, p95 ≤ 33); ` +
      `ratio median ${(ours.median / floor.median).toFixed(2)}×, p95 ${(ours.p95 / floor.p95).toFixed(2)}×`,
    `  ${note}; frames over 25 ms: ${ours.long} (floor ${floor.long}), longest ${ms(ours.max)} at ${ours.maxAt.toFixed(1)} s (floor ${ms(floor.max)}); ` +
      `main thread ${busy(ours.main)}, floor ${busy(floor.main)}`,
  ];
}

/** Runs both UI benches against a fresh headless server and returns the lines to print. */
export async function runUiBench(): Promise<string[]> {
  ensureBuilt();
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-ui-bench-')));
  const hot = path.join(root, 'hot');
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  let server: HeadlessProcess | undefined;
  let api: WebSocketBridge | undefined;
  let browser: Browser | undefined;
  try {
    await generateThumbs(path.join(hot, GRID_SHOOT));
    fs.mkdirSync(path.join(hot, COMPARE_SHOOT));
    fs.copyFileSync(BIG_PHOTO, path.join(hot, COMPARE_SHOOT, path.basename(BIG_PHOTO)));

    server = await startHeadless({ dataDir });
    api = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}` });
    const ingestStart = performance.now();
    await call(api, 'hotFolders.add', { path: hot, defaultRecipeId: null });
    const { compareId } = await waitForIngest(api);
    const ingestMs = performance.now() - ingestStart;
    const enhanceStart = performance.now();
    await enhanceBigPhoto(api, compareId);
    const enhanceMs = performance.now() - enhanceStart;

    browser = await chromium.launch({
      executablePath: process.env.SHOOTLINE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    const scroll = await gridScroll(browser, server.url);
    const slider = await sliderDrag(browser, server.url);
    return [
      `ui bench (Chromium ${browser.version()}, ${VIEWPORT.width}×${VIEWPORT.height}, frame times from requestAnimationFrame; ` +
        `setup: ${PHOTOS + 1} photos ingested in ${(ingestMs / 1000).toFixed(1)} s, 24 MP enhance ${(enhanceMs / 1000).toFixed(1)} s)`,
      ...frameLines(
        `ui grid scroll (${PHOTOS.toLocaleString('en-US')} photos)`,
        scroll.ours,
        scroll.floor,
        `${SCROLL_SPEED} px/s for ${SCROLL_MS / 1000} s down then up; floor: an empty div of the same size and scroll height`,
      ),
      ...frameLines(
        'ui compare slider drag (24 MP)',
        slider.ours,
        slider.floor,
        `${SLIDER_MOVES} mouse moves over ${SLIDER_MS / 1000} s, divider drawn at ${slider.positions} distinct positions; floor: the same moves on an empty page`,
      ),
    ];
  } finally {
    await browser?.close();
    api?.close();
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
