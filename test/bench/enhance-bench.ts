/**
 * Local `enhance` on photos of 12 MP or more, one phase per process (so each phase's peak RSS is
 * its own):
 *   generate <dir> <count>  distinct ≥ 12 MP JPEGs from the corpus's 24 MP and 13 MP photos
 *   ours <dir>              the local provider's enhance (analysis, levels, balance, exposure,
 *                           sharpening, sRGB JPEG with metadata) on each, decoded as ingest decodes
 *   floor <dir>             sharp alone decoding and re-encoding each file the same way
 * Both at the same concurrency. Each prints one JSON line: { ms, files, maxRssMb }.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { PhotoDecoder } from '../../main/engine/imaging/decode';
import { HeicDecoder } from '../../main/engine/imaging/heic';
import { isTiffBasedRaw, RawPreviewExtractor } from '../../main/engine/imaging/raw-preview';
import { configureSharp, IMAGE_PARALLELISM } from '../../main/engine/imaging/sharp-config';
import { sniffFormat } from '../../main/engine/imaging/sniff';
import { runLocalOperation } from '../../main/engine/providers/local/operations-run';
import { releaseBuffer } from '../../main/engine/release-buffer';
import { corpusPath } from '../support/corpus';
import { BIG_PHOTOS } from './bench-photos';
import { printPhaseResult } from './phases';

async function generate(dir: string, count: number): Promise<void> {
  configureSharp();
  fs.mkdirSync(dir, { recursive: true });
  for (let index = 0; index < count; index += 1) {
    const source = corpusPath(BIG_PHOTOS[index % BIG_PHOTOS.length] ?? '');
    const image = sharp(source);
    const { width = 0, height = 0 } = await image.metadata();
    await image
      .extract({ left: index % 16, top: index % 12, width: width - 16, height: height - 12 })
      .keepMetadata()
      .jpeg({ quality: 90 - (index % 4) })
      .toFile(path.join(dir, `IMG_${String(index).padStart(4, '0')}.jpg`));
  }
}

async function eachFile(dir: string, work: (file: string) => Promise<unknown>): Promise<number> {
  const files = fs.readdirSync(dir).map((name) => path.join(dir, name));
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++];
      if (file) await work(file);
    }
  };
  await Promise.all(Array.from({ length: IMAGE_PARALLELISM }, worker));
  return performance.now() - start;
}

async function ours(dir: string): Promise<number> {
  const heic = new HeicDecoder();
  const raw = new RawPreviewExtractor();
  const decoder = new PhotoDecoder({ heic, raw, tempDir: dir, isTiffRaw: async (f) => (await isTiffBasedRaw(f)).raw });
  const ms = await eachFile(dir, async (file) => {
    await runLocalOperation({
      operation: 'enhance',
      params: { preset: 'auto', output: 'jpeg' },
      source: { kind: 'asset', assetId: file, version: 1 },
      mask: undefined,
      signal: new AbortController().signal,
      inputs: {
        image: async (ref) => {
          const bytes = await fs.promises.readFile(file);
          const sniffed = sniffFormat(bytes);
          if (!sniffed.ok) throw new Error(sniffed.message);
          // As a job's input is opened: the photo's bytes are those ingest checked, so their scan is not checked again.
          const opened = await decoder.open(file, bytes, sniffed.format, { knownWhole: true });
          if (!opened.ok) throw new Error(opened.error.message);
          return { ref, ...opened.photo, release: () => releaseBuffer(bytes) };
        },
        mask: () => Promise.reject(new Error('no masks here')),
        variant: () => Promise.reject(new Error('no variants here')),
      },
    });
  });
  await heic.close();
  await raw.end();
  return ms;
}

async function floor(dir: string): Promise<number> {
  const sharpInstance = configureSharp();
  return eachFile(dir, async (file) => {
    const bytes = await fs.promises.readFile(file);
    await sharpInstance(bytes, { failOn: 'error' })
      .rotate()
      .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
      .toBuffer();
  });
}

const [phase = '', dir = '', count = '50'] = process.argv.slice(2);
let ms = 0;
if (phase === 'generate') await generate(dir, Number(count));
else if (phase === 'ours') ms = await ours(dir);
else if (phase === 'floor') ms = await floor(dir);
else throw new Error(`unknown phase ${phase}`);
const files = phase === 'generate' ? Number(count) : fs.readdirSync(dir).filter((name) => name.endsWith('.jpg')).length;
printPhaseResult(ms, files);
