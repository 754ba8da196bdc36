import type { OverlayOptions, Sharp } from 'sharp';
import { configureSharp, MAX_INPUT_PIXELS, MAX_PHOTO_FILE_BYTES } from '../imaging/sharp-config';
import { readRegularFile } from '../regular-file';
import { releaseBuffer } from '../release-buffer';
import { planSize } from './size-plan';
import { encode, renderMaster, sourcePipeline, srgbProfileAfter } from './export-encode';
import {
  metadataArgs,
  sourceFields,
  type Credits,
  type ExportMetadataWriter,
  type MetadataPlan,
} from './export-metadata';
import { nativeFields, writeNativeMetadata } from './native-metadata';
import type { NameFields } from './names';
import type { ExportDisclosure } from './disclosure';
import { labelOverlay, watermarkOverlay, WatermarkUnreadable } from './overlays';
import type { Turn } from '../../../shared/turn';
import {
  sizeWords,
  smallerThanSize,
  LOSSLESS_FORMATS,
  type ExportFormat,
  type ExportPreset,
} from '../../../shared/export-preset';

const sharp = configureSharp();

/** Below this JPEG/WebP/AVIF quality, compression artefacts are plain to see; a size ceiling is not met by going lower. */
export const MIN_FIT_QUALITY = 40;

/** One item of an export: the name fields plus what its metadata and disclosure need. */
export interface ExportItemMeta extends NameFields, Credits {
  /**
   * How the picture was made (from the operation's declared effect): the DigitalSourceType written
   * when the preset discloses in metadata, and whether the preset's AI label is drawn (in the
   * operation's own words if it has them).
   */
  disclosure: ExportDisclosure;
  /** The photo's description, when the preset writes it into the picture's metadata. */
  description?: string;
}

export interface RenderExportInput {
  /** The image to export (a variant's file or an original that sharp decodes); EXIF orientation is applied. */
  file: string;
  /** Quarter turns the user gave the photo, applied after its EXIF orientation (0 for variants: made turned). */
  turn?: Turn;
  /** Where a crop to another shape is placed: the point (0–1 of the upright picture) kept in view. */
  cropFocus?: { x: number; y: number } | null;
  preset: ExportPreset;
  meta: ExportItemMeta;
  /**
   * Where the kept metadata comes from, when not from `file`: a provider's output carries little
   * of its own, so a variant can keep its original photo's camera and capture data.
   */
  metadataFrom?: string;
}

export interface ExportTools {
  metadata: ExportMetadataWriter;
}

export interface RenderedExport {
  bytes: Buffer;
  width: number;
  height: number;
  format: ExportFormat;
  /** The encoder quality used; null for the lossless formats (PNG, TIFF). */
  quality: number | null;
  /** True when the quality was lowered from the preset's to fit its size ceiling. */
  steppedDown: boolean;
}

export type RenderExportFailure =
  | { code: 'cannot_fit'; message: string; smallestBytes: number; quality: number | null }
  | { code: 'too_small'; message: string }
  | { code: 'source_unreadable'; message: string }
  | { code: 'watermark_unreadable'; message: string };

export type RenderExportResult = { ok: true; output: RenderedExport } | { ok: false; error: RenderExportFailure };

function unreadable(file: string, error: unknown): RenderExportResult {
  const detail = error instanceof Error ? `: ${error.message}` : '';
  return { ok: false, error: { code: 'source_unreadable', message: `Shootline cannot read ${file}${detail}` } };
}

