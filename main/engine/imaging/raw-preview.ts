import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import exifr from 'exifr';
import type { ExifTool } from 'exiftool-vendored';
import { LazyExifTool } from './exiftool-lazy';
import { DecoderUnavailableError } from './heic';
import { configureSharp } from './sharp-config';
import { assertRegularFile, openRegularFile } from '../regular-file';

/**
 * Camera RAW files (CR2, CR3, NEF, ARW, RAF, ORF, RW2, DNG…) are ingested through the full-size
 * JPEG the camera embeds in them, never by demosaicing the sensor data. ExifTool knows where every
 * maker hides that JPEG: `JpgFromRaw` (Nikon, Panasonic, DNG's full-size preview, CR3) or
 * `PreviewImage` (Canon CR2, Sony, Fujifilm, Olympus, Pentax, DNG's medium preview).
 */

/** A preview shorter than this on its long edge is a thumbnail, too small to review or edit. */
export const MIN_PREVIEW_LONG_EDGE = 1024;

export type RawPreviewResult =
  | {
      ok: true;
      /** The embedded JPEG, byte for byte. Ignore any Orientation inside it: use `orientation`. */
      jpeg: Buffer;
      /** The RAW's own EXIF Orientation (1–8), which previews usually lack; null when absent. */
      orientation: number | null;
      width: number;
      height: number;
    }
  | { ok: false; message: string };

const sharp = configureSharp();

const PREVIEW_TAGS = ['JpgFromRaw', 'PreviewImage'] as const;
type PreviewTag = (typeof PREVIEW_TAGS)[number];

const EXPORT_ADVICE = 'Export a JPEG or DNG with an embedded preview from your RAW editor.';

/**
 * Owns one ExifTool process (started on first use) for pulling previews out of RAW files. Call
 * `end()` when done (at shutdown, in `afterAll`), or the perl process keeps Node alive; a later
 * `extract` would start a fresh one.
 */
export class RawPreviewExtractor {
  private readonly exiftool: LazyExifTool;

  constructor(options: { maxProcs?: number } = {}) {
    this.exiftool = new LazyExifTool({
      // One perl process is plenty for ingest on a 2-core machine; never more than 2.
      maxProcs: Math.min(Math.max(options.maxProcs ?? 1, 1), 2),
      // An idle app should not keep perl resident: reap it after a minute, restart on demand.
      maxIdleMsPerProcess: 60_000,
      taskTimeoutMillis: 30_000,
    });
  }

  async end(): Promise<void> {
    await this.exiftool.end();
  }

  async extract(file: string, tempDir: string): Promise<RawPreviewResult> {
    // exiftool not loading is the machine's problem, not the file's: the photo is tried again later.
    const exiftool = await this.exiftool.get().catch((error: unknown) => {
      throw new DecoderUnavailableError(`ExifTool could not be loaded: ${(error as Error).message}`);
    });
    let tags: Record<string, unknown>;
    try {
      await assertRegularFile(file);
      // Only the tags needed: sizes of the embedded images ("(Binary data N bytes…)") and the
      // numeric Orientation of the RAW itself (exiftool's priority copy, i.e. IFD0's).
      tags = await exiftool.readRaw(file, {
        readArgs: ['-Error', '-Warning', '-Orientation#', '-JpgFromRaw', '-PreviewImage', '-ThumbnailImage'],
      });
    } catch (error) {
      return { ok: false, message: `Shootline could not read this RAW file (${reason(error)}).` };
    }
    const orientation = toOrientation(tags['Orientation']);

    // Largest first; on a tie JpgFromRaw wins (it is the full-size one when both exist).
    const candidates = PREVIEW_TAGS.map((tag) => ({ tag, bytes: binaryLength(tags[tag]) }))
      .filter((candidate) => candidate.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes);

    let tooSmall: { width: number; height: number } | undefined; // the largest preview under the limit
    let damaged = false;
    for (const { tag } of candidates) {
      const image = await this.extractJpeg(exiftool, tag, file, tempDir);
      if (!image) {
        damaged = true;
        continue;
      }
      if (Math.max(image.width, image.height) >= MIN_PREVIEW_LONG_EDGE) return { ok: true, orientation, ...image };
      if (!tooSmall || image.width * image.height > tooSmall.width * tooSmall.height) tooSmall = image;
    }

    // Nothing big enough: name the thumbnail's size so the photographer knows what was found.
    if (!tooSmall && binaryLength(tags['ThumbnailImage']) > 0) {
      tooSmall = await this.extractJpeg(exiftool, 'ThumbnailImage', file, tempDir);
    }
    if (tooSmall) {
      const size = `${tooSmall.width}×${tooSmall.height}`;
      return {
        ok: false,
        message: `This RAW file has no full-size preview Shootline can use (only a ${size} thumbnail). ${EXPORT_ADVICE}`,
      };
    }
    const [error] = strings(tags['errors']);
    if (error) return { ok: false, message: `Shootline could not read this RAW file (${error}).` };
    // With no preview found, a warning ("Error reading JpgFromRaw from file", "Bad IFD0 directory")
    // means the file is cut short or corrupt rather than preview-less.
    const [warning] = strings(tags['warnings']);
    if (damaged || warning) {
      const detail = warning ? ` (${warning.replace(/^\[minor\] /, '')})` : '';
      return {
        ok: false,
        message: `This RAW file looks incomplete or damaged${detail}: it may still be copying, or the copy failed.`,
      };
    }
    return { ok: false, message: `This RAW file has no embedded preview Shootline can use. ${EXPORT_ADVICE}` };
  }

