import path from 'node:path';

/**
 * Media reach the UI by id only: `shootline-media://<kind>/<id>` in Electron, `/media/<kind>/<id>`
 * (with the session token) in the headless server. The id names an asset or a variant; the
 * engine looks the file up itself, so nothing the renderer sends is ever used as a path. The
 * containment check on the resolved file is the second fence.
 */
export const MEDIA_KINDS = ['thumbnail', 'preview', 'original', 'variant'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** What a media id may be: it names a file, so nothing that could climb a path. */
export const MEDIA_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface MediaRequest {
  kind: MediaKind;
  id: string;
}

/** What the engine answers for a media request: a file inside one of its roots, and how to label it. */
export interface ResolvedMedia {
  file: string;
  mimeType: string;
  /** Changes whenever the bytes do (a content hash), for conditional requests. */
  etag: string;
}

/** Parses `shootline-media://<kind>/<id>`; anything else (extra segments, dots, encoded separators) is null. */
export function parseMediaUrl(url: string): MediaRequest | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'shootline-media:') return null;
  return parseParts(parsed.hostname, parsed.pathname);
}

/** Parses the headless server's `/media/<kind>/<id>` path (already without its query). */
export function parseMediaPath(pathname: string): MediaRequest | null {
  const match = /^\/media\/([a-z]+)(\/.*)$/.exec(pathname);
  return match ? parseParts(match[1] ?? '', match[2] ?? '') : null;
}

function parseParts(kind: string, pathname: string): MediaRequest | null {
  if (!(MEDIA_KINDS as readonly string[]).includes(kind)) return null;
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.length !== 1) return null;
  const id = segments[0] ?? '';
  if (!MEDIA_ID.test(id)) return null;
  return { kind: kind as MediaKind, id };
}

/** True when `candidate` is strictly inside `root` once both are resolved (not a sibling like root-evil). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(candidate));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

const ORIGINAL_TYPES: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  heif: 'image/heic',
  tiff: 'image/tiff',
  // Camera RAWs by their registered or customary image types, so nothing is served untyped.
  cr2: 'image/x-canon-cr2',
  cr3: 'image/x-canon-cr3',
  orf: 'image/x-olympus-orf',
  rw2: 'image/x-panasonic-rw2',
  raf: 'image/x-fuji-raf',
};

/** The image Content-Type of an original by the format ingest recognised in its bytes. */
export function originalMimeType(format: string): string {
  return (Object.hasOwn(ORIGINAL_TYPES, format) ? ORIGINAL_TYPES[format] : undefined) ?? 'image/x-unknown';
}
