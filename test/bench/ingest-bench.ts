/**
 * Ingest benchmark, one phase per process so each phase's peak RSS is its own:
 *   generate <dir> <count>  makes <count> distinct real-photo JPEGs (corpus photos re-encoded with
 *                           small crops; a third of them 12 MP or more, from the 24 MP and 13 MP ones)
 *   ours <dir>              the engine ingests them from a hot folder: watcher, stability window,
 *                           hashing, scan check, EXIF, database, cache writes, thumbnails and previews
 *   floor <dir>             sharp alone, no watcher and no database: the same thumbnail and preview
 *                           per file, decoded the same way, at the same concurrency
 * Each prints one JSON line: { ms, files, maxRssMb }.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { Engine } from '../../main/engine/engine';
import { NO_METADATA } from '../../main/engine/imaging/metadata';
import { renderDerivatives } from '../../main/engine/imaging/render';
import { configureSharp, IMAGE_PARALLELISM } from '../../main/engine/imaging/sharp-config';
import { silentLogger } from '../../main/engine/log';
import { corpusPath } from '../support/corpus';
import { BIG_PHOTOS, SMALL_PHOTOS } from './bench-photos';
import { printPhaseResult } from './phases';

async function generate(dir: string, count: number): Promise<void> {
  configureSharp();
  fs.mkdirSync(dir, { recursive: true });
  const bigCount = Math.max(100, Math.ceil(count / 3));
  const jobs = Array.from({ length: count }, (_, index) => {
    const sources = index < bigCount ? BIG_PHOTOS : SMALL_PHOTOS;
    return { index, source: corpusPath(sources[index % sources.length] ?? '') };
  });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (!job) return;
      const image = sharp(job.source);
      const { width = 0, height = 0 } = await image.metadata();
      const cut = 1 + Math.floor(job.index / 2);
      // Distinct bytes and a slightly different crop each time; EXIF kept, as a camera would write it.
      await image
        .extract({ left: cut % 16, top: cut % 12, width: width - 16, height: height - 12 })
        .keepMetadata()
        .jpeg({ quality: 88 - (job.index % 5) })
        .toFile(path.join(dir, `IMG_${String(job.index).padStart(4, '0')}.jpg`));
    }
  };
  await Promise.all(Array.from({ length: IMAGE_PARALLELISM }, worker));
}

async function ours(dir: string): Promise<number> {
  const files = fs.readdirSync(dir).length;
  const dataDir = fs.mkdtempSync(path.join(path.dirname(dir), 'engine-'));
  // Files are complete on disk before the engine starts; the clock runs from start, so the watcher's
  // scan and the (shortened) stability window are inside our time, not outside it.
  const engine = new Engine({ dataDir, shell: 'headless', version: 'bench', log: silentLogger, stabilityMs: 200 });
  engine.start();
  const start = performance.now();
  let ready = 0;
  const finished = new Promise<void>((resolve) => {
    engine.events.listen((event, payload) => {
      if (event !== 'asset.updated') return;
      const state = (payload as { state: string }).state;
      if (state === 'ok' || state === 'error') ready += 1;
      if (ready === files) resolve();
    });
  });
  const result = await engine.call('hotFolders.add', { path: dir, defaultRecipeId: null });
  if (!result.ok) throw new Error(result.error.message);
  await finished;
  const ms = performance.now() - start;
  await engine.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return ms;
}

async function floor(dir: string): Promise<number> {
  const sharpInstance = configureSharp();
  const files = fs.readdirSync(dir).map((name) => path.join(dir, name));
  const out = fs.mkdtempSync(path.join(path.dirname(dir), 'floor-'));
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++];
      if (!file) return;
      const bytes = await fs.promises.readFile(file);
      const made = await renderDerivatives({
        format: 'jpeg',
        width: 0,
        height: 0,
        metadata: NO_METADATA,
        pipeline: () => sharpInstance(bytes, { failOn: 'error' }).rotate(),
      });
      // Written out like the cache does (but plainly), so both sides pay for the bytes on disk.
      await fs.promises.writeFile(path.join(out, `${path.basename(file)}.preview.jpg`), made.preview);
      await fs.promises.writeFile(path.join(out, `${path.basename(file)}.thumb.webp`), made.thumbnail);
    }
  };
  await Promise.all(Array.from({ length: IMAGE_PARALLELISM }, worker));
  const ms = performance.now() - start;
  fs.rmSync(out, { recursive: true, force: true });
  return ms;
}

const [phase = '', dir = '', count = '300'] = process.argv.slice(2);
let ms = 0;
if (phase === 'generate') await generate(dir, Number(count));
else if (phase === 'ours') ms = await ours(dir);
else if (phase === 'floor') ms = await floor(dir);
else throw new Error(`unknown phase ${phase}`);
const files = phase === 'generate' ? Number(count) : fs.readdirSync(dir).length;
printPhaseResult(ms, files);
