import fs from 'node:fs';
import path from 'node:path';
import type { HotFolder } from '../../../shared/domain';
import { describeSpecialFile, type SpecialFileKind } from '../regular-file';

/** How many passed-over files a folder's status lists (the count covers them all). */
const MAX_LISTED = 20;

/** Every file below `root` (only its own files and one level of shoot folders when not recursive). */
export async function walk(root: string, recursive: boolean): Promise<string[]> {
  const entries = await fs.promises.readdir(root, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (!recursive && path.relative(root, file).split(path.sep).length > 2) continue;
    files.push(file);
  }
  return files;
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
