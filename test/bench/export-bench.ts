/**
 * Export benchmark: `count` distinct photos of 12–24 MP (BENCH_EXPORT_FILES, default 200) exported
 * with the built-in "Listing (MLS)" preset's settings (2048 px long edge, JPEG quality 85, a 4 MB
 * ceiling, copyright and contact metadata), against sharp alone resizing and encoding the same files.
 *
 *   ours   a real engine ingests the photos from a hot folder; once every one is `ok`, the Listing
 *          preset saved with `what: 'originals'` (the built-in one exports approved variants, and
 *          there are none) is started with `exports.start`; the clock runs from that call to the
 *          run's state `done`, polled through `exports.list` every 50 ms
 *   floor  sharp alone, no engine: the same upright resize (same default kernel) and the same JPEG
 *          encoder settings, written plainly to disk, at the export's own concurrency (the export
 *          service works on IMAGE_PARALLELISM items at once, so the floor does too); it runs before and after
 *          ours and the faster run counts, so a cold disk cache cannot flatter us
 *
 * A second line says where an export's time goes, timed item by item on a 20-photo sample: sharp
 * inside renderExport, exiftool writing the metadata, the hash, the atomic write, and the
 * database statements the service runs per item (replayed on the run's own database).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { MethodArgs, MethodName, MethodResult } from '../../shared/api';
import { openDatabase } from '../../main/engine/db/connection';
import {
  exportItemCounts,
  exportNameFacts,
  getExportRun,
  listExportItems,
  updateExportItem,
} from '../../main/engine/db/exports-repo';
import { assetSource } from '../../main/engine/db/asset-source-repo';
import { DATABASE_FILE, Engine } from '../../main/engine/engine';
import { writeFileAtomic } from '../../main/engine/export/atomic-write';
import { ExportMetadataWriter } from '../../main/engine/export/export-metadata';
import { BUILT_IN_PRESETS, type ExportFormat, type ExportPreset } from '../../shared/export-preset';
import { renderExport } from '../../main/engine/export/render-export';
import { configureSharp, IMAGE_PARALLELISM } from '../../main/engine/imaging/sharp-config';
import { silentLogger } from '../../main/engine/log';
import { loadSettings } from '../../main/engine/db/settings-service';
import { corpusPath } from '../support/corpus';

const SOURCES = ['photos/sony-ilce6000_6000x4000.jpg', 'photos/xiaomi-mi3_4208x3120.jpg'];
const SAMPLE = 20;
const CREDITS = {
  creator: 'Bench Photographer',
  copyright: '© 2025 Bench Photographer',
  contactEmail: 'bench@example.com',
};

function listingPreset(): ExportPreset {
  const listing = BUILT_IN_PRESETS.find((preset) => preset.name === 'Listing (MLS)');
  if (!listing) throw new Error('the built-in "Listing (MLS)" preset is gone');
  return listing;
}

/** Distinct ≥ 12 MP JPEGs: the corpus's 24 MP and 13 MP photos, each copy cropped by a different few pixels. */
async function generate(dir: string, count: number): Promise<string[]> {
  const sharp = configureSharp();
  fs.mkdirSync(dir, { recursive: true });
  const sizes = await Promise.all(SOURCES.map((source) => sharp(corpusPath(source)).metadata()));
  const files = Array.from({ length: count }, (_, index) =>
    path.join(dir, `IMG_${String(index).padStart(4, '0')}.jpg`),
  );
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) {
      const which = index % SOURCES.length;
      const { width = 0, height = 0 } = sizes[which] ?? {};
      // The n-th copy of a source loses its own (left, top, right) strip, so no two files share bytes.
      const n = Math.floor(index / SOURCES.length);
      const left = n % 16;
      const top = Math.floor(n / 16) % 16;
      const trim = Math.floor(n / 256);
      await sharp(corpusPath(SOURCES[which] ?? ''))
        .extract({ left, top, width: width - 16 - trim, height: height - 16 })
        .keepMetadata()
        .jpeg({ quality: 90 - (index % 4) })
        .toFile(files[index] ?? '');
    }
  };
  await Promise.all(Array.from({ length: IMAGE_PARALLELISM }, worker));
  return files;
}

