/**
 * Library bench, the grid's first paint: how long Chromium takes to show the 5,000-photo shoot of a
 * built library (library-build.ts) with every thumbnail in the grid's viewport loaded and painted,
 * beside a floor: a static page showing the same thumbnail files in a CSS grid of the same cells,
 * served by a bare node:http server. Ours and the floor run in turns, each in a fresh browser context
 * (empty HTTP cache), both timed in the page from the start of its navigation.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions } from '@playwright/test';
import { openShoot, sleep } from './bench-page';
import { BIG_SHOOT_FOLDER, libraryPaths } from './library-build';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';

const VIEWPORT = { width: 1280, height: 800 };
const GRID = '[role="grid"][aria-label="Photos"]';
const PAINT_TIMEOUT_MS = 120_000;

/** Where a paint watch ended: when (ms since navigation start) and which images it waited for. */
interface Painted {
  ms: number;
  srcs: string[];
}

/**
 * In-page, on every new document: resolves window.__firstPaint once every grid cell inside the
 * grid's box has an image that has loaded and decoded, and two frames have passed since (the first
 * draws them, the second starts after that frame was painted). Checked once a frame, so it never
 * waits on a Playwright round trip; rejects after PAINT_TIMEOUT_MS rather than hang the bench. A
 * string, so the page gets plain JavaScript.
 */
const PAINT_WATCH = `(() => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const visibleImages = () => {
    const grid = document.querySelector('${GRID}');
    if (!grid) return null;
    const box = grid.getBoundingClientRect();
    const top = Math.max(0, box.top);
    const bottom = Math.min(innerHeight, box.bottom);
    const cells = [...grid.querySelectorAll('[role="gridcell"]')].filter((cell) => {
      const r = cell.getBoundingClientRect();
      return r.bottom > top && r.top < bottom && r.right > box.left && r.left < box.right;
    });
    return cells.length > 0 ? cells.map((cell) => cell.querySelector('img')) : null;
  };
  window.__firstPaint = new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('library paint: no paint of the grid in ${PAINT_TIMEOUT_MS} ms')), ${PAINT_TIMEOUT_MS});
    const check = async () => {
      const images = visibleImages();
      if (!images || !images.every((image) => image && image.complete && image.naturalWidth > 0)) {
        requestAnimationFrame(check);
        return;
      }
      await Promise.all(images.map((image) => image.decode().catch(() => undefined)));
      await frame();
      await frame();
      resolve({ ms: performance.now(), srcs: images.map((image) => image.currentSrc) });
    };
    requestAnimationFrame(check);
  });
})()`;

/** The grid as the warm-up drew it: its box, and its cells' size and spacing, for the floor to copy. */
interface Geometry {
  box: { x: number; y: number; width: number; height: number };
  columns: number;
  cellWidth: number;
  cellHeight: number;
  imageSize: number;
  gap: number;
  padding: number;
}

const GEOMETRY = `(() => {
  const grid = document.querySelector('${GRID}');
  const b = grid.getBoundingClientRect();
  const cells = [...grid.querySelectorAll('[role="gridcell"]')].map((cell) => cell.getBoundingClientRect());
  const first = cells[0];
  const second = cells.find((r) => r.top === first.top && r.left > first.left);
  return {
    box: { x: b.x, y: b.y, width: b.width, height: b.height },
    columns: Number(grid.getAttribute('aria-colcount')),
    cellWidth: first.width,
    cellHeight: first.height,
    imageSize: grid.querySelector('[role="gridcell"] img').getBoundingClientRect().width,
    gap: second ? second.left - first.right : 0,
    padding: first.left - b.left,
  };
})()`;

/** Every thumbnail in the grid's DOM (visible or overscan) has loaded: none is left to be made. */
const ALL_LOADED = `(() => {
  const images = [...document.querySelectorAll('${GRID} img')];
  return images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0);
})()`;

/** CPU time the process has used, in ms (Linux: utime + stime from /proc, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Waits until the server has used under 5% of a core for a second: on start it rescans the hot
 * folder, and after the warm-up it may still be writing thumbnails, either of which would land on
 * the first measured runs.
 */
async function settle(server: HeadlessProcess): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (let before = cpuMs(server.pid); Date.now() < deadline;) {
    await sleep(1000);
    const now = cpuMs(server.pid);
    if (now - before < 50) return;
    before = now;
  }
  throw new Error('library paint: the server never went idle');
}

