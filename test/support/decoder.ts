import fs from 'node:fs';
import { afterAll } from 'vitest';
import { PhotoDecoder, type OpenedPhoto } from '../../main/engine/imaging/decode';
import { HeicDecoder } from '../../main/engine/imaging/heic';
import { isTiffBasedRaw, RawPreviewExtractor } from '../../main/engine/imaging/raw-preview';
import { sniffFormat } from '../../main/engine/imaging/sniff';
import { tempDir } from './temp';

/** The engine's real decoder (HEIC worker and exiftool included), shut down after the file's tests. */
export function testDecoder(): PhotoDecoder {
  const heic = new HeicDecoder();
  const raw = new RawPreviewExtractor();
  afterAll(async () => {
    await heic.close();
    await raw.end();
  });
  return new PhotoDecoder({
    heic,
    raw,
    tempDir: tempDir(),
    isTiffRaw: async (file) => (await isTiffBasedRaw(file)).raw,
  });
}

/** Opens a photo file as ingest does (format by content), failing the test with the photo's error. */
export async function openPhotoFile(decoder: PhotoDecoder, file: string): Promise<OpenedPhoto> {
  return (await openPhotoBytes(decoder, file)).photo;
}

/** openPhotoFile, with the bytes read, which the photo's pipelines read from. */
export async function openPhotoBytes(
  decoder: PhotoDecoder,
  file: string,
): Promise<{ photo: OpenedPhoto; bytes: Buffer }> {
  const bytes = fs.readFileSync(file);
  const sniffed = sniffFormat(bytes);
  if (!sniffed.ok) throw new Error(sniffed.message);
  const result = await decoder.open(file, bytes, sniffed.format);
  if (!result.ok) throw new Error(result.error.message);
  return { photo: result.photo, bytes };
}