async function call<M extends MethodName>(engine: Engine, method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
  const envelope = await engine.call(method, args);
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.result as MethodResult<M>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every photo of the engine's shoots is `ok`; returns the shoot holding them. */
async function ingested(engine: Engine, count: number): Promise<string> {
  const deadline = Date.now() + 60_000 + count * 10_000;
  for (;;) {
    let ok = 0;
    let shootId = '';
    for (const shoot of await call(engine, 'shoots.list', {})) {
      let cursor: string | undefined;
      do {
        const page = await call(engine, 'assets.list', {
          shootId: shoot.id,
          sort: 'name',
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        });
        for (const asset of page.assets) {
          if (asset.state === 'error') throw new Error(`ingest failed for ${asset.relativePath}`);
          if (asset.state === 'ok') {
            ok += 1;
            shootId = shoot.id;
          }
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    if (ok === count) return shootId;
    if (Date.now() > deadline) throw new Error(`only ${ok} of ${count} photos were ingested in time`);
    await sleep(250);
  }
}

interface OursResult {
  ms: number;
  files: number;
  dataDir: string;
  runId: string;
}

/** The engine: hot folder to `ok`, then the Listing settings exported as originals, timed start to done. */
async function ours(photos: string, root: string, count: number): Promise<OursResult> {
  const dataDir = fs.mkdtempSync(path.join(root, 'engine-'));
  const target = fs.mkdtempSync(path.join(root, 'export-'));
  const engine = new Engine({ dataDir, shell: 'headless', version: 'bench', log: silentLogger, stabilityMs: 200 });
  engine.start();
  try {
    await call(engine, 'settings.set', { patch: CREDITS });
    await call(engine, 'hotFolders.add', { path: photos, defaultRecipeId: null });
    const shootId = await ingested(engine, count);
    const saved = await call(engine, 'exports.savePreset', {
      preset: { ...listingPreset(), name: 'Listing (MLS), originals (bench)', what: 'originals' },
    });
    const start = performance.now();
    const run = await call(engine, 'exports.start', { shootId, presetId: saved.id, targetRoot: target });
    for (;;) {
      const now = (await call(engine, 'exports.list', {})).find((candidate) => candidate.id === run.id);
      if (!now) throw new Error(`export run ${run.id} vanished`);
      if (now.state === 'done') {
        const ms = performance.now() - start;
        if (now.done !== count) throw new Error(`the export wrote ${now.done} of ${count} files`);
        return { ms, files: now.done, dataDir, runId: run.id };
      }
      if (now.state !== 'running') throw new Error(`the export ended ${now.state}: ${JSON.stringify(now)}`);
      await sleep(50);
    }
  } finally {
    await engine.stop();
    fs.rmSync(target, { recursive: true, force: true });
  }
}

/** sharp alone: the same upright resize and JPEG encoder settings, written plainly, `parallel` files at a time. */
async function floor(files: readonly string[], root: string, parallel: number): Promise<number> {
  const sharp = configureSharp();
  const preset = listingPreset();
  const out = fs.mkdtempSync(path.join(root, 'floor-'));
  const longEdge = preset.size.mode === 'long-edge' ? preset.size.value : 2048;
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < files.length; index = next++) {
      const file = files[index] ?? '';
      await sharp(file, { failOn: 'error' })
        .rotate()
        .resize({ width: longEdge, height: longEdge, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: preset.quality, progressive: true, optimiseCoding: true, chromaSubsampling: '4:2:0' })
        .toFile(path.join(out, path.basename(file)));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const ms = performance.now() - start;
  fs.rmSync(out, { recursive: true, force: true });
  return ms;
}

/** The metadata writer renderExport uses, with a stopwatch around each exiftool write. */
class TimedMetadataWriter extends ExportMetadataWriter {
  ms = 0;

  override async apply(bytes: Buffer, format: ExportFormat, args: string[]): Promise<Buffer> {
    const start = performance.now();
    try {
      return await super.apply(bytes, format, args);
    } finally {
      this.ms += performance.now() - start;
    }
  }
}

interface Breakdown {
  items: number;
  render: number;
  exiftool: number;
  hash: number;
  write: number;
  db: number;
  floor: number;
}

/**
 * Per-item times on a sample, one item at a time. renderExport and the metadata writer are the
 * real ones.
 */
async function breakdown(files: readonly string[], root: string, ours: OursResult): Promise<Breakdown> {
  const sharp = configureSharp();
  const preset: ExportPreset = { ...listingPreset(), what: 'originals' };
  const out = fs.mkdtempSync(path.join(root, 'sample-'));
  const metadata = new TimedMetadataWriter({ tempDir: out });
  const db = openDatabase(path.join(ours.dataDir, DATABASE_FILE));
  const totals: Breakdown = {
    items: 0,
    render: 0,
    exiftool: 0,
    hash: 0,
    write: 0,
    db: 0,
    floor: 0,
  };
  try {
    const run = getExportRun(db, ours.runId);
    if (!run) throw new Error(`export run ${ours.runId} is not in its database`);
    const items = listExportItems(db, ours.runId).slice(0, SAMPLE + 1);
    const bySeq = new Map(items.map((item) => [item.seq, item]));
    // The first item only warms up (exiftool's start, the first decode); the rest are timed.
    for (const [position, item] of items.entries()) {
      const timed = position > 0;
      const file = assetSource(db, item.sourceId)?.file;
      if (!file || !files.includes(file)) throw new Error(`item ${item.seq} is not one of the bench's photos`);
      const stopwatch = performance.now();
      const meta = {
        shoot: 'Shoot',
        name: path.basename(file, '.jpg'),
        seq: item.seq,
        variant: null,
        provider: null,
        rating: null,
        captureDate: null,
        date: new Date(),
        creator: CREDITS.creator,
        copyright: CREDITS.copyright,
        contact: { email: CREDITS.contactEmail },
        disclosure: { digitalSourceType: null, label: false },
      };
      const exiftoolBefore = metadata.ms;
      const rendered = await renderExport({ file, preset, meta, metadataFrom: file }, { metadata });
      if (!rendered.ok) throw new Error(rendered.error.message);
      const renderMs = performance.now() - stopwatch;
      const exiftoolMs = metadata.ms - exiftoolBefore;

      let mark = performance.now();
      const sha256 = createHash('sha256').update(rendered.output.bytes).digest('hex');
      const hashMs = performance.now() - mark;

      mark = performance.now();
      await writeFileAtomic(path.join(out, `Shoot_${item.seq}.jpg`), rendered.output.bytes);
      const writeMs = performance.now() - mark;

      // What runPass and exportItem ask of the database per item: progress, the source's facts,
      // the credits, then "writing" and "done" (synchronous=FULL, as the engine opens it).
      mark = performance.now();
      getExportRun(db, ours.runId);
      exportItemCounts(db, ours.runId);
      assetSource(db, item.sourceId);
      exportNameFacts(db, run.shootId, item.sourceId);
      loadSettings(db, silentLogger);
      const row = bySeq.get(item.seq);
      updateExportItem(db, ours.runId, item.seq, { state: 'writing', targetPath: row?.targetPath ?? null, sha256 }, 0);
      updateExportItem(db, ours.runId, item.seq, { state: 'done', sizeBytes: rendered.output.bytes.length }, 0);
      const dbMs = performance.now() - mark;

      // The floor on the same file, for comparison.
      mark = performance.now();
      await sharp(file, { failOn: 'error' })
        .rotate()
        .resize({ width: 2048, height: 2048, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: preset.quality, progressive: true, optimiseCoding: true, chromaSubsampling: '4:2:0' })
        .toFile(path.join(out, `floor_${item.seq}.jpg`));
      const floorMs = performance.now() - mark;

      if (!timed) continue;
      totals.items += 1;
      totals.render += renderMs - exiftoolMs;
      totals.exiftool += exiftoolMs;
      totals.hash += hashMs;
      totals.write += writeMs;
      totals.db += dbMs;
      totals.floor += floorMs;
    }
  } finally {
    db.close();
    await metadata.end();
    fs.rmSync(out, { recursive: true, force: true });
  }
  return totals;
}

const perSecond = (files: number, ms: number): string => `${((files / ms) * 1000).toFixed(2)} files/s`;

/** Runs the export bench and returns the lines to print. */
export async function runExportBench(count = Number(process.env.BENCH_EXPORT_FILES ?? 200)): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-export-bench-'));
  try {
    const photos = path.join(root, 'Shoot');
    const files = await generate(photos, count);
    const megabytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0) / 1e6;
    const floorBefore = await floor(files, root, IMAGE_PARALLELISM);
    const run = await ours(photos, root, count);
    const floorAfter = await floor(files, root, IMAGE_PARALLELISM);
    const floorMs = Math.min(floorBefore, floorAfter);
    const sample = await breakdown(files, root, run);
    fs.rmSync(run.dataDir, { recursive: true, force: true });

    const each = (ms: number): string => {
      const mean = ms / Math.max(1, sample.items);
      return `${mean.toFixed(mean < 10 ? 1 : 0)} ms`;
    };
    const ourTotal = sample.render + sample.exiftool + sample.hash + sample.write + sample.db;
    const share = (ms: number): string => `${Math.round((ms / ourTotal) * 100)} %`;
    const lines = [
      `export ${run.files} photos (12–24 MP, ${Math.round(megabytes)} MB) with Listing (MLS) as originals ` +
        `(2048 px long edge, JPEG q${listingPreset().quality}, ≤ 4 MB, copyright + contact metadata): ` +
        `ours ${perSecond(run.files, run.ms)}, floor (sharp resize+encode, ${IMAGE_PARALLELISM} at a time, as the export) ` +
        `${perSecond(files.length, floorMs)} → ratio ${(floorMs / run.ms).toFixed(2)} (aim ≥ 0.85)`,
      `export, where the time goes per photo (${sample.items} photos, one at a time): ` +
        `sharp in renderExport ${each(sample.render)} (${share(sample.render)}; the floor does the same photos in ${each(sample.floor)}), ` +
        `exiftool metadata ${each(sample.exiftool)} (${share(sample.exiftool)}), ` +
        `sha256 ${each(sample.hash)}, atomic write + fsync ${each(sample.write)} (${share(sample.write)}), ` +
        `database ${each(sample.db)} (${share(sample.db)}); together ${each(ourTotal)} against ours ` +
        `${(run.ms / run.files).toFixed(0)} ms/file in the run`,
    ];
    return lines;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
