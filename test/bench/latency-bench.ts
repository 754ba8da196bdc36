/**
 * Latency a user feels (issue 31, item 5): photos dropped one at a time into a watched folder whose
 * recipe is the default one (Local · Auto enhance), the real headless server, its UI open in
 * Chromium on the shoot's grid. For each photo, from the moment its write finished:
 *   - thumbnail shown: the first animation frame after the grid cell's <img> has loaded and
 *     decoded, against sharp making the same 320 px WebP from the file, plus the stability window;
 *   - variant shown: the first animation frame showing the cell's "1 variant" badge (the first
 *     sign in the grid that the enhance result exists), against sharp decoding and re-encoding the
 *     photo (enhance-bench's floor), plus the stability window.
 * Times are epoch milliseconds on every side (the page's and this process's timeOrigin + now, the
 * engine's Date.now in event payloads and job events): all run on one machine, so one clock.
 * Nothing is asserted: this prints figures, then where the time goes, stage by stage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type Page } from '@playwright/test';
import { inputAssetId } from '../../shared/job-inputs';
import { DEFAULT_STABILITY_MS } from '../../main/engine/ingest/ingest-service';
import { DERIVATIVE_SPECS } from '../../main/engine/imaging/derivative-cache';
import { NO_METADATA } from '../../main/engine/imaging/metadata';
import { renderDerivatives } from '../../main/engine/imaging/render';
import { configureSharp } from '../../main/engine/imaging/sharp-config';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import ensureBuilt from '../support/ensure-built';
import { corpusPath } from '../support/corpus';
import { startHeadless, type HeadlessProcess } from '../support/headless-process';
import { call, openShoot, until } from './bench-page';
import { BIG_PHOTOS, SMALL_PHOTOS } from './bench-photos';
import { median } from './phases';

const SHOOT = 'Latency bench';
/** All cells in view (the photos and the warm-up one): the grid's <img> loads lazily, so a cell out of view would never load. */
const VIEWPORT = { width: 1600, height: 1000 };
const MAX_PHOTOS = 20;
const PHOTO_TIMEOUT_MS = 5 * 60_000;

const now = (): number => performance.timeOrigin + performance.now();

/**
 * Distinct real-photo JPEGs (a slightly different crop and quality each, EXIF kept as a camera
 * writes it): photo 0 is the warm-up, then one in three of 12 MP or more, as ingest-bench mixes.
 */
async function generate(dir: string, count: number): Promise<string[]> {
  const sharp = configureSharp();
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let index = 0; index <= count; index += 1) {
    const sources = index === 0 || (index - 1) % 3 === 0 ? BIG_PHOTOS : SMALL_PHOTOS;
    const image = sharp(corpusPath(sources[index % sources.length] ?? ''));
    const { width = 0, height = 0 } = await image.metadata();
    const file = path.join(dir, `IMG_${String(index).padStart(4, '0')}.jpg`);
    await image
      .extract({ left: (index + 1) % 16, top: (index + 1) % 12, width: width - 16, height: height - 12 })
      .keepMetadata()
      .jpeg({ quality: 88 - (index % 5) })
      .toFile(file);
    files.push(file);
  }
  return files;
}

/**
 * In the page, before the app's scripts: every engine event frame is stamped when it reaches the
 * page (a WebSocket whose own listener runs before the bridge's), and the watched photo's cell is
 * looked at on every DOM change, every image load and every animation frame. A "frame" time is the
 * first requestAnimationFrame after the change: the frame that draws it.
 */
