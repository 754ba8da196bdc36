import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import exifr from 'exifr';
import type { ExifToolTask } from 'exiftool-vendored';
import { type ExifToolModule, LazyExifTool, loadExifTool } from '../imaging/exiftool-lazy';
import { IMAGE_PARALLELISM, MAX_PHOTO_FILE_BYTES } from '../imaging/sharp-config';
import { releaseBuffer } from '../release-buffer';
import { readRegularFile } from '../regular-file';
import type { ExportFormat, MetadataPolicy } from '../../../shared/export-preset';
import type { Settings } from '../../../shared/domain';

export interface Credits {
  creator?: string | undefined;
  copyright?: string | undefined;
  contact?: { email?: string | undefined; url?: string | undefined; phone?: string | undefined } | undefined;
}

/** The credits Settings hold (empty fields are left out, not written as empty tags). */
export function creditsOf(settings: Settings): Credits {
  return {
    creator: settings.creator || undefined,
    copyright: settings.copyright || undefined,
    contact: { email: settings.contactEmail || undefined, url: settings.contactUrl || undefined },
  };
}

/** Which credits a photo already carries (any of EXIF, XMP or IPTC): those are never replaced. */
export interface OwnCredits {
  creator: boolean;
  copyright: boolean;
}

/** A source's credits, and whether it has any field the copyright-contact policy copies (even a blank one). */
export interface SourceFields extends OwnCredits {
  copyable: boolean;
}

export interface MetadataPlan {
  policy: MetadataPolicy;
  /** What the source already says; Settings' credits fill only what it does not. */
  own?: OwnCredits;
  /** The file whose metadata is kept (keep-all, strip-gps) or whose credits are kept (copyright-contact). */
  source: string;
  format: ExportFormat;
  credits: Credits;
  /** A DigitalSourceType URI to write, or null. */
  digitalSourceType: string | null;
  /** The item was changed by AI: a source's own DigitalSourceType ("digitalCapture") would now be false. */
  aiTouched: boolean;
  /** The photo's description, written whatever the policy: the preset asked for it to travel with the picture. */
  description?: string | undefined;
}

/** Formats whose containers hold IPTC IIM (the older block many agencies and MLS tools still read). */
const IPTC_FORMATS: ReadonlySet<ExportFormat> = new Set<ExportFormat>(['jpeg', 'tiff']);

/**
 * What the source may not pass on, whatever the policy: its colour profile (the pixels were
 * converted to the preset's), its embedded thumbnails and previews (they show the picture before
 * staging, cropping or the watermark), its orientation (the pixels are already upright) and its
 * pixel dimensions (the export has its own).
 */
const NEVER_COPIED = [
  '--ICC_Profile:all',
  '--IFD1:all',
  '--ThumbnailImage',
  '--PreviewImage',
  '--Orientation',
  '--ExifImageWidth',
  '--ExifImageHeight',
  '--PixelXDimension',
  '--PixelYDimension',
];

/** No control characters in a value: they would break exiftool's line-based argument protocol. */
export function cleanText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    // Nor what XML 1.0 cannot hold (lone surrogates, U+FFFE, U+FFFF): the value also goes into XMP.
    const unfit = (code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff;
    if (code >= 0x20 && code !== 0x7f && !unfit) out += char;
  }
  out = out.trim();
  return out === '' ? undefined : out;
}

/**
 * The exiftool arguments that give an encoded export the metadata its preset asks for, or null when
 * there is nothing to write (strip-all without disclosure: sharp's output already carries no
 * EXIF, XMP or IPTC). Order matters: exiftool copies from the source first and applies the
 * assignments after it, so ours win over the source's.
 */
