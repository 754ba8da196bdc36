import exifr from 'exifr';

/** What Shootline keeps from a photo's EXIF: enough to sort, label and carry to outputs. */
export interface PhotoMetadata {
  /** Local capture time as the camera wrote it ("2016-03-24T14:49:51", with "+02:00" if the camera recorded an offset). */
  capturedAt: string | null;
  camera: string | null;
  lens: string | null;
  /** EXIF orientation 1–8 (1 when absent). */
  orientation: number;
  hasGps: boolean;
  /** As EXIF has them, for carrying to outputs (cloud and local results would otherwise drop them). */
  make: string | null;
  model: string | null;
  /** EXIF's own "YYYY:MM:DD HH:MM:SS". */
  exifDateTimeOriginal: string | null;
  copyright: string | null;
  artist: string | null;
}

export const NO_METADATA: PhotoMetadata = {
  capturedAt: null,
  camera: null,
  lens: null,
  orientation: 1,
  hasGps: false,
  make: null,
  model: null,
  exifDateTimeOriginal: null,
  copyright: null,
  artist: null,
};

const WANTED = [
  'Make',
  'Model',
  'LensModel',
  'LensMake',
  'DateTimeOriginal',
  'CreateDate',
  'OffsetTimeOriginal',
  'Orientation',
  'GPSLatitude',
  'GPSLongitude',
  'Copyright',
  'Artist',
];

type Tags = Partial<Record<string, unknown>>;

/**
 * Reads the metadata from an EXIF block (as sharp hands it over: "Exif\0\0" then a TIFF
 * structure). Bad EXIF never fails a photo: a camera with odd offsets still gets its pixels in.
 */
export async function readExif(exif: Buffer | undefined): Promise<PhotoMetadata> {
  if (!exif || exif.length < 8) return NO_METADATA;
  return parse(exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif);
}

/**
 * Reads the metadata from a whole file's bytes, for containers whose EXIF sharp does not hand
 * over (a PNG's eXIf chunk).
 */
export async function readExifFromFile(bytes: Buffer): Promise<PhotoMetadata> {
  return parse(bytes);
}

async function parse(input: Buffer): Promise<PhotoMetadata> {
  const tags = await readExifTags(input, WANTED, { raw: true });
  return tags ? fromTags(tags) : NO_METADATA;
}

/**
 * These EXIF and GPS tags of a file (by path) or of its bytes; undefined when it has none or they
 * cannot be read (bad EXIF never fails anything). `raw` leaves values as stored (no dates made,
 * no GPS turned into decimal `latitude`/`longitude`).
 */
export async function readExifTags(
  input: Buffer | string,
  pick: readonly string[],
  { raw }: { raw: boolean },
): Promise<Tags | undefined> {
  try {
    return ((await exifr.parse(input, tagOptions(pick, raw))) ?? {}) as Tags;
  } catch {
    return undefined;
  }
}

/**
 * exifr keeps every options object it is given, for good, in a map keyed by the object (its
 * `Options.useCached`), with the tag filters it builds from it: an object made per call kept about
 * 9 KB per photo alive for as long as the engine ran (90 MB after 10,000 photos), and built those
 * filters again each time. So each call site hands exifr the same object every time: a module
 * constant, or for readExifTags one made per set of tags, here.
 */
const tagOptionsMade = new Map<string, object>();

function tagOptions(pick: readonly string[], raw: boolean): object {
  const key = `${raw ? 'raw' : 'revived'}:${pick.join(',')}`;
  let options = tagOptionsMade.get(key);
  if (!options) {
    options = {
      tiff: true,
      exif: true,
      gps: true,
      ifd1: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ...(raw ? { translateValues: false, reviveValues: false } : {}),
      pick: [...pick],
    };
    tagOptionsMade.set(key, options);
  }
  return options;
}

function fromTags(tags: Tags): PhotoMetadata {
  const text = (key: string): string | null => {
    const value = tags[key];
    if (typeof value !== 'string') return null;
    // An EXIF text ends at its first NUL: what a camera leaves after it is padding or old bytes
    // ("Nokia\0 2 N9" is "Nokia").
    const text = (value.split('\0')[0] ?? '').trim();
    return text === '' ? null : text;
  };
  const make = text('Make');
  const model = text('Model');
  // "Canon" + "Canon EOS 400D" reads as "Canon EOS 400D", not "Canon Canon EOS 400D".
  const camera =
    model && make && !model.toLowerCase().startsWith(make.toLowerCase()) ? `${make} ${model}` : (model ?? make);
  const orientation =
    typeof tags.Orientation === 'number' && tags.Orientation >= 1 && tags.Orientation <= 8 ? tags.Orientation : 1;
  return {
    capturedAt: exifDate(text('DateTimeOriginal') ?? text('CreateDate'), text('OffsetTimeOriginal')),
    camera,
    lens: text('LensModel'),
    orientation,
    hasGps: tags.GPSLatitude !== undefined && tags.GPSLongitude !== undefined,
    make,
    model,
    exifDateTimeOriginal: text('DateTimeOriginal') ?? text('CreateDate'),
    copyright: text('Copyright'),
    artist: text('Artist'),
  };
}

/** EXIF's "2016:03:24 14:49:51" (local time, no zone) as "2016-03-24T14:49:51", sortable as text. */
export function exifDate(value: string | null, offset: string | null): string | null {
  const match = value ? /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value) : null;
  if (!match || match[1] === '0000') return null;
  const [, year, month, day, hour, minute, second] = match;
  const zone = offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : '';
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`;
}

/** One object for every call (see tagOptionsMade). */
const INTEROP_OPTIONS = {
  tiff: true,
  exif: true,
  interop: true,
  gps: false,
  ifd1: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  translateValues: false,
  reviveValues: false,
  pick: ['InteropIndex', 'ColorSpace'],
};

/**
 * The DCF sign of an Adobe RGB photo with no profile: EXIF ColorSpace "uncalibrated" (not 1, sRGB)
 * and the interoperability index "R03" (sRGB photos say "R98").
 */
export async function isDcfAdobeRgb(exif: Buffer | undefined): Promise<boolean> {
  if (!exif || exif.length < 8) return false;
  const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
  try {
    const tags = ((await exifr.parse(tiff, INTEROP_OPTIONS)) ?? {}) as Tags;
    const index = typeof tags.InteropIndex === 'string' ? tags.InteropIndex.split('\0')[0]?.trim() : undefined;
    return index === 'R03' && tags.ColorSpace !== 1;
  } catch {
    return false;
  }
}
