import path from 'node:path';
import type { HotFolder } from '../../../shared/domain';
import type { Db } from '../db/connection';
import { KNOWN_FILES_PAGE, knownFilesPage } from '../db/ingest-repo';
import { classifyPath, isInIgnoredFolder } from './file-filter';
import { describeSpecialFile, type SpecialFileKind } from '../regular-file';

/** How many passed-over files a folder's status lists (the count covers them all). */
const MAX_LISTED = 20;

/**
 * The photos recorded in a hot folder, by path, with the size and mtime they were taken at: read a
 * page at a time with a turn of the event loop between pages (100,000 rows at once would hold
 * the engine for a tenth of a second).
 */
export async function knownFiles(
  db: Db,
  hotFolderId: string,
): Promise<Map<string, { size: number; mtimeMs: number | null }>> {
  const known = new Map<string, { size: number; mtimeMs: number | null }>();
  let after: string | null = null;
  for (;;) {
    const page = knownFilesPage(db, hotFolderId, after);
    for (const { relative, size, mtimeMs } of page) known.set(relative, { size, mtimeMs });
    if (page.length < KNOWN_FILES_PAGE) return known;
    after = page.at(-1)?.relative ?? null;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

/** The top-level subfolder a file's shoot is made from ('' for a hot folder's loose files). */
export function shootFolderOf(relative: string): string {
  return relative.includes('/') ? (relative.split('/')[0] ?? '') : '';
}

/**
 * Files in hot folders that ingest will not read (a named pipe, a device, a socket), per folder,
 * each with the sentence its status shows.
 */
export class PassedOverFiles {
  private readonly byFolder = new Map<string, Map<string, string>>();

  /** Lists a file; true when it was not listed yet (so it is logged once). */
  note(folder: HotFolder, file: string, kind: SpecialFileKind): boolean {
    const relative = toPosix(path.relative(folder.path, file));
    const inFolder = this.byFolder.get(folder.id) ?? new Map<string, string>();
    this.byFolder.set(folder.id, inFolder);
    if (inFolder.has(relative)) return false;
    inFolder.set(relative, `${relative} is ${describeSpecialFile(kind)}`);
    return true;
  }

  /** The file is gone, or became a file ingest reads. */
  clear(folder: HotFolder, file: string): void {
    this.byFolder.get(folder.id)?.delete(toPosix(path.relative(folder.path, file)));
  }

  forgetFolder(folderId: string): void {
    this.byFolder.delete(folderId);
  }

  /** Newest last, at most MAX_LISTED. */
  listed(folderId: string): { path: string; reason: string }[] {
    const entries = [...(this.byFolder.get(folderId) ?? new Map<string, string>())];
    return entries.slice(-MAX_LISTED).map(([relative, reason]) => ({ path: relative, reason }));
  }

  count(folderId: string): number {
    return this.byFolder.get(folderId)?.size ?? 0;
  }
}

/**
 * Whether ingest leaves this path alone: hidden and temporary files and folders, what is not a
 * photo or a sidecar, and what lies deeper than a folder that is not recursive watches.
 */
export function ignoredIn(folder: HotFolder, file: string, isDirectory: boolean): boolean {
  const relative = path.relative(folder.path, file);
  if (relative === '' || relative.startsWith('..')) return relative !== '';
  // A folder that is not recursive: its own files and those of its shoot folders, no deeper.
  const parts = relative.split(path.sep).length;
  if (!folder.recursive && parts > (isDirectory ? 1 : 2)) return true;
  if (isDirectory) return isInIgnoredFolder(`${relative}${path.sep}x`);
  return isInIgnoredFolder(relative) || classifyPath(file).kind === 'ignored';
}
