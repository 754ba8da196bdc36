import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SNIFF_BYTES, sniffFormat, type ImageFormat } from '../../main/engine/imaging/sniff';
import { corpusManifest, corpusPath } from '../support/corpus';

/** The head of every corpus file (as much as sniffing needs), with its manifest row. */
const files = corpusManifest().map((entry) => ({
  ...entry,
  head: fs.readFileSync(corpusPath(entry.file)).subarray(0, SNIFF_BYTES),
}));

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
    const result = sniffFormat(entry.head);
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