const PAGE_PROBE = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const state = { arrivals: {}, watched: null };
  window.__latency = state;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (message) => {
        const at = now();
        let frame;
        try { frame = JSON.parse(message.data); } catch { return; }
        if (!frame || frame.type !== 'event' || !frame.payload) return;
        const p = frame.payload;
        const key = frame.event === 'variant.updated' ? 'variant:' + p.assetId
          : frame.event === 'job.updated' ? 'job:' + p.id + ':' + p.state
          : frame.event.startsWith('asset.') ? 'asset:' + p.id + ':' + p.state : null;
        if (key && !(key in state.arrivals)) state.arrivals[key] = at;
      });
    }
  };
  const look = () => {
    const w = state.watched;
    if (!w) return;
    const cell = document.querySelector('[role="gridcell"][aria-label="' + w.name + '"]');
    if (!cell) return;
    const t = now();
    if (w.cell === undefined) w.cell = t;
    const img = cell.querySelector('.thumb-image img');
    if (w.img === undefined && img && img.complete && img.naturalWidth > 0) {
      w.img = t;
      const decoded = () => { w.decoded = now(); };
      img.decode().then(decoded, decoded);
    }
    if (w.badge === undefined && cell.querySelector('[data-testid="badge-done"]')) w.badge = t;
  };
  const tick = () => {
    look();
    const w = state.watched;
    if (w) {
      const t = now();
      if (w.cell !== undefined && w.cellFrame === undefined) w.cellFrame = t;
      if (w.decoded !== undefined && w.imgFrame === undefined) w.imgFrame = t;
      if (w.badge !== undefined && w.badgeFrame === undefined) w.badgeFrame = t;
    }
    requestAnimationFrame(tick);
  };
  document.addEventListener('load', look, true);
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
  requestAnimationFrame(tick);
})()`;

interface Watched {
  name: string;
  cellFrame?: number;
  img?: number;
  imgFrame?: number;
  badgeFrame?: number;
}

/** What the engine said about each photo, from its events over a bridge of our own. */
class EngineLog {
  readonly assets = new Map<string, { id: string; taken: number; decoded?: number; problem?: string }>();
  readonly jobs = new Map<string, { id: string; state: string; message?: string }>();
  readonly variants = new Map<string, number>();

  constructor(api: WebSocketBridge) {
    const prefix = `${SHOOT}/`;
    api.subscribe('asset.added', (asset) => {
      const name = asset.relativePath.startsWith(prefix) ? asset.relativePath.slice(prefix.length) : '';
      const problem = asset.sameAs ? 'taken as a copy of another photo (its recipe does not run)' : undefined;
      this.assets.set(name, { id: asset.id, taken: asset.createdAt, ...(problem ? { problem } : {}) });
    });
    api.subscribe('asset.updated', (asset) => {
      const known = [...this.assets.values()].find((each) => each.id === asset.id);
      if (!known) return;
      if (asset.state === 'ok') known.decoded ??= asset.updatedAt;
      if (asset.state === 'error') known.problem = `unreadable: ${asset.error?.message ?? ''}`;
    });
    api.subscribe('job.updated', (job) => {
      const assetId = inputAssetId(job.inputs);
      if (assetId) this.jobs.set(assetId, { id: job.id, state: job.state, message: job.lastError?.message ?? '' });
    });
    api.subscribe('variant.updated', (variant) => {
      if (variant.assetId && !this.variants.has(variant.assetId)) this.variants.set(variant.assetId, variant.createdAt);
    });
  }

  /** Throws if the photo cannot reach its variant: unreadable, a copy, or its job ended badly. */
  check(name: string): void {
    const asset = this.assets.get(name);
    if (asset?.problem) throw new Error(`latency bench: ${name} was ${asset.problem}`);
    const job = asset ? this.jobs.get(asset.id) : undefined;
    if (job && ['failed', 'canceled', 'needs_review'].includes(job.state))
      throw new Error(`latency bench: the enhance job of ${name} ended ${job.state}: ${job.message ?? ''}`);
  }
}

/** One photo's moments (epoch ms) and its floors' work (ms). */
interface Sample {
  written: number;
  taken: number;
  decoded: number;
  okInPage: number;
  cellFrame: number;
  imgLoaded: number;
  imgFrame: number;
  queued: number;
  running: number;
  done: number;
  variantStored: number;
  doneInPage: number;
  badgeFrame: number;
  sharpThumb: number;
  engineRender: number;
  sharpReencode: number;
}

/** Writes the photo as a copy would, waits until the page shows its thumbnail and its variant. */
async function dropOne(page: Page, api: WebSocketBridge, log: EngineLog, from: string, hot: string): Promise<Sample> {
  const name = path.basename(from);
  const bytes = await fs.promises.readFile(from);
  await page.evaluate(`window.__latency.watched = { name: ${JSON.stringify(name)} }`);
  const target = path.join(hot, name);
  await fs.promises.writeFile(target, bytes);
  const written = now();
  const watched = await until(`${name} to show its thumbnail and its variant`, PHOTO_TIMEOUT_MS, async () => {
    log.check(name);
    const seen = await page.evaluate<Watched>('window.__latency.watched');
    return seen.imgFrame !== undefined && seen.badgeFrame !== undefined ? seen : undefined;
  });
  const asset = log.assets.get(name);
  const job = asset ? log.jobs.get(asset.id) : undefined;
  if (!asset?.decoded || !job) throw new Error(`latency bench: the engine's events about ${name} are missing`);
  const detail = await call(api, 'jobs.get', { id: job.id });
  const at = (test: (event: (typeof detail.events)[number]) => boolean): number =>
    detail.events.find(test)?.at ?? Number.NaN;
  const arrivals = await page.evaluate<Record<string, number>>('window.__latency.arrivals');
  const arrived = (key: string): number => arrivals[key] ?? Number.NaN;
  const floors = await measureFloors(target);
  return {
    written,
    taken: asset.taken,
    decoded: asset.decoded,
    okInPage: arrived(`asset:${asset.id}:ok`),
    cellFrame: watched.cellFrame ?? Number.NaN,
    imgLoaded: watched.img ?? Number.NaN,
    imgFrame: watched.imgFrame ?? Number.NaN,
    queued: detail.events.find((event) => event.toState === 'queued')?.at ?? detail.createdAt,
    running: at((event) => event.fromState === 'queued'),
    done: at((event) => event.toState === 'done'),
    variantStored: log.variants.get(asset.id) ?? Number.NaN,
    // The badge needs both: the job done, and its variant.
    doneInPage: Math.max(arrived(`job:${job.id}:done`), arrived(`variant:${asset.id}`)),
    badgeFrame: watched.badgeFrame ?? Number.NaN,
    ...floors,
  };
}

