import os from 'node:os';
import path from 'node:path';
import type { CollisionPolicy } from '../../../shared/export-preset';

/** What one exported item's names are made of. */
export interface NameFields {
  /** The shoot's name, as the user sees it. */
  shoot: string;
  /** The source photo's file name without its extension. */
  name: string;
  /** 1-based position of the item in the export run. */
  seq: number;
  /** Which variant of the photo (e.g. "v2"); null or empty for an original. */
  variant: string | null;
  /** The provider that made the variant (e.g. "aixpose"); null or empty for an original. */
  provider: string | null;
  /** The editor's star rating (0–5); null when not rated. */
  rating: number | null;
  /** When the photo was taken, as Shootline stores it ("2016-03-24T14:49:51") or as EXIF writes it ("2016:03:24 14:49:51"). */
  captureDate: string | null;
  /** When the export runs; `{date}` falls back to it when the capture date is unknown. */
  date: Date;
}

/**
 * The most bytes a file or folder name may take: 255 is the limit of ext4, APFS, NTFS (in UTF-16
 * units, which UTF-8 bytes never undercount) and most other file systems in use.
 */
export const MAX_NAME_BYTES = 255;

const TOKEN = /\{(shoot|name|seq|variant|provider|date|rating)\}/g;

/** Characters that at least one of Windows, macOS or Linux refuses or treats specially in a name. */
const UNSAFE = /[/\\:*?"<>|]/g;

/** Names Windows keeps for devices, with any extension ("CON.jpg" cannot be created either). */
const WINDOWS_RESERVED = new Set([
  'CON',
  'PRN',
  'AUX',
  'NUL',
  ...Array.from({ length: 10 }, (_, digit) => `COM${digit}`),
  ...Array.from({ length: 10 }, (_, digit) => `LPT${digit}`),
  'COM¹',
  'COM²',
  'COM³',
  'LPT¹',
  'LPT²',
  'LPT³',
]);

/** Separators next to a token that renders empty are dropped, so "{name}_{variant}" of an original is "IMG_0001", not "IMG_0001_". */
const SEPARATORS = /[-_ .]+$/;
const LEADING_SEPARATORS = /^[-_ .]+/;

/** How many digits `{seq}` takes in a run of `total` items, so names sort in order (001 … 120). */
export function seqWidth(total: number): number {
  return String(Math.max(1, Math.floor(total))).length;
}

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Bidirectional overrides (U+202E…) can make "photo<RLO>gpj.exe" display as "photoexe.jpg"; they have no place in a file name. */
function isBidiControl(code: number): boolean {
  return code === 0x200e || code === 0x200f || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/**
 * One file or folder name that every common file system accepts: NFC (macOS and Windows would
 * otherwise disagree on "é"), no control or bidi characters, `_` for characters Windows or a path
 * would misread, no leading dots (a hidden file) or spaces, no trailing dots or spaces (Windows
 * silently drops them, so the file would not be where we said), never a Windows device name, and
 * at most `maxBytes` UTF-8 bytes, cut between characters the user sees.
 */
export function safeName(text: string, maxBytes = MAX_NAME_BYTES, fallback = '_'): string {
  let cleaned = '';
  for (const char of text.normalize('NFC')) {
    const code = char.codePointAt(0) ?? 0;
    if (isControl(code) || isBidiControl(code)) continue;
    cleaned += char;
  }
  cleaned = cleaned.replace(UNSAFE, '_');
  cleaned = trimEnds(capBytes(trimEnds(cleaned), maxBytes));
  if (cleaned === '') cleaned = fallback;
  return avoidReserved(cleaned);
}

function trimEnds(text: string): string {
  return text.replace(/^[\s.]+/u, '').replace(/[\s.]+$/u, '');
}

function avoidReserved(name: string): string {
  const base = (name.split('.')[0] ?? '').trimEnd().toUpperCase();
  return WINDOWS_RESERVED.has(base) ? `_${name}` : name;
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** Cuts text to at most `maxBytes` UTF-8 bytes without splitting a character (or an emoji, or a letter and its accent). */
export function capBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let kept = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = Buffer.byteLength(segment, 'utf8');
    if (bytes + size > maxBytes) break;
    kept += segment;
    bytes += size;
  }
  return kept;
}

/**
 * A whole file name: the stem made safe and cut so that stem, suffix ("-2") and extension
 * together fit in 255 bytes; the extension and suffix are never the part that is cut.
 */
export function fitFileName(stem: string, extension: string, suffix = ''): string {
  const tail = extension === '' ? suffix : `${suffix}.${extension}`;
  const room = MAX_NAME_BYTES - Buffer.byteLength(tail, 'utf8');
  // The stem is made safe on its own first, so a stem "CON" becomes "_CON" before "-2.jpg" is added.
  const safeStem = safeName(stem, room, 'export');
  return `${safeStem}${tail}`;
}

/** `YYYY-MM-DD` of the capture date when it is known, else of the export date (in the machine's time zone). */
export function formatDateToken(captureDate: string | null, exportDate: Date): string {
  const captured = captureDate?.match(/^(\d{4})[-:](\d{2})[-:](\d{2})/);
  if (captured && captured[1] !== '0000') return `${captured[1]}-${captured[2]}-${captured[3]}`;
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${exportDate.getFullYear()}-${pad(exportDate.getMonth() + 1)}-${pad(exportDate.getDate())}`;
}

function tokenValue(token: string, fields: NameFields, width: number): string {
  switch (token) {
    case 'shoot':
      return fields.shoot;
    case 'name':
      return fields.name;
    case 'seq':
      return String(fields.seq).padStart(width, '0');
    case 'variant':
      return fields.variant ?? '';
    case 'provider':
      return fields.provider ?? '';
    case 'date':
      return formatDateToken(fields.captureDate, fields.date);
    case 'rating':
      return fields.rating === null ? '' : String(fields.rating);
    default:
      // The schema refuses unknown tokens; one that slips through stays as typed.
      return `{${token}}`;
  }
}

/**
 * Replaces the tokens of one name (no separators inside). A value keeps its own `/` and `:` here;
 * `safeName` turns them into `_` afterwards, so a shoot called "A/B" never becomes two folders.
 */
export function fillTemplate(template: string, fields: NameFields, width: number): string {
  let out = '';
  let dropLeadingSeparators = false;
  let last = 0;
  const addLiteral = (literal: string) => {
    out += dropLeadingSeparators ? literal.replace(LEADING_SEPARATORS, '') : literal;
    if (literal !== '') dropLeadingSeparators = false;
  };
  for (const match of template.matchAll(TOKEN)) {
    addLiteral(template.slice(last, match.index));
    last = match.index + match[0].length;
    const value = tokenValue(match[1] ?? '', fields, width);
    if (value === '') {
      // Drop the separator before the empty value, or (at the start) the one after it.
      if (SEPARATORS.test(out)) out = out.replace(SEPARATORS, '');
      else dropLeadingSeparators = true;
    } else {
      out += value;
      dropLeadingSeparators = false;
    }
  }
  addLiteral(template.slice(last));
  return out;
}

/** The output file's name (with extension) from the preset's file name template. */
export function renderFileName(
  template: string,
  fields: NameFields,
  options: { seqWidth: number; extension: string },
): string {
  return fitFileName(fillTemplate(template, fields, options.seqWidth), options.extension);
}

export interface FolderOptions {
  seqWidth: number;
  /** The folder the user exports into; a relative template lands under it. */
  exportRoot: string;
  /** With "keep folder tree": the source's folder relative to its hot folder (e.g. "Day 1/Kitchen"). */
  sourceFolder?: string | null;
  /** For templates starting with `~/` (defaults to the user's home). */
  homeDir?: string;
}

/**
 * The folder an item is written to. Each folder level of the template is filled and made safe on
 * its own. An absolute template (or one starting with `~/`) keeps its leading, token-free folders
 * exactly as typed, since those are existing folders the user picked; everything from the first
 * token on is made safe, as is each level of a kept source tree.
 */
export function renderFolder(template: string, fields: NameFields, options: FolderOptions): string {
  // A root: "~", "/", a drive ("C:" and a separator) or a UNC share (two backslashes, server, share).
  const root = /^(?:~(?=[\\/]|$)|[A-Za-z]:[\\/]|\\\\[^\\/]+[\\/][^\\/]+|\/)/.exec(template)?.[0];
  const levels = (root === undefined ? template : template.slice(root.length)).split(/[\\/]/);
  const verbatim: string[] = [];
  let base = options.exportRoot;
  if (root !== undefined) {
    base = root === '~' ? (options.homeDir ?? os.homedir()) : root;
    while (levels.length > 0 && !/\{[a-z]+\}/.test(levels[0] ?? '')) verbatim.push(levels.shift() ?? '');
  }
  const made = levels
    .filter((level) => level.trim() !== '' && level !== '.')
    .map((level) => safeName(fillTemplate(level, fields, options.seqWidth)));
  const tree = (options.sourceFolder ?? '')
    .split(/[\\/]/)
    .filter((level) => level.trim() !== '' && level !== '.' && level !== '..')
    .map((level) => safeName(level));
  // ".." is refused by the preset schema; dropped here too, so no template climbs out of its root.
  const kept = verbatim.filter((level) => level !== '' && level !== '.' && level !== '..');
  return path.join(base, ...kept, ...made, ...tree);
}

/** Where an item is written: its folder and its file name (before collisions are resolved). */
export function renderOutputPath(
  templates: { outputFolder: string; filenameTemplate: string },
  fields: NameFields,
  options: FolderOptions & { extension: string },
): string {
  return path.join(
    renderFolder(templates.outputFolder, fields, options),
    renderFileName(templates.filenameTemplate, fields, options),
  );
}

/** What the collision policy needs to know about a path on disk. */
export interface ExistingFiles {
  exists(file: string): Promise<boolean>;
}

/** Why an item got a suffixed name, for the run's report. */
export type RenameCause = 'exists' | 'taken_in_run';

export type CollisionResolution =
  | { action: 'write'; path: string; replaces: boolean; renamed?: RenameCause }
  | { action: 'skip'; path: string; reason: string };

/**
 * Names taken by this run (including ones not yet written by parallel workers). Keys are
 * case-folded so two items that differ only in case do not clash on macOS or Windows.
 */
export class ClaimedNames {
  private readonly keys = new Set<string>();

  has(file: string): boolean {
    return this.keys.has(ClaimedNames.key(file));
  }

  claim(file: string): void {
    this.keys.add(ClaimedNames.key(file));
  }

  private static key(file: string): string {
    return path.resolve(file).normalize('NFC').toLowerCase();
  }
}

/** How many suffixes are tried before giving up (a folder with 10,000 "name-N" files is not a real case). */
const MAX_SUFFIX = 10_000;

/**
 * Applies the preset's collision policy to a wanted path:
 * - `skip`: an existing file is left alone and the item is skipped;
 * - `overwrite`: the existing file is replaced (the policy for files Shootline did not
 *   write: the user chose it for this preset, e.g. to refresh a client folder in place);
 * - `suffix`: "name.jpg" becomes "name-2.jpg", "name-3.jpg", … until a free name is found.
 * Two items of the same run that land on one name always get suffixes, whatever the policy: the
 * policy is about files from before, not about silently dropping part of this run.
 */
export async function resolveCollision(
  wanted: string,
  policy: CollisionPolicy,
  files: ExistingFiles,
  claimed: ClaimedNames = new ClaimedNames(),
): Promise<CollisionResolution> {
  let renamed: RenameCause = 'taken_in_run';
  if (!claimed.has(wanted)) {
    const exists = await files.exists(wanted);
    if (!exists) return claim({ action: 'write', path: wanted, replaces: false }, claimed);
    if (policy === 'skip') return { action: 'skip', path: wanted, reason: 'A file with this name is already there.' };
    renamed = 'exists';
    if (policy === 'overwrite') return claim({ action: 'write', path: wanted, replaces: true }, claimed);
  }
  const folder = path.dirname(wanted);
  const extension = path.extname(wanted).slice(1);
  const stem = path.basename(wanted, extension === '' ? '' : `.${extension}`);
  for (let number = 2; number <= MAX_SUFFIX; number += 1) {
    const candidate = path.join(folder, fitFileName(stem, extension, `-${number}`));
    if (claimed.has(candidate) || (await files.exists(candidate))) continue;
    return claim({ action: 'write', path: candidate, replaces: false, renamed }, claimed);
  }
  throw new Error(`No free name for ${wanted} after ${MAX_SUFFIX} tries.`);
}

function claim(resolution: CollisionResolution, claimed: ClaimedNames): CollisionResolution {
  claimed.claim(resolution.path);
  return resolution;
}
