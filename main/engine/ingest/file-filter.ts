import path from 'node:path';

/**
 * What the watcher should do with a path, before touching its content. Temp and partial names
 * (browsers, sync tools, Office lock files), hidden files and OS litter are never ingested; `.xmp`
 * sidecars are linked to their photo, not ingested themselves.
 */
export type PathKind =
  { kind: 'candidate' } | { kind: 'sidecar'; photoStem: string } | { kind: 'ignored'; reason: string };

const PARTIAL_SUFFIXES = ['.part', '.crdownload', '.tmp', '.download', '.partial'];
const OS_LITTER = new Set(['.ds_store', 'thumbs.db', 'desktop.ini']);

export function classifyPath(filePath: string): PathKind {
  const name = path.basename(filePath);
  const lower = name.toLowerCase();
  if (OS_LITTER.has(lower)) return { kind: 'ignored', reason: 'operating-system file' };
  if (lower.startsWith('.syncthing.')) return { kind: 'ignored', reason: 'sync in progress' };
  if (name.startsWith('~')) return { kind: 'ignored', reason: 'temporary file' };
  if (name.startsWith('.')) return { kind: 'ignored', reason: 'hidden file' };
  if (PARTIAL_SUFFIXES.some((suffix) => lower.endsWith(suffix)))
    return { kind: 'ignored', reason: 'still downloading or copying' };
  if (lower.endsWith('.xmp')) {
    // Both "IMG_1.xmp" and Lightroom/darktable's "IMG_1.CR2.xmp" belong to IMG_1.
    const stem = name.slice(0, -'.xmp'.length);
    return { kind: 'sidecar', photoStem: stemOf(stem) };
  }
  return { kind: 'candidate' };
}

/** The name without its last extension, as sidecars are matched: "IMG_1.CR2" → "IMG_1". */
export function stemOf(name: string): string {
  const extension = path.extname(name);
  return extension ? name.slice(0, -extension.length) : name;
}

/** Any path segment hidden or temporary below the hot folder (e.g. ".sync/…", "~tmp/…") hides the file too. */
export function isInIgnoredFolder(relativePath: string): boolean {
  return relativePath
    .split(/[\\/]/)
    .slice(0, -1)
    .some((segment) => segment.startsWith('.') || segment.startsWith('~'));
}
