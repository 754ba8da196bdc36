import fs from 'node:fs';
import path from 'node:path';
import type { HotFolder } from '../../../shared/domain';

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
  private readonly folders = new Set<string>();
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly on: FolderWatcherEvents,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  /** Watches this folder (relative to the root with '/', '' for the root itself). */
  watch(relative: string): void {
    if (this.closed || this.folders.has(relative)) return;
    this.folders.add(relative);
    const recursive = this.platform === 'darwin' || this.platform === 'win32';
    if (recursive && relative !== '') return; // the root's watch covers it
    const directory = relative === '' ? this.root : path.join(this.root, ...relative.split('/'));
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(directory, { persistent: true, recursive });
    } catch (error) {
      this.failed(relative, error);
      return;
    }
    watcher.on('change', (_type, name) => {
      if (name === null || this.closed) return;
      this.on.path(path.join(directory, String(name)));
    });
    // The folder itself went (deleted, a drive unplugged): whoever looks at it finds out what.
    watcher.on('error', (error) => {
      this.forget(relative);
      if (!this.closed) this.on.path(directory);
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') this.on.error(error, false);
    });
    this.watchers.set(relative, watcher);
  }

  /** Whether this path (relative, '/') is a folder being watched. */
  isFolder(relative: string): boolean {
    return this.folders.has(relative);
  }

  /** Stops watching a folder that went, and every folder below it; returns those folders. */
  forget(relative: string): string[] {
    const below = [...this.folders].filter((folder) => folder === relative || folder.startsWith(`${relative}/`));
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

/** A hot folder as ingest watches it. */
export interface WatchedFolder {
  folder: HotFolder;
  /** Null while polled: a network drive sends no events, nor does a folder past the watch limit. */
  watcher: FolderWatcher | null;
  /** Stops its scans when the folder is no longer watched. */
  abort: AbortController;
  polling: boolean;
}