export function metadataArgs(plan: MetadataPlan): string[] | null {
  const iptc = IPTC_FORMATS.has(plan.format);
  const args: string[] = [];
  const source = path.resolve(plan.source);
  switch (plan.policy) {
    case 'keep-all':
    case 'strip-gps':
      args.push('-tagsFromFile', source, '-all:all', ...NEVER_COPIED);
      if (plan.aiTouched) args.push('--DigitalSourceType');
      if (plan.policy === 'strip-gps') {
        // EXIF's GPS block and XMP's exif:GPS* are left out of the copy; IPTC's location structures
        // are copied whole, so their coordinates are deleted after (city names stay).
        args.push('--GPS*', '-XMP-iptcExt:LocationCreatedGPS*=', '-XMP-iptcExt:LocationShownGPS*=');
      }
      // Written, not only left out: some readers treat a missing tag differently from "normal".
      args.push('-IFD0:Orientation#=1');
      break;
    case 'copyright-contact':
      args.push(
        '-tagsFromFile',
        source,
        '-EXIF:Artist',
        '-EXIF:Copyright',
        '-XMP-dc:Creator',
        '-XMP-dc:Rights',
        '-XMP-xmpRights:Marked',
        '-XMP-iptcCore:CreatorContactInfo',
        ...(iptc ? ['-IPTC:By-line', '-IPTC:CopyrightNotice'] : []),
      );
      break;
    case 'strip-all':
      break;
    default: {
      const unknown: never = plan.policy;
      throw new Error(`Unknown metadata policy ${String(unknown)}`);
    }
  }
  if (plan.policy !== 'strip-all') args.push(...creditArgs(fillOnly(plan.credits, plan.own), iptc));
  if (plan.digitalSourceType !== null) args.push(`-XMP-iptcExt:DigitalSourceType=${plan.digitalSourceType}`);
  args.push(...descriptionArgs(plan.description, iptc));
  return args.length === 0 ? null : args;
}

/**
 * Settings' credits minus what the photo says itself: its own copyright is never overwritten, and
 * its own creator is never merged with ours (XMP's creator is a list, so writing ours would add a
 * second name). The contact goes with the creator: ours is not the contact for someone else's photo.
 */
export function fillOnly(credits: Credits, own: OwnCredits | undefined): Credits {
  if (!own) return credits;
  return {
    creator: own.creator ? undefined : credits.creator,
    copyright: own.copyright ? undefined : credits.copyright,
    contact: own.creator ? undefined : credits.contact,
  };
}

/**
 * A description as XMP dc:description, EXIF ImageDescription and (JPEG, TIFF) IPTC's caption. Its
 * line breaks become spaces here (exiftool's arguments are one per line); a sidecar keeps them.
 */
function descriptionArgs(description: string | undefined, iptc: boolean): string[] {
  const text = cleanText(description?.replace(/\s*[\r\n]+\s*/g, ' '));
  if (text === undefined) return [];
  return [
    `-XMP-dc:Description=${text}`,
    `-EXIF:ImageDescription=${text}`,
    ...(iptc ? [`-IPTC:Caption-Abstract=${text}`, '-IPTC:CodedCharacterSet=UTF8'] : []),
  ];
}

function creditArgs(credits: Credits, iptc: boolean): string[] {
  const args: string[] = [];
  const creator = cleanText(credits.creator);
  const copyright = cleanText(credits.copyright);
  if (creator !== undefined) {
    args.push(`-EXIF:Artist=${creator}`, `-XMP-dc:Creator=${creator}`);
    if (iptc) args.push(`-IPTC:By-line=${creator}`);
  }
  if (copyright !== undefined) {
    args.push(`-EXIF:Copyright=${copyright}`, `-XMP-dc:Rights=${copyright}`, '-XMP-xmpRights:Marked=True');
    if (iptc) args.push(`-IPTC:CopyrightNotice=${copyright}`);
  }
  const email = cleanText(credits.contact?.email);
  const url = cleanText(credits.contact?.url);
  const phone = cleanText(credits.contact?.phone);
  if (email !== undefined) args.push(`-XMP-iptcCore:CreatorWorkEmail=${email}`);
  if (url !== undefined) args.push(`-XMP-iptcCore:CreatorWorkURL=${url}`);
  if (phone !== undefined) args.push(`-XMP-iptcCore:CreatorWorkTelephone=${phone}`);
  // IIM defaults to Latin-1; say UTF-8 so "Zoë Ångström" and "写真家" survive.
  if (iptc && (creator !== undefined || copyright !== undefined)) args.push('-IPTC:CodedCharacterSet=UTF8');
  return args;
}

