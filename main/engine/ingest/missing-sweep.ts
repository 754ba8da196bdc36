import fs from 'node:fs';
import path from 'node:path';

/**
 * The photos recorded in a folder whose files a scan did not find, to be marked missing. An empty
 * folder where photos were is far more often an unmounted drive or a card taken out than a shoot
 * deleted: then nothing is marked until files are seen there again. Nothing below a folder the scan
 * could not list is marked either: it was not seen, which is not the same as gone.
 */
export function missingAfterScan(
  known: ReadonlyMap<string, unknown>,
  found: ReadonlySet<string>,
  unreadable: readonly string[],
): string[] {
  if (found.size === 0 && known.size > 0) return [];
  if (unreadable.includes('')) return [];
  const hidden = (relative: string): boolean => unreadable.some((folder) => relative.startsWith(`${folder}/`));
  return [...known.keys()].filter((relative) => !found.has(relative) && !hidden(relative));
}

/**
 * Of these photos (paths relative to `root`, with '/'), the ones whose own stat says they are gone
 * while the hot folder is there, and is the folder it was (`rootIdentity`, device and inode, before
 * and after): a drive that dropped out during a scan, or was unmounted from a mount point that
 * stays behind as an empty folder, marks nothing. A few stats at once, off the main thread.
 */
export async function confirmGone(
  root: string,
  relatives: readonly string[],
  rootIdentity: string | null,
): Promise<string[]> {
  if (relatives.length === 0 || rootIdentity === null) return [];
  const sameRoot = (): Promise<boolean> =>
    fs.promises.stat(root).then(
      (stats) => stats.isDirectory() && `${stats.dev}:${stats.ino}` === rootIdentity,
      () => false,
    );
  if (!(await sameRoot())) return [];
  const gone: string[] = [];
  for (let start = 0; start < relatives.length; start += STATS_AT_ONCE) {
    const checked = await Promise.all(
      relatives.slice(start, start + STATS_AT_ONCE).map((relative) =>
        fs.promises.stat(path.join(root, ...relative.split('/'))).then(
          () => null,
          (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? relative : null),
        ),
      ),
    );
    gone.push(...checked.filter((relative): relative is string => relative !== null));
  }
  return (await sameRoot()) ? gone : [];
}

const STATS_AT_ONCE = 16;