/** Opens `url` in a fresh context and returns when its visible grid thumbnails were painted. */
async function paint(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<Painted> {
  const context = await browser.newContext({ ...options, viewport: VIEWPORT });
  try {
    await context.addInitScript(PAINT_WATCH);
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    return await page.evaluate<Painted>('window.__firstPaint');
  } finally {
    await context.close();
  }
}

/** A static server for `dir`: each file read from disk per request, as a plain static host would. */
async function serveDir(dir: string, types: ReadonlyMap<string, string>): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const name = path.basename(new URL(request.url ?? '/', 'http://x').pathname) || 'index.html';
    fs.readFile(path.join(dir, name), (error, bytes) => {
      if (error) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'Content-Type': types.get(name) ?? 'text/html', 'Content-Length': bytes.length });
      response.end(bytes);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The floor page: the same thumbnails, in a CSS grid of the same cells, where the app's grid was. */
function floorHtml(geometry: Geometry, files: readonly string[]): string {
  const { box, columns, cellWidth, cellHeight, imageSize, gap, padding } = geometry;
  const cells = files.map(
    (file) => `<div role="gridcell"><img src="${file}" alt="" width="${imageSize}" height="${imageSize}"></div>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; }
.grid { position: absolute; left: ${box.x}px; top: ${box.y}px; width: ${box.width}px; height: ${box.height}px;
  box-sizing: border-box; overflow-y: auto; padding: ${padding}px; display: grid; gap: ${gap}px; align-content: start;
  grid-template-columns: repeat(${columns}, ${cellWidth}px); grid-auto-rows: ${cellHeight}px; }
.grid img { display: block; object-fit: contain; }
</style></head><body><div class="grid" role="grid" aria-label="Photos">${cells.join('')}</div></body></html>`;
}

/**
 * The grid's first paint for the 5,000-photo shoot of the library under `root`, `runs` times each,
 * ours and the floor in turns (floor first). Ours is timed from page.goto of the app with the shoot
 * open: the UI has no URL route to a shoot, but it restores the open shoot from localStorage on
 * load (a reload, or reopening the app), so each fresh context gets the view state the warm-up's
 * click left behind. Returns every run's time in ms and how many thumbnails the viewport showed.
 */
export async function measureFirstPaint(
  root: string,
  runs = 5,
): Promise<{ ours: number[]; floor: number[]; thumbnails: number }> {
  const { dataDir } = libraryPaths(root);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-paint-'));
  let server: HeadlessProcess | undefined;
  let browser: Browser | undefined;
  let floorServer: http.Server | undefined;
  try {
    server = await startHeadless({ dataDir });
    await settle(server);
    browser = await chromium.launch({
      executablePath: process.env.SHOOTLINE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });

    // Warm-up: open the shoot by clicking it, which makes (and caches) every thumbnail the grid
    // loads, as ingest would have; keep its view state, its geometry and the URLs it painted.
    const context = await browser.newContext({ viewport: VIEWPORT });
    await context.addInitScript(PAINT_WATCH);
    const page = await context.newPage();
    await openShoot(page, server.url, BIG_SHOOT_FOLDER);
    const warm = await page.evaluate<Painted>('window.__firstPaint');
    for (const deadline = Date.now() + PAINT_TIMEOUT_MS; (await page.evaluate(ALL_LOADED)) !== true;) {
      if (Date.now() > deadline) throw new Error('library paint: the warm-up thumbnails never loaded');
      await sleep(100);
    }
    const geometry = await page.evaluate<Geometry>(GEOMETRY);
    const storageState = await context.storageState();
    await context.close();
    if (!storageState.origins.some((origin) => origin.localStorage.some((item) => item.name === 'shootline.view')))
      throw new Error('library paint: the app left no view state to reopen the shoot with');

    // The floor's files: the very bytes the engine sent for the thumbnails the viewport showed.
    const types = new Map<string, string>();
    const files = await Promise.all(
      warm.srcs.map(async (src, index) => {
        const response = await fetch(src);
        if (!response.ok) throw new Error(`library paint: ${src} answered ${response.status}`);
        const name = `${index}.img`;
        types.set(name, response.headers.get('content-type') ?? 'application/octet-stream');
        fs.writeFileSync(path.join(tmp, name), Buffer.from(await response.arrayBuffer()));
        return name;
      }),
    );
    fs.writeFileSync(path.join(tmp, 'index.html'), floorHtml(geometry, files));
    floorServer = await serveDir(tmp, types);
    const floorUrl = `http://127.0.0.1:${(floorServer.address() as AddressInfo).port}/`;
    await settle(server);

    const ours: number[] = [];
    const floor: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const base = await paint(browser, floorUrl);
      if (base.srcs.length !== files.length)
        throw new Error(`library paint: the floor showed ${base.srcs.length} thumbnails`);
      floor.push(base.ms);
      await settle(server); // the last run's calls may still be being answered after its page closed
      const app = await paint(browser, server.url, { storageState });
      // The same cells as the warm-up, or this timed something else (another shoot, a reflowed grid).
      if (app.srcs.join() !== warm.srcs.join())
        throw new Error('library paint: the grid showed other thumbnails than in the warm-up');
      ours.push(app.ms);
    }
    return { ours, floor, thumbnails: files.length };
  } finally {
    await browser?.close();
    floorServer?.close();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