/**
 * One exiftool command with our own argument order. exiftool-vendored's `write` puts tag
 * assignments before any extra arguments, so a `-tagsFromFile` copy there would override them.
 * Made once the package is loaded (its base class is the package's).
 */
function argumentsTaskClass(module: ExifToolModule): new (args: string[]) => ExifToolTask<string[]> {
  return class ArgumentsTask extends module.ExifToolTask<string[]> {
    protected parse(_stdout: string, error?: Error): string[] {
      if (error !== undefined) throw error;
      return this.warnings;
    }
  };
}

/** Arguments every write takes: UTF-8 file names (Windows), replace in place, and go on past minor faults in a source's maker notes. */
const BASE_ARGS = ['-charset', 'filename=utf8', '-overwrite_original', '-m'];

/**
 * Applies metadata to encoded export bytes with exiftool (which rewrites metadata segments only,
 * never the pixels). exiftool works on files, so the bytes pass through a temp file that is
 * always removed.
 */
export class ExportMetadataWriter {
  private readonly exiftool = new LazyExifTool({ maxProcs: IMAGE_PARALLELISM, taskTimeoutMillis: 60_000 });

  constructor(private readonly options: { tempDir?: string } = {}) {}

  /**
   * Which credits a file carries of its own (from its bytes, when the caller has read them
   * already); a file exiftool cannot read is taken to carry none.
   */
  async ownCredits(file: string, alreadyRead?: Buffer): Promise<OwnCredits> {
    const read = await sourceFields(file, alreadyRead);
    if (read) return { creator: read.creator, copyright: read.copyright };
    try {
      const tags: Record<string, unknown> = await (await this.exiftool.get()).read(file, ['-fast']);
      const has = (...names: string[]) => names.some((name) => hasText(tags[name]));
      return {
        creator: has('Artist', 'Creator', 'By-line'),
        copyright: has('Copyright', 'Rights', 'CopyrightNotice'),
      };
    } catch {
      return { creator: false, copyright: false };
    }
  }

