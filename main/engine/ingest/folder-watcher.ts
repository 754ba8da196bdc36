import fs from 'node:fs';
import path from 'node:path';

export interface FolderWatcherEvents {
  /** Something happened at this path (a file or folder appeared, changed or went): the caller looks. */
  path: (file: string) => void;
  /** A folder could not be watched: `limit` when the system's watch limit is reached. */
  error: (error: Error, limit: boolean) => void;
}

/**
 * Tells when something changes in a hot folder, and nothing else: no stats, no list of files. The
 * caller walks the folder on a worker thread (folder-scan.ts), hands over each folder to watch,
 * and looks at each path this reports. On macOS and Windows one recursive watch covers the tree;
 * on Linux each folder has its own (inotify watches folders, not trees), which costs one watch per
 * folder rather than anything per photo: a library of 100,000 photos in 200 folders holds 200.
 */
export class FolderWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  /**
   * Each folder watched, by its path: which folder it was (device and inode) when known, and whether
   * its watch died (the folder itself was deleted or moved: a file system may give a folder made
   * again at once the same inode, so only the watch's own word tells it is another).
   */
  private readonly folders = new Map<string, { identity: string | null; dead: boolean }>();
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly on: FolderWatcherEvents,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  /**
   * Watches this folder (relative to the root with '/', '' for the root itself); true when it was
   * not watched yet, or was watched as another folder (deleted and made again, a drive plugged back
   * in: a watch follows the folder it was set on, and a dead one says nothing), so watched afresh.
   */
  watch(relative: string, identity: string | null = null): boolean {
    if (this.closed) return false;
    const known = this.folders.get(relative);
    const same = known !== undefined && (identity === null || known.identity === null || known.identity === identity);
    if (known && same && !known.dead) {
      if (identity !== null) known.identity = identity;
      return false;
    }
    this.watchers.get(relative)?.close();
    this.watchers.delete(relative);
    this.folders.set(relative, { identity, dead: false });
    const recursive = this.platform === 'darwin' || this.platform === 'win32';
    if (recursive && relative !== '') return true; // the root's watch covers it
    const directory = relative === '' ? this.root : path.join(this.root, ...relative.split('/'));
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(directory, { persistent: true, recursive });
    } catch (error) {
      this.failed(relative, error);
      return false;
    }
    watcher.on('change', (_type, name) => {
      if (name === null || this.closed) return;
      this.on.path(path.join(directory, String(name)));
      // Linux names the folder itself when it is deleted or moved away, and its watch is dead from
      // then on (a file of the same name inside costs only a look again at the folder).
      if (!recursive && String(name) === path.basename(directory)) this.died(relative, watcher, directory);
    });
    // The folder itself went (deleted, a drive unplugged): whoever looks at it finds out what.
    watcher.on('error', (error) => {
      this.died(relative, watcher, directory);
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') this.on.error(error, false);
    });
    this.watchers.set(relative, watcher);
    return true;
  }

  /** The watch of this folder says nothing any more: it is set again once the folder is seen there. */
  private died(relative: string, watcher: fs.FSWatcher, directory: string): void {
    const known = this.folders.get(relative);
    if (this.watchers.get(relative) !== watcher || !known) return;
    known.dead = true;
    watcher.close();
    this.watchers.delete(relative);
    if (!this.closed) this.on.path(directory);
  }

  /** Whether this path (relative, '/') is a folder being watched (or was, until it went). */
  isFolder(relative: string): boolean {
    return this.folders.has(relative);
  }

  /** Stops watching a folder that went, and every folder below it; returns those folders. */
  forget(relative: string): string[] {
    const below = [...this.folders.keys()].filter(
      (folder) => relative === '' || folder === relative || folder.startsWith(`${relative}/`),
    );
    for (const folder of below) {
      this.folders.delete(folder);
      this.watchers.get(folder)?.close();
      this.watchers.delete(folder);
    }
    return below;
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.folders.clear();
  }

  private failed(relative: string, error: unknown): void {
    this.folders.delete(relative);
    const code = (error as NodeJS.ErrnoException).code;
    // A folder gone between the walk and its watch is not a failure: its parent's watch said so.
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    this.on.error(error instanceof Error ? error : new Error(String(error)), code === 'ENOSPC' || code === 'EMFILE');
  }
}
