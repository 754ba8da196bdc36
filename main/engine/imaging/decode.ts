import type { Metadata, Sharp } from 'sharp';
import type { ImageFormat } from './sniff';
import { DecoderUnavailableError, type HeicDecoder } from './heic';
import { checkJpegScan } from './jpeg-scan';
import { rawLooksComplete } from './raw-complete';
import { isDcfAdobeRgb, readExif, readExifFromFile, type PhotoMetadata } from './metadata';
import { withAdobeRgbProfile } from './adobe-rgb';
import { pngWithProfile } from './png-with-profile';
import { classifyDecoderError, corrupt, tooLarge, truncated, unsupported, type PhotoError } from './photo-errors';
import { configureSharp, MAX_INPUT_PIXELS } from './sharp-config';
import { orientationWithTurn } from './turn';
import { turnedSize, type Turn } from '../../../shared/turn';

const sharp = configureSharp();

/** A photo whose pixels can be read: its upright size, its metadata, and a way to decode it. */
export interface OpenedPhoto {
  /** The format by content; RAW files report their RAW format though the pixels come from their preview. */
  format: ImageFormat | 'raw';
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
  metadata: PhotoMetadata;
  /**
   * A fresh pipeline over the upright image, turned `turn` more quarter turns clockwise when given
   * (each call decodes again; sharp pipelines are single-use). Width and height above are before
   * any turn: see turnedPhoto.
   */
  pipeline: (turn?: Turn) => Sharp;
}

/**
 * Why a photo could not be opened: something wrong with the photo (kept on the asset), or the
 * machine failing the decoder (a crashed worker, memory running out), which is tried again later.
 */
export type OpenFailure = PhotoError | { kind: 'decoder_unavailable'; message: string };

export type OpenResult = { ok: true; photo: OpenedPhoto } | { ok: false; error: OpenFailure };

/** Pulls the full-size JPEG preview out of a camera RAW (exiftool), or says why there is none. */
export interface RawPreviewSource {
  extract(
    file: string,
    tempDir: string,
  ): Promise<
    | { ok: true; jpeg: Buffer; orientation: number | null; width: number; height: number }
    | { ok: false; message: string }
  >;
}

export interface PhotoDecoderDeps {
  heic: HeicDecoder;
  raw: RawPreviewSource;
  /** Where RAW previews are extracted to (files there are removed right after). */
  tempDir: string;
  /** Tells a TIFF-based RAW (DNG, NEF, ARW…) from a plain TIFF. */
  isTiffRaw: (file: string) => Promise<boolean>;
}

const RAW_FORMATS = new Set<ImageFormat>(['cr2', 'cr3', 'orf', 'rw2', 'raf']);

/** Whether a photo opened as `format` is decoded from JPEG data (a JPEG, or a camera RAW's JPEG preview). */
export function decodesFromJpeg(format: string): boolean {
  return format === 'jpeg' || format === 'raw' || RAW_FORMATS.has(format as ImageFormat);
}

/**
 * Opens a photo judged by its content: checks it is whole before anything is made from it (JPEG
 * scan data is entropy-checked, because libjpeg quietly paints corrupt scans as garbage), refuses
 * decompression bombs from the header alone, and hands back an upright pipeline.
 */
export class PhotoDecoder {
  constructor(private readonly deps: PhotoDecoderDeps) {}

  /**
   * `knownWhole`: these exact bytes were opened before and passed the check of their scan data
   * (the content hash of an ingested photo that decoded), so the check is not run again.
   */
  async open(file: string, bytes: Buffer, format: ImageFormat, { knownWhole = false } = {}): Promise<OpenResult> {
    try {
      if (RAW_FORMATS.has(format)) return await this.openRaw(file, bytes, format);
      if (format === 'tiff' && (await this.deps.isTiffRaw(file))) return await this.openRaw(file, bytes, 'raw');
      // The size the header declares comes first: a header asking for more pixels than Shootline
      // opens is too large, whatever its data holds (never "damaged" because the data is short).
      const header = await sharp(bytes, { limitInputPixels: false }).metadata();
      const { width = 0, height = 0 } = header;
      if (width * height > MAX_INPUT_PIXELS) return failed(tooLarge(width, height, MAX_INPUT_PIXELS));
      if (format === 'jpeg' && !knownWhole) {
        const scan = checkJpegScan(bytes);
        if (!scan.ok) {
          if (scan.kind === 'truncated') return failed({ ...truncated(), detail: scan.detail });
          if (scan.kind === 'unsupported_format')
            return failed(
              unsupported(
                'This JPEG is stored in a rare way Shootline cannot decode. Save it again as an ordinary JPEG.',
                scan.detail,
              ),
            );
          return failed(corrupt(scan.detail));
        }
      }
      if (format === 'heif') return await this.openHeic(bytes, header);
      return await this.openWithSharp(bytes, format, header);
    } catch (error) {
      if (error instanceof DecoderUnavailableError || isOutOfMemory(error)) {
        return { ok: false, error: { kind: 'decoder_unavailable', message: (error as Error).message } };
      }
      return failed(classifyDecoderError(error));
    }
  }