  async apply(bytes: Buffer, format: ExportFormat, args: string[]): Promise<Buffer> {
    const extension = format === 'tiff' ? 'tif' : format === 'jpeg' ? 'jpg' : format;
    const temp = path.join(
      this.options.tempDir ?? os.tmpdir(),
      `shootline-export-${randomBytes(8).toString('hex')}.${extension}`,
    );
    await fs.writeFile(temp, bytes, { flag: 'wx' });
    try {
      const tool = await this.exiftool.get();
      // The package is loaded by now (get() loaded it); a class per export costs nothing next to exiftool's run.
      const ArgumentsTask = argumentsTaskClass(await loadExifTool());
      // Not retried: a second run over a half-applied copy would not be the same command.
      await tool.enqueueTask(() => new ArgumentsTask([...BASE_ARGS, ...args, temp]), false);
      return await fs.readFile(temp);
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  async end(): Promise<void> {
    await this.exiftool.end();
  }
}

/** The XMP namespaces the copyright-contact policy copies from, with the prefixes exifr's output is keyed by. */
const COPIED_NAMESPACES = {
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://ns.adobe.com/xap/1.0/rights/': 'xmpRights',
  'http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/': 'Iptc4xmpCore',
} as const;

/** Containers whose EXIF, XMP and IPTC exifr reads completely (not HEIF/AVIF: their XMP it skips). */
type ExifrContainer = 'jpeg' | 'png' | 'tiff';

function exifrContainer(head: Buffer): ExifrContainer | null {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  const magic = head.subarray(0, 4).toString('latin1');
  if (magic === '\x89PNG') return 'png';
  return magic === 'II*\0' || magic === 'MM\0*' ? 'tiff' : null;
}

/**
 * XMP exifr's output can be trusted for: the copied namespaces under their usual prefixes (exifr
 * keys its output by the prefix a file uses, and older Adobe software wrote `xapRights`), and no
 * extended XMP in further segments.
 */
function xmpReadable(packet: unknown): boolean {
  if (typeof packet !== 'string') return packet === undefined;
  if (packet.includes('HasExtendedXMP')) return false;
  for (const [uri, prefix] of Object.entries(COPIED_NAMESPACES)) {
    for (const declared of packet.matchAll(/xmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']/g)) {
      if (declared[2] === uri && declared[1] !== prefix) return false;
    }
  }
  return true;
}

/**
 * exifr's options for sourceFields, made once per container: exifr keeps every options object it
 * is given for good (see tagOptionsMade in imaging/metadata.ts), so a new one per export would pile
 * up; and its TIFF reader adds the XMP, IPTC and ICC tags to the IFD0 tags of the options it is
 * given, which a JPEG read with the same object would then look for too (and fail on where they
 * are broken). One pair per container keeps each container's reads as they would be on their own.
 */
function sourceOptions(): { raw: object; segments: object } {
  const quiet = { silentErrors: false, mergeOutput: false, multiSegment: false } as const;
  return {
    raw: { ...quiet, tiff: false, iptc: false, xmp: { parse: false } },
    segments: {
      ...quiet,
      tiff: true,
      ifd0: { pick: ['Artist', 'Copyright'] },
      exif: false,
      gps: false,
      interop: false,
      ifd1: false,
      xmp: true,
      iptc: true,
    },
  };
}

const SOURCE_OPTIONS: Record<ExifrContainer, { raw: object; segments: object }> = {
  jpeg: sourceOptions(),
  png: sourceOptions(),
  tiff: sourceOptions(),
};

/**
 * Which credits a file carries (from its bytes, when the caller has read them already), read from
 * its EXIF, XMP and IPTC segments by exifr in-process (a few milliseconds, against some thirty for
 * a round trip through exiftool), for JPEG, PNG and TIFF. Null whenever exifr's reading could be incomplete (another container, an error, XMP under
 * unusual prefixes or extended): exiftool then reads the file.
 */
export async function sourceFields(file: string, alreadyRead?: Buffer): Promise<SourceFields | null> {
  let bytes: Buffer | undefined = alreadyRead;
  try {
    bytes ??= await readRegularFile(file, MAX_PHOTO_FILE_BYTES);
    const container = exifrContainer(bytes);
    if (!container) return null;
    const options = SOURCE_OPTIONS[container];
    const raw = (await exifr.parse(bytes, options.raw)) as { xmp?: unknown } | undefined;
    if (!xmpReadable(raw?.xmp)) return null;
    const segments = (await exifr.parse(bytes, options.segments)) as
      Record<string, Record<string, unknown> | undefined> | undefined;
    if (segments?.errors) return null;
    const ifd0 = segments?.ifd0 ?? {};
    const dc = segments?.dc ?? {};
    const iptc = segments?.iptc ?? {};
    const copied = [
      ifd0.Artist,
      ifd0.Copyright,
      dc.creator,
      dc.rights,
      segments?.xmpRights?.Marked,
      segments?.Iptc4xmpCore?.CreatorContactInfo,
      iptc.Byline,
      iptc.CopyrightNotice,
    ];
    return {
      creator: [ifd0.Artist, dc.creator, iptc.Byline].some(hasText),
      copyright: [ifd0.Copyright, dc.rights, iptc.CopyrightNotice].some(hasText),
      copyable: copied.some((value) => value !== undefined),
    };
  } catch {
    return null;
  } finally {
    // Read here for these few tags alone: let go of at once (see releaseBuffer); the caller's own bytes are its to keep.
    if (bytes !== alreadyRead) releaseBuffer(bytes);
  }
}

/** A tag with something in it: a non-blank string, or a list or language alternative holding one. */
function hasText(value: unknown): boolean {
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.some(hasText);
  // An XMP language alternative as exifr gives it: { lang, value }.
  if (typeof value === 'object' && value !== null && 'value' in value) return hasText(value.value);
  return value !== undefined && value !== null && typeof value !== 'object';
}
