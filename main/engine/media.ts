import path from 'node:path';

/**
 * Media reach the UI by id only (`shootline-media://thumb/<id>` in Electron). The id picks a file
 * inside the media root; nothing the renderer sends is ever used as a path. The containment check
 * is the second fence: even a resolved path that escapes the root is refused.
 */
export const MEDIA_KINDS = ['thumb', 'preview', 'variant'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

const MEDIA_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface MediaRequest {
  kind: MediaKind;
  id: string;
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
  const kind = parsed.hostname;
  if (!(MEDIA_KINDS as readonly string[]).includes(kind)) return null;
  const segments = parsed.pathname.split('/').filter((segment) => segment !== '');
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

/** The file for a media id, or null if it would fall outside the media root. */
export function mediaFilePath(mediaRoot: string, request: MediaRequest): string | null {
  if (!MEDIA_ID.test(request.id)) return null;
  const candidate = path.join(mediaRoot, request.kind, `${request.id}.webp`);
  return isInside(mediaRoot, candidate) ? candidate : null;
}