  private async openWithSharp(given: Buffer, format: ImageFormat, header: Metadata): Promise<OpenResult> {
    const { width = 0, height = 0 } = header;
    // An Adobe RGB photo that says so only in EXIF (R03) is read as Adobe RGB, not taken for sRGB.
    const adobeRgb = format === 'jpeg' && !header.icc && (await isDcfAdobeRgb(header.exif));
    const bytes = adobeRgb ? withAdobeRgbProfile(given) : given;
    const metadata = header.exif || format !== 'png' ? await readExif(header.exif) : await readExifFromFile(bytes);
    // sharp reads the orientation tag from any container (JPEG, PNG eXIf, WebP, TIFF), so trust it over EXIF parsing.
    const orientation = header.orientation ?? metadata.orientation;
    const turned = orientation >= 5;
    return opened({
      format,
      width: turned ? height : width,
      height: turned ? width : height,
      metadata: { ...metadata, orientation },
      // autoOrient, not rotate(): a user's turn is one more rotation after the EXIF orientation.
      pipeline: (turn = 0) => {
        const upright = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).autoOrient();
        return turn === 0 ? upright : upright.rotate(90 * turn);
      },
    });
  }

  /** sharp reads a HEIC's header (size, EXIF, profile) without the HEVC decoder it lacks; libheif decodes. */
  private async openHeic(bytes: Buffer, header: Metadata): Promise<OpenResult> {
    const metadata = await readExif(header.exif);
    const pixels = await this.deps.heic.decode(bytes);
    const raw = { width: pixels.width, height: pixels.height, channels: 4 as const };
    // The HEIC's own profile (Display P3 on recent iPhones) goes with the pixels, so conversions start from it.
    // Only one copy of the pixels is kept: the PNG with the profile, or libheif's own.
    const source = header.icc ? await pngWithProfile(sharp(pixels.data, { raw }), header.icc) : null;
    return opened({
      format: 'heif',
      width: pixels.width,
      height: pixels.height,
      // libheif has already applied the HEIF transforms; the EXIF tag must not turn it again.
      metadata: { ...metadata, orientation: 1 },
      pipeline: source ? pipelineOf(source) : rawPipelineOf(pixels.data, raw),
    });
  }

  private async openRaw(file: string, bytes: Buffer, format: OpenedPhoto['format']): Promise<OpenResult> {
    // A RAW cut short still has a perfect preview at its start: judge the whole file first.
    if (!rawLooksComplete(bytes)) return failed(truncated('the RAW data at its end is missing'));
    const preview = await this.deps.raw.extract(file, this.deps.tempDir);
    if (!preview.ok) return failed(unsupported(preview.message));
    const header = await sharp(preview.jpeg).metadata();
    const metadata = await readExif(header.exif);
    // The preview rarely carries the camera's orientation; the RAW's own tag is the one that counts.
    const orientation = preview.orientation ?? header.orientation ?? 1;
    const turned = orientation >= 5;
    return opened({
      format,
      width: turned ? preview.height : preview.width,
      height: turned ? preview.width : preview.height,
      metadata: { ...metadata, orientation },
      pipeline: (turn = 0) => orient(sharp(preview.jpeg, { failOn: 'error' }), orientationWithTurn(orientation, turn)),
    });
  }
}

/**
 * Applies an EXIF orientation explicitly. sharp mirrors before it rotates, so the two mirrored
 * diagonals (5, 7) are a mirror followed by a quarter turn.
 */
export function orient(pipeline: Sharp, orientation: number): Sharp {
  switch (orientation) {
    case 2:
      return pipeline.flop();
    case 3:
      return pipeline.rotate(180);
    case 4:
      return pipeline.flip();
    case 5:
      return pipeline.flop().rotate(270);
    case 6:
      return pipeline.rotate(90);
    case 7:
      return pipeline.flop().rotate(90);
    case 8:
      return pipeline.rotate(270);
    default:
      return pipeline;
  }
}

/** Pipelines over one buffer, made apart from the decode so that nothing else stays referenced. */
function pipelineOf(encoded: Buffer): (turn?: Turn) => Sharp {
  return (turn = 0) => (turn === 0 ? sharp(encoded) : sharp(encoded).rotate(90 * turn));
}

function rawPipelineOf(data: Uint8Array, raw: { width: number; height: number; channels: 4 }): (turn?: Turn) => Sharp {
  return (turn = 0) => (turn === 0 ? sharp(data, { raw }) : sharp(data, { raw }).rotate(90 * turn));
}

/** The photo as the user turned it: sides swapped for a quarter turn, and every pipeline turned. */
export function turnedPhoto(photo: OpenedPhoto, turn: Turn): OpenedPhoto {
  if (turn === 0) return photo;
  return { ...photo, ...turnedSize(photo.width, photo.height, turn), pipeline: () => photo.pipeline(turn) };
}

function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && /out of memory|cannot allocate|ENOMEM/i.test(error.message);
}

function opened(photo: OpenedPhoto): OpenResult {
  return { ok: true, photo };
}

function failed(error: PhotoError): OpenResult {
  return { ok: false, error };
}
