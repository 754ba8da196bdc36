import fs from 'node:fs';
import path from 'node:path';
import { HISTOGRAM_BINS, type PhotoInfo } from '../../../shared/api-review';
import type { Asset } from '../../../shared/domain';
import { iccProfileName } from '../imaging/icc-name';
import { readExifTags } from '../imaging/metadata';
import { configureSharp } from '../imaging/sharp-config';

const sharp = configureSharp();

/** What the info panel reads of the camera's EXIF beyond what ingest keeps on the asset. */
const EXPOSURE_TAGS = [
  'ExposureTime',
  'FNumber',
  'ISO',
  'ISOSpeedRatings',
  'FocalLength',
  'FocalLengthIn35mmFormat',
  'GPSLatitude',
  'GPSLongitude',
  'GPSLatitudeRef',
  'GPSLongitudeRef',
  'GPSAltitude',
  'GPSAltitudeRef',
];

/** Formats sharp reads the header of (for the ICC profile); RAW files are read through their preview. */
const SHARP_HEADERS = new Set(['jpeg', 'png', 'webp', 'tiff', 'heif', 'avif', 'gif']);

/** The histogram is taken from the preview scaled down to this long edge: plenty for 64 bins. */
const HISTOGRAM_EDGE = 256;

export interface PhotoInfoSource {
  asset: Asset;
  /** The original on disk, or null when its hot folder is no longer known. */
  file: string | null;
  /** The photo's preview (made if needed), or null when it has none (an unreadable photo). */
  preview: () => Promise<string | null>;
}

type Exposure = Pick<PhotoInfo, 'exposureTime' | 'fNumber' | 'iso' | 'focalLength' | 'focalLength35' | 'gps'>;

const NO_EXPOSURE: Exposure = {
  exposureTime: null,
  fNumber: null,
  iso: null,
  focalLength: null,
  focalLength35: null,
  gps: null,
};

/**
 * A photo's details for the info panel, read from its file now. Each part that cannot be read is
 * left empty and the reason is said once: a missing file still shows what ingest recorded.
 */
export async function readPhotoInfo({ asset, file, preview }: PhotoInfoSource): Promise<PhotoInfo> {
  const base: PhotoInfo = {
    assetId: asset.id,
    fileName: path.basename(asset.relativePath),
    path: file,
    sizeBytes: asset.sizeBytes,
    format: asset.format,
    width: asset.width,
    height: asset.height,
    capturedAt: asset.capturedAt,
    camera: asset.camera,
    lens: asset.lens,
    ...NO_EXPOSURE,
    colourProfile: null,
    histogram: null,
    problem: null,
  };
  // Asked of the opened path without blocking the engine (a hot folder on a slow NAS), and only a
  // regular file is read: a FIFO or a device put in its place would hang the EXIF and header reads.
  const stat = file ? await fs.promises.stat(file).catch(() => null) : null;
  if (!file || !stat) {
    return { ...base, problem: 'The original file is missing: only what was recorded at ingest is shown.' };
  }
  if (!stat.isFile()) {
    return { ...base, problem: 'The original is no longer a regular file: only what was recorded at ingest is shown.' };
  }
  const [exposure, colourProfile, histogram] = await Promise.all([
    readExposure(file),
    asset.format && SHARP_HEADERS.has(asset.format) ? readProfileName(file) : Promise.resolve(null),
    asset.state === 'error' ? Promise.resolve(null) : previewHistogram(preview),
  ]);
  return {
    ...base,
    ...exposure,
    colourProfile,
    histogram,
    problem:
      asset.state === 'error' ? `This photo could not be read: ${asset.error?.message ?? 'unknown reason'}` : null,
  };
}

async function readExposure(file: string): Promise<Exposure> {
  // Odd EXIF never stops the panel: the rest is still shown.
  const tags = await readExifTags(file, EXPOSURE_TAGS, { raw: false });
  if (!tags) return NO_EXPOSURE;
  const latitude = finite(tags.latitude);
  const longitude = finite(tags.longitude);
  const altitude = finite(tags.GPSAltitude);
  const below = tags.GPSAltitudeRef instanceof Uint8Array ? tags.GPSAltitudeRef[0] === 1 : tags.GPSAltitudeRef === 1;
  return {
    exposureTime: positive(tags.ExposureTime),
    fNumber: positive(tags.FNumber),
    iso: positive(firstOf(tags.ISO) ?? firstOf(tags.ISOSpeedRatings)),
    focalLength: positive(tags.FocalLength),
    focalLength35: positive(tags.FocalLengthIn35mmFormat),
    gps:
      latitude !== null && longitude !== null && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180
        ? { latitude, longitude, altitude: altitude === null ? null : below ? -altitude : altitude }
        : null,
  };
}

async function readProfileName(file: string): Promise<string | null> {
  try {
    const header = await sharp(file, { limitInputPixels: false }).metadata();
    return iccProfileName(header.icc);
  } catch {
    return null;
  }
}

/** Pixel counts per bin for red, green, blue and Rec. 709 luma, from the sRGB preview. */
async function previewHistogram(preview: () => Promise<string | null>): Promise<PhotoInfo['histogram']> {
  const file = await preview().catch(() => null);
  if (!file) return null;
  try {
    const { data, info } = await sharp(file)
      .resize(HISTOGRAM_EDGE, HISTOGRAM_EDGE, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return histogramOf(data, info.channels);
  } catch {
    return null;
  }
}

/** Counts 8-bit interleaved pixels (1 channel: grey; 3 or more: RGB) into HISTOGRAM_BINS bins. */
export function histogramOf(data: Uint8Array, channels: number): NonNullable<PhotoInfo['histogram']> {
  const bins = () => new Uint32Array(HISTOGRAM_BINS);
  const [red, green, blue, luma] = [bins(), bins(), bins(), bins()];
  const shift = Math.log2(256 / HISTOGRAM_BINS);
  for (let at = 0; at + channels <= data.length; at += channels) {
    const r = data[at] ?? 0;
    const g = channels >= 3 ? (data[at + 1] ?? 0) : r;
    const b = channels >= 3 ? (data[at + 2] ?? 0) : r;
    count(red, r >> shift);
    count(green, g >> shift);
    count(blue, b >> shift);
    count(luma, Math.min(255, Math.round(0.2126 * r + 0.7152 * g + 0.0722 * b)) >> shift);
  }
  return { red: Array.from(red), green: Array.from(green), blue: Array.from(blue), luma: Array.from(luma) };
}

function count(bins: Uint32Array, bin: number): void {
  bins[bin] = (bins[bin] ?? 0) + 1;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function positive(value: unknown): number | null {
  const number = finite(value);
  return number !== null && number > 0 ? number : null;
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}