/**
 * The floors' work on the same file, in this process, one photo at a time as the drops are (sharp
 * set up as the engine sets it up: one libvips thread per image, no operation cache):
 *   - sharp making the same thumbnail straight from the file (what render.ts's `fit` does for a
 *     thumbnail: 320 px long edge, sRGB, flattened, WebP quality 80 effort 2);
 *   - the engine's own renderDerivatives (preview first, the thumbnail made from it), for comparison;
 *   - sharp decoding and re-encoding the photo, as enhance-bench's floor.
 * Each reads the file itself.
 */
async function measureFloors(file: string): Promise<Pick<Sample, 'sharpThumb' | 'engineRender' | 'sharpReencode'>> {
  const sharp = configureSharp();
  const edge = DERIVATIVE_SPECS.thumbnail.longEdge;
  const timed = async (work: (bytes: Buffer) => Promise<unknown>): Promise<number> => {
    const start = now();
    await work(await fs.promises.readFile(file));
    return now() - start;
  };
  const decode = (bytes: Buffer) => sharp(bytes, { failOn: 'error' }).rotate();
  return {
    sharpThumb: await timed((bytes) =>
      decode(bytes)
        .resize(edge, edge, { fit: 'inside', withoutEnlargement: true })
        .toColourspace('srgb')
        .flatten({ background: '#ffffff' })
        .webp({ quality: 80, effort: 2 })
        .toBuffer(),
    ),
    engineRender: await timed((bytes) =>
      renderDerivatives({ format: 'jpeg', width: 0, height: 0, metadata: NO_METADATA, pipeline: () => decode(bytes) }),
    ),
    sharpReencode: await timed((bytes) => decode(bytes).jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer()),
  };
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function latencyLine(title: string, ours: number[], floors: number[], floorWords: string): string {
  const [oursMedian, oursP95] = [median(ours), percentile(ours, 0.95)];
  const [floorMedian, floorP95] = [median(floors), percentile(floors, 0.95)];
  return (
    `${title}: median ${seconds(oursMedian)}, p95 ${seconds(oursP95)}; floor median ${seconds(floorMedian)}, ` +
    `p95 ${seconds(floorP95)} (${floorWords}); ratio (floor / ours, 1.00 = at the floor) median ` +
    `${(floorMedian / oursMedian).toFixed(2)}, p95 ${(floorP95 / oursP95).toFixed(2)}`
  );
}

function stageLines(title: string, samples: Sample[], stages: [string, (sample: Sample) => number][]): string[] {
  const width = Math.max(...stages.map(([words]) => words.length));
  return [
    `  where the time goes, ${title} (per photo, median and p95 of each stage; medians do not add up exactly):`,
    ...stages.map(([words, of]) => {
      const values = samples.map(of);
      return `    ${words.padEnd(width)} median ${median(values).toFixed(0).padStart(5)} ms, p95 ${percentile(values, 0.95).toFixed(0).padStart(5)} ms`;
    }),
  ];
}

function report(samples: Sample[], stabilityMs: number, big: number, chromium: string, recipe: string): string[] {
  const window = `${stabilityMs} ms`;
  return [
    `latency bench (Chromium ${chromium}; ${samples.length} photos, ${big} of them >= 12 MP, dropped one at a time ` +
      `into a watched folder whose recipe is the default, ${recipe}; the engine's stability window ${window}, ` +
      `as serve uses it; no set aim: judged by the floor)`,
    latencyLine(
      'latency write finished → thumbnail shown',
      samples.map((s) => s.imgFrame - s.written),
      samples.map((s) => stabilityMs + s.sharpThumb),
      `the ${window} window + sharp reading the file and making the same 320 px WebP straight from it`,
    ),
    latencyLine(
      'latency write finished → enhance variant shown',
      samples.map((s) => s.badgeFrame - s.written),
      samples.map((s) => stabilityMs + s.sharpReencode),
      `the ${window} window + sharp reading the file, decoding it and encoding it again as JPEG q92 4:4:4`,
    ),
    `  for comparison, per photo in this process (medians): sharp straight to the thumbnail ${median(samples.map((s) => s.sharpThumb)).toFixed(0)} ms, ` +
      `the engine's renderDerivatives (2048 px preview, then the thumbnail from it) ${median(samples.map((s) => s.engineRender)).toFixed(0)} ms, ` +
      `sharp decode + encode ${median(samples.map((s) => s.sharpReencode)).toFixed(0)} ms; ` +
      `a "Decoding…" tile shows ${seconds(median(samples.map((s) => s.cellFrame - s.written)))} after the write`,
    ...stageLines('thumbnail', samples, [
      [`write finished → file taken (the ${window} window, watcher, hash, record)`, (s) => s.taken - s.written],
      [`  of which beyond the window (watcher notice, timer, hash, record)`, (s) => s.taken - s.written - stabilityMs],
      ['file taken → decoded (read, scan check, preview + thumbnail cached)', (s) => s.decoded - s.taken],
      ['decoded → its event reached the page', (s) => s.okInPage - s.decoded],
      ['event in the page → <img> loaded (render, request, response)', (s) => s.imgLoaded - s.okInPage],
      ['<img> loaded → decoded and drawn (next frame)', (s) => s.imgFrame - s.imgLoaded],
    ]),
    ...stageLines('variant', samples, [
      ['decoded → job queued', (s) => s.queued - s.decoded],
      ['job queued → running', (s) => s.running - s.queued],
      ['job running → variant stored', (s) => s.variantStored - s.running],
      ['variant stored → job done', (s) => s.done - s.variantStored],
      ['job done → its events (job, variant) reached the page', (s) => s.doneInPage - s.done],
      ['events in the page → "1 variant" badge drawn', (s) => s.badgeFrame - s.doneInPage],
    ]),
  ];
}

/** Runs the latency bench against a fresh headless server and returns the lines to print. */
export async function runLatencyBench(): Promise<string[]> {
  ensureBuilt();
  const count = Math.max(1, Math.floor(Number(process.env.BENCH_LATENCY_PHOTOS ?? MAX_PHOTOS)) || MAX_PHOTOS);
  if (count > MAX_PHOTOS) {
    throw new Error(`BENCH_LATENCY_PHOTOS is at most ${MAX_PHOTOS}: more cells than that fall below the view.`);
  }
  // serve builds its engine without a stability window of its own (main/headless/cli.ts): the default applies.
  const stabilityMs = DEFAULT_STABILITY_MS;
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-latency-bench-')));
  const staging = path.join(root, 'staging');
  const hot = path.join(root, 'hot');
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(path.join(hot, SHOOT), { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  let server: HeadlessProcess | undefined;
  let api: WebSocketBridge | undefined;
  let browser: Browser | undefined;
  try {
    const [warmUp, ...photos] = await generate(staging, count);
    if (!warmUp) throw new Error('latency bench: no photos were made');
    const big = (await Promise.all(photos.map((file) => configureSharp()(file).metadata()))).filter(
      ({ width = 0, height = 0 }) => width * height >= 12e6,
    ).length;

    server = await startHeadless({ dataDir });
    api = createWebSocketBridge({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}` });
    const log = new EngineLog(api);
    // No recipe given: the folder gets the default one, as a user adding a folder does.
    const folder = await call(api, 'hotFolders.add', { path: hot });
    const recipe = (await call(api, 'recipes.list', {})).find((each) => each.id === folder.defaultRecipeId);
    if (recipe?.provider !== 'local' || recipe.operation !== 'enhance')
      throw new Error(`latency bench: the default recipe is ${recipe?.name ?? 'none'}, not the local enhance`);

    browser = await chromium.launch({
      executablePath: process.env.SHOOTLINE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    const context = await browser.newContext({ viewport: VIEWPORT });
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    // The warm-up photo makes the shoot (so its grid is open before the first counted drop) and
    // warms the server's and this process's sharp, the enhance worker and the page; it is not counted.
    const hotShoot = path.join(hot, SHOOT);
    await fs.promises.copyFile(warmUp, path.join(hotShoot, path.basename(warmUp)));
    await until('the warm-up photo to be enhanced', PHOTO_TIMEOUT_MS, () => {
      log.check(path.basename(warmUp));
      const asset = log.assets.get(path.basename(warmUp));
      return Promise.resolve(asset && log.jobs.get(asset.id)?.state === 'done' ? true : undefined);
    });
    await openShoot(page, server.url, SHOOT);
    await page.evaluate(`window.__latency.watched = { name: ${JSON.stringify(path.basename(warmUp))} }`);
    await until('the warm-up photo to show in the grid', PHOTO_TIMEOUT_MS, async () => {
      const seen = await page.evaluate<Watched>('window.__latency.watched');
      return seen.imgFrame !== undefined && seen.badgeFrame !== undefined ? true : undefined;
    });
    await measureFloors(path.join(hotShoot, path.basename(warmUp)));

    const samples: Sample[] = [];
    for (const photo of photos) samples.push(await dropOne(page, api, log, photo, hotShoot));
    const recipeWords = `${recipe.name} (${recipe.provider} ${recipe.operation} ${JSON.stringify(recipe.params)})`;
    return report(samples, stabilityMs, big, browser.version(), recipeWords);
  } finally {
    // Each step whatever the one before it did, so a browser that fails to close leaves no server behind.
    await Promise.allSettled([browser?.close()]);
    api?.close();
    await Promise.allSettled([server?.stop()]);
    fs.rmSync(root, { recursive: true, force: true });
  }
}