function formatBytes(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.ceil(bytes / 1000)} kB`;
}

/**
 * Renders one export: the source made upright, sized, watermarked and labelled as the preset says,
 * converted to its colour space, encoded, given the metadata its policy allows, and, when the
 * preset has a size ceiling, encoded at the highest quality (down to 40) that fits under it.
 */
export async function renderExport(input: RenderExportInput, tools: ExportTools): Promise<RenderExportResult> {
  let source: Buffer;
  try {
    // Read through a checked handle: a path swapped for a pipe or a device is refused, not read.
    source = await readRegularFile(input.file, MAX_PHOTO_FILE_BYTES);
  } catch (error) {
    return unreadable(input.file, error);
  }
  // Every encode, master and candidate file made on the way: all but the one returned are dropped.
  const made: Buffer[] = [];
  let result: RenderExportResult | undefined;
  try {
    result = await renderSource(input, tools, source, made);
    return result;
  } finally {
    // Every pipeline and reader of these bytes has finished: their memory goes now (see releaseBuffer).
    // libvips reads an input through a raw pointer, so nothing in renderSource may still be running
    // here: every sharp call in it is awaited, never raced against a timeout or an abort.
    const kept = result?.ok ? result.output.bytes.buffer : null;
    for (const bytes of [source, ...made]) if (bytes.buffer !== kept) releaseBuffer(bytes);
  }
}

async function renderSource(
  input: RenderExportInput,
  tools: ExportTools,
  source: Buffer,
  made: Buffer[],
): Promise<RenderExportResult> {
  const { file, preset, meta } = input;
  let header: Awaited<ReturnType<Sharp['metadata']>>;
  try {
    header = await sharp(source, { limitInputPixels: false }).metadata();
  } catch (error) {
    return unreadable(file, error);
  }
  const { width: storedWidth = 0, height: storedHeight = 0 } = header;
  if (storedWidth === 0 || storedHeight === 0) return unreadable(file, new Error('it has no picture size'));
  if (storedWidth * storedHeight > MAX_INPUT_PIXELS) {
    return unreadable(file, new Error(`${storedWidth} × ${storedHeight} pixels is more than Shootline opens`));
  }
  const turn = input.turn ?? 0;
  // Upright by EXIF, then the user's quarter turns: one of them swaps the sides back again.
  const sideways = (header.orientation ?? 1) >= 5 !== (turn % 2 === 1);
  const uprightWidth = sideways ? storedHeight : storedWidth;
  const uprightHeight = sideways ? storedWidth : storedHeight;
  if (
    preset.size.mode !== 'original' &&
    preset.size.refuseSmaller &&
    smallerThanSize(preset.size, uprightWidth, uprightHeight)
  ) {
    return {
      ok: false,
      error: {
        code: 'too_small',
        message: `At ${uprightWidth} × ${uprightHeight} this picture is smaller than the preset's ${sizeWords(preset.size)}, and the preset does not enlarge photos.`,
      },
    };
  }
  const plan = planSize(preset.size, uprightWidth, uprightHeight, input.cropFocus ?? null);

  const { disclosure } = meta;
  // Any change at all makes a source's own DigitalSourceType ("digitalCapture") untrue.
  const aiTouched = disclosure.digitalSourceType !== null || disclosure.label;
  const overlays: OverlayOptions[] = [];
  try {
    if (preset.watermark !== undefined)
      overlays.push(await watermarkOverlay(preset.watermark, plan.width, plan.height));
  } catch (error) {
    if (error instanceof WatermarkUnreadable)
      return { ok: false, error: { code: 'watermark_unreadable', message: error.message } };
    throw error;
  }
  // Drawn last, so a watermark never hides the disclosure.
  if (disclosure.label && preset.aiDisclosure.label !== undefined) {
    const label = { ...preset.aiDisclosure.label, text: disclosure.labelText ?? preset.aiDisclosure.label.text };
    overlays.push(await labelOverlay(label, plan.width, plan.height));
  }

  const hasAlpha = header.hasAlpha === true;
  const keepAlpha = hasAlpha && preset.format !== 'jpeg';
  const flatten = hasAlpha && !keepAlpha;
  // The first encode goes straight from the source; only a quality search needs the master.
  let master: Buffer | null = null;
  const profileAfter = srgbProfileAfter(preset, header.depth);
  const base = async (direct: boolean): Promise<Sharp> => {
    if (direct) return sourcePipeline(source, preset, plan, overlays, flatten, turn, profileAfter);
    if (master === null)
      made.push((master = await renderMaster(source, preset, plan, overlays, flatten, turn, profileAfter)));
    // keepIccProfile: the master's profile is attached as is, not converted a second time.
    return sharp(master, { limitInputPixels: false }).keepIccProfile();
  };

  const metadataSource = input.metadataFrom ?? file;
  const contact = meta.contact;
  const wantsCredits =
    preset.metadata !== 'strip-all' &&
    Boolean(meta.creator || meta.copyright || contact?.email || contact?.url || contact?.phone);
  // The bytes in hand when the metadata is the picture's own: the file is read once.
  const metadataBytes = metadataSource === file ? source : undefined;
  // Read in-process; what the source holds decides whether exiftool is needed to copy it.
  const fields =
    preset.metadata === 'copyright-contact' && preset.format === 'jpeg'
      ? await sourceFields(metadataSource, metadataBytes)
      : null;
  const own = fields
    ? { creator: fields.creator, copyright: fields.copyright }
    : wantsCredits
      ? await tools.metadata.ownCredits(metadataSource, metadataBytes)
      : undefined;
  const metadataPlan: MetadataPlan = {
    policy: preset.metadata,
    ...(wantsCredits && own ? { own } : {}),
    source: metadataSource,
    format: preset.format,
    credits: { creator: meta.creator, copyright: meta.copyright, contact: meta.contact },
    digitalSourceType: preset.aiDisclosure.metadata ? disclosure.digitalSourceType : null,
    aiTouched,
    description: meta.description,
  };
  const args = metadataArgs(metadataPlan);
  const native = args === null ? null : nativeFields(metadataPlan, fields);
  const withMetadata = async (data: Buffer): Promise<Buffer> => {
    if (args === null) return data;
    return (native && writeNativeMetadata(data, native)) ?? tools.metadata.apply(data, preset.format, args);
  };

  const encoded = new Map<number, { data: Buffer; width: number; height: number }>();
  const encodeAt = async (quality: number) => {
    let result = encoded.get(quality);
    if (result === undefined) {
      result = await encode(await base(encoded.size === 0), preset, keepAlpha, quality, profileAfter);
      made.push(result.data);
      encoded.set(quality, result);
    }
    return result;
  };
  const finish = async (quality: number) => {
    const image = await encodeAt(quality);
    const bytes = await withMetadata(image.data);
    made.push(bytes);
    return { ...image, bytes };
  };

  const lossless = LOSSLESS_FORMATS.has(preset.format);
  const done = (image: { bytes: Buffer; width: number; height: number }, quality: number): RenderExportResult => ({
    ok: true,
    output: {
      bytes: image.bytes,
      width: image.width,
      height: image.height,
      format: preset.format,
      quality: lossless ? null : quality,
      steppedDown: quality !== preset.quality,
    },
  });

  try {
    await encodeAt(preset.quality); // decodes the source: a damaged file is reported as such
  } catch (error) {
    return unreadable(file, error);
  }
  const first = await finish(preset.quality);
  const ceiling = preset.maxFileBytes;
  if (ceiling === undefined || first.bytes.length <= ceiling) return done(first, preset.quality);
  const cannotFit = (smallestBytes: number, quality: number | null): RenderExportResult => ({
    ok: false,
    error: {
      code: 'cannot_fit',
      message:
        quality === null
          ? `At ${formatBytes(smallestBytes)} this ${preset.format.toUpperCase()} is over the preset's ${formatBytes(ceiling)} limit, and a lossless format cannot be made smaller. Choose JPEG, WebP or AVIF, or a smaller size.`
          : `Even at quality ${quality} this photo takes ${formatBytes(smallestBytes)}, over the preset's ${formatBytes(ceiling)} limit. Choose a smaller size or raise the limit.`,
      smallestBytes,
      quality,
    },
  });
  if (lossless) return cannotFit(first.bytes.length, null);
  // Never raise the quality to search: a preset already at or below the floor has nowhere to go.
  if (preset.quality <= MIN_FIT_QUALITY) return cannotFit(first.bytes.length, preset.quality);

  // Metadata adds about the same bytes at any quality: measure it once, then search on encodes alone.
  const overhead = first.bytes.length - first.data.length;
  const budget = ceiling - overhead;
  let low = MIN_FIT_QUALITY;
  let high = preset.quality - 1;
  let best: number | null = null;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    if ((await encodeAt(middle)).data.length <= budget) {
      best = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  // Check the real file (with its metadata), and step down if the estimate was a little short.
  let smallest = first.bytes.length;
  for (let quality = best ?? MIN_FIT_QUALITY; quality >= MIN_FIT_QUALITY; quality -= 1) {
    const candidate = await finish(quality);
    if (candidate.bytes.length <= ceiling) return done(candidate, quality);
    smallest = candidate.bytes.length;
    // Nothing fitted even before metadata: lower qualities were already measured too big.
    if (best === null) break;
  }
  return cannotFit(smallest, MIN_FIT_QUALITY);
}