  /** Writes the tag's bytes to a temp file, reads them back and checks they are a decodable JPEG. */
  private async extractJpeg(
    exiftool: ExifTool,
    tag: PreviewTag | 'ThumbnailImage',
    file: string,
    tempDir: string,
  ): Promise<{ jpeg: Buffer; width: number; height: number } | undefined> {
    const temp = path.join(tempDir, `raw-preview-${randomUUID()}.jpg`);
    try {
      await exiftool.extractBinaryTag(tag, file, temp);
      const jpeg = await fs.readFile(temp);
      if (jpeg.length < 3 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg[2] !== 0xff) return undefined;
      const { width, height, format } = await sharp(jpeg).metadata();
      if (format !== 'jpeg' || !width || !height) return undefined;
      return { jpeg, width, height };
    } catch {
      return undefined; // exiftool found no such bytes, or sharp could not parse them
    } finally {
      await fs.rm(temp, { force: true });
    }
  }
}

/** exiftool prints a binary tag as "(Binary data 247249 bytes, use -b option to extract)". */
function binaryLength(value: unknown): number {
  if (typeof value !== 'string') return 0;
  const match = /^\(Binary data (\d+) bytes/.exec(value);
  return match?.[1] ? Number(match[1]) : 0;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

function toOrientation(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 1 && number <= 8 ? number : null;
}

function reason(error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'File not found';
  return error instanceof Error ? error.message : String(error);
}

// ---- Plain TIFF or TIFF-based RAW? ----------------------------------------------------------------

/**
 * What the RAW rule looks at: the 8 bytes after the TIFF header and a few IFD0 tags. NEF, ARW,
 * DNG and CR2 start with an ordinary TIFF header, so only these tell them from a plain TIFF.
 */
export interface TiffHead {
  /** "CR\x02\0" right after the TIFF header (Canon CR2). */
  cr2Signature: boolean;
  newSubfileType?: number;
  compression?: number;
  photometric?: number;
  make?: string;
  subIfdCount: number;
  dngVersion: boolean;
}

export type TiffRawVerdict = { raw: boolean; reason: string };

/**
 * Compression codes of the TIFF spec, libtiff and the imaging tools that write TIFF (LZW, Deflate,
 * JPEG, JPEG 2000, ZSTD, WebP, JPEG XL, CCITT, JBIG, LogLuv…); anything else in IFD0 is a camera maker's own.
 */
const STANDARD_COMPRESSIONS = new Set([
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 32766, 32771, 32773, 32908, 32909, 32946, 33003, 33005, 34661, 34676, 34677, 34712,
  34715, 34887, 34925, 50000, 50001, 50002,
]);
const PHOTOMETRIC_CFA = 32803;
const PHOTOMETRIC_LINEAR_RAW = 34892;

/**
 * The rule, in order:
 *   1. "CR\x02\0" after the header → Canon CR2.
 *   2. DNGVersion in IFD0 → DNG (Adobe, Leica, Pentax, Ricoh, phones…).
 *   3. IFD0 holds sensor data: PhotometricInterpretation CFA or LinearRaw (PEF, SRW, 3FR…).
 *   4. IFD0 uses a vendor compression code no editor writes (e.g. Pentax PEF's 65535, where the
 *      sensor data sits in IFD0).
 *   5. IFD0 is a reduced-resolution image (NewSubfileType bit 0) with SubIFDs and a camera Make:
 *      the thumbnail-first layout of NEF, NRW, ARW, SRF/SR2.
 * A plain TIFF — scanned, exported by an editor with the camera's Make kept, a libvips pyramid —
 * has its full-resolution image in IFD0 and matches none of them.
 */
export function classifyTiff(head: TiffHead): TiffRawVerdict {
  if (head.cr2Signature) return { raw: true, reason: 'Canon CR2 signature after the TIFF header' };
  if (head.dngVersion) return { raw: true, reason: 'DNGVersion tag in IFD0' };
  if (head.photometric === PHOTOMETRIC_CFA || head.photometric === PHOTOMETRIC_LINEAR_RAW) {
    return { raw: true, reason: `sensor data in IFD0 (PhotometricInterpretation ${head.photometric})` };
  }
  // A compression no TIFF library knows is a camera's only when a camera wrote the file: a damaged
  // or exotic plain TIFF is never taken for a RAW.
  if (head.compression !== undefined && !STANDARD_COMPRESSIONS.has(head.compression) && head.make?.trim()) {
    return {
      raw: true,
      reason: `camera-specific compression ${head.compression} in IFD0 of a ${head.make.trim()} file`,
    };
  }
  const reduced = head.newSubfileType !== undefined && (head.newSubfileType & 1) === 1;
  if (reduced && head.subIfdCount > 0 && head.make?.trim()) {
    return { raw: true, reason: 'IFD0 is a reduced-resolution thumbnail with SubIFDs and a camera Make' };
  }
  return { raw: false, reason: 'full-resolution image in IFD0, no RAW markers' };
}

const IFD0_TAGS = {
  NewSubfileType: 0xfe,
  Compression: 0x103,
  Photometric: 0x106,
  Make: 0x10f,
  SubIFDs: 0x14a,
  DNGVersion: 0xc612,
} as const;

/** One object for every call: exifr keeps each options object it is given for good (see tagOptionsMade in metadata.ts). */
const IFD0_OPTIONS = {
  tiff: true,
  ifd0: { pick: Object.values(IFD0_TAGS) },
  ifd1: false,
  exif: false,
  gps: false,
  interop: false,
  makerNote: false,
  userComment: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  translateKeys: false,
  translateValues: false,
  reviveValues: false,
  sanitize: false,
};

/**
 * Reads what `classifyTiff` needs from a file that starts with a TIFF header, without exiftool:
 * 16 bytes for the header, then exifr for the picked IFD0 tags (it reads only the chunks it needs,
 * well under a millisecond per file). Files that are not TIFF come back as not RAW.
 */
export async function readTiffHead(file: string): Promise<TiffHead | undefined> {
  const header = Buffer.alloc(16);
  try {
    const { handle } = await openRegularFile(file);
    try {
      await handle.read(header, 0, 16, 0);
    } finally {
      await handle.close();
    }
  } catch {
    return undefined; // gone or unreadable: not something to treat as RAW
  }
  const little = header.toString('latin1', 0, 4) === 'II*\0';
  const big = header.toString('latin1', 0, 4) === 'MM\0*';
  if (!little && !big) return undefined;

  let parsed: unknown;
  try {
    parsed = await exifr.parse(file, IFD0_OPTIONS);
  } catch {
    return undefined;
  }
  // exifr gives undefined when IFD0 has none of the picked tags.
  const ifd0 = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<number, unknown>;
  const numberAt = (tag: number): number | undefined => {
    const value = ifd0[tag];
    return typeof value === 'number' ? value : undefined;
  };
  const subIfds = ifd0[IFD0_TAGS.SubIFDs];
  const make = ifd0[IFD0_TAGS.Make];
  return {
    cr2Signature: little && header.toString('latin1', 8, 12) === 'CR\x02\0',
    newSubfileType: numberAt(IFD0_TAGS.NewSubfileType),
    compression: numberAt(IFD0_TAGS.Compression),
    photometric: numberAt(IFD0_TAGS.Photometric),
    make: typeof make === 'string' ? make : undefined,
    subIfdCount:
      typeof subIfds === 'number' ? 1 : subIfds instanceof Uint32Array || Array.isArray(subIfds) ? subIfds.length : 0,
    dngVersion: ifd0[IFD0_TAGS.DNGVersion] !== undefined,
  };
}

/** Is this TIFF-headed file a camera RAW (extract its preview) or a plain TIFF (decode it)? With the reason. */
export async function isTiffBasedRaw(file: string): Promise<TiffRawVerdict> {
  const head = await readTiffHead(file);
  return head ? classifyTiff(head) : { raw: false, reason: 'no readable TIFF header or IFD0' };
}
