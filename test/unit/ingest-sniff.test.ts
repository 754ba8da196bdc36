import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniffFormat, type ImageFormat } from '../../main/engine/ingest/sniff';

interface Head {
  file: string;
  expect: string;
  format: string;
  head: string;
}

const { files } = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus-heads.json'), 'utf8'),
) as { files: Head[] };

/** The corpus manifest's format column, in our words. */
const FORMATS: Record<string, ImageFormat> = {
  JPEG: 'jpeg',
  PNG: 'png',
  'Extended WEBP': 'webp',
  AVIF: 'avif',
  HEIC: 'heif',
  TIFF: 'tiff',
};

describe('sniffFormat over the corpus', () => {
  it('has every corpus file', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files.map((entry) => [entry.file, entry] as const))('%s', (_name, entry) => {
    const result = sniffFormat(Buffer.from(entry.head, 'base64'));
    if (entry.expect === 'error:empty') {
      expect(result).toMatchObject({ ok: false, kind: 'empty' });
    } else if (entry.expect === 'error:not_an_image') {
      expect(result).toMatchObject({ ok: false, kind: 'not_an_image' });
    } else {
      // Files that are fine, and those broken further in (truncated, corrupt, too large), are still recognised.
      expect(result).toMatchObject({ ok: true, format: FORMATS[entry.format] });
    }
  });
});

describe('sniffFormat on camera RAW headers', () => {
  const bytes = (...parts: (string | number[])[]): Uint8Array =>
    Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? [...part].map((c) => c.charCodeAt(0)) : part)));

  it.each([
    ['Canon CR2', bytes([0x49, 0x49, 0x2a, 0x00, 0x10, 0, 0, 0], 'CR', [2, 0]), 'cr2'],
    ['Canon CR3', bytes([0, 0, 0, 0x18], 'ftypcrx ', [0, 0, 0, 1]), 'cr3'],
    ['Fujifilm RAF', bytes('FUJIFILMCCD-RAW 0201FF383501'), 'raf'],
    ['Olympus ORF', bytes('IIRO', [8, 0, 0, 0]), 'orf'],
    ['Panasonic RW2', bytes('IIU', [0, 8, 0, 0, 0]), 'rw2'],
  ])('%s', (_label, head, format) => {
    expect(sniffFormat(head)).toEqual({ ok: true, format, maybeRaw: true });
  });

  it('leaves TIFF-based RAWs (NEF, ARW, DNG) to the decoder, marked as possibly RAW', () => {
    expect(sniffFormat(bytes([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]))).toEqual({
      ok: true,
      format: 'tiff',
      maybeRaw: true,
    });
  });
});
