import type * as FsModule from 'node:fs';
import { Worker } from 'node:worker_threads';
import { specialKind, type SpecialFileKind } from '../regular-file';
import { isInIgnoredFolder } from './file-filter';

/** One thing found under a hot folder, as its walk saw it. */
export interface ScannedEntry {
  /** From the hot folder, with '/' between parts. */
  relative: string;
  /** 'unreadable': its stat failed (no permission, a link loop, an I/O error): not a photo, not gone either. */
  kind: 'file' | 'directory' | 'unreadable' | Exclude<SpecialFileKind, 'directory'>;
  size: number;
  /** Rounded to the millisecond, as ingest records it. */
  mtimeMs: number;
}

/** What a file is and how it looks, as ingest judges whether it has settled. */
export interface FileStatus {
  kind: 'file' | SpecialFileKind;
  size: number;
  mtimeMs: number;
}

/** A folder the walk will enter, and which folder it is (device and inode: a folder replaced is another). */
export interface ScannedFolder {
  relative: string;
  identity: string;
}

export interface ScanSummary {
  /** Folders that could not be listed (no permission, gone meanwhile): nothing below them was seen. */
  unreadable: string[];
  /** Stopped before the end (the folder is no longer watched, the engine stops): what it saw is not all there is. */
  aborted: boolean;
  /** Why the root could not be walked at all, in words (for the log). */
  problem?: string;
}

/** Entries per message: each message is handled in its own turn of the event loop. */
const BATCH = 500;

/**
 * The walk, run in the worker from its source text (so it may use nothing from outside itself but
 * what it is given). Synchronous calls are what a worker is for: they keep the walk simple and
 * fast, and only this thread waits on a slow drive. First every folder the walk will enter is
 * posted (folders only, no stat per file): the caller watches them all before the files are
 * listed, so a photo written meanwhile is either listed or heard of, never neither. Then, on the
 * caller's word, the files, a batch at a time. A link to a folder inside the hot folder is an
 * alias of what is walked anyway, and is left alone (followed, it would take every photo twice,
 * or for ever for a link to a folder above it); a link to a folder elsewhere is walked.
 */
function walkFolder(
  fs: typeof FsModule,
  root: string,
  maxDepth: number,
  ignoredFolder: (relative: string) => boolean,
  batchSize: number,
  post: (message: unknown) => void,
  next: (walk: () => void) => void,
  /** The hot folder this walk is in (the root itself, or above it for a folder that appeared). */
  hotFolder: string,
): void {
  // Real paths compared with '/' on every system (Windows answers with '\\').
  const slashed = (real: string): string => real.split('\\').join('/');
  const realRoot = slashed(fs.realpathSync(hotFolder));
  const inside = (real: string): boolean => slashed(real) === realRoot || slashed(real).startsWith(`${realRoot}/`);
  const identity = (stats: FsModule.Stats): string => `${stats.dev}:${stats.ino}`;
  /** The folder `name` in `directory` (at `child`, `depth` levels down) if the walk enters it: its identity. */
  const enterable = (directory: string, name: string, child: string, depth: number): string | null => {
    if (depth > maxDepth || ignoredFolder(`${child}/x`)) return null;
    try {
      const target = `${directory}/${name}`;
      const stats = fs.statSync(target);
      if (!stats.isDirectory()) return null;
      if (fs.lstatSync(target).isSymbolicLink() && inside(fs.realpathSync(target))) return null;
      return identity(stats);
    } catch {
      return null; // a dangling or looping link: not a folder to walk
    }
  };
  /** The folders below `relative` to walk into: not ignored, not too deep, not an alias. */
  const subfolders = (directory: string, relative: string, depth: number): { relative: string; id: string }[] => {
    const found: { relative: string; id: string }[] = [];
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const id = enterable(directory, entry.name, child, depth + 1);
      if (id !== null) found.push({ relative: child, id });
    }
    return found;
  };
  const rootId = identity(fs.statSync(root));
  const folders: { relative: string; id: string; depth: number }[] = [];
  const visited = new Set<string>([rootId, identity(fs.statSync(hotFolder))]);
  // Depth-first with a stack, not recursion: a deep tree cannot overflow the stack.
  const stack = [{ relative: '', id: rootId, depth: 0 }];
  const unreadable: string[] = [];
  while (stack.length > 0) {
    const folder = stack.pop() as { relative: string; id: string; depth: number };
    folders.push(folder);
    try {
      const directory = folder.relative === '' ? root : `${root}/${folder.relative}`;
      for (const child of subfolders(directory, folder.relative, folder.depth)) {
        if (visited.has(child.id)) continue; // the same folder by two ways (a link elsewhere and back)
        visited.add(child.id);
        stack.push({ ...child, depth: folder.depth + 1 });
      }
    } catch {
      unreadable.push(folder.relative);
    }
  }
  post({ folders: folders.map(({ relative, id }) => ({ relative, identity: id })) });
  next(() => {
    let batch: unknown[] = [];
    const push = (entry: unknown): void => {
      batch.push(entry);
      if (batch.length >= batchSize) {
        post({ entries: batch });
        batch = [];
      }
    };
    const walked = new Set(folders.map((folder) => folder.relative));
    for (const { relative } of folders) {
      if (unreadable.includes(relative)) continue;
      const directory = relative === '' ? root : `${root}/${relative}`;
      let names: string[];
      try {
        names = fs.readdirSync(directory);
      } catch {
        unreadable.push(relative);
        continue;
      }
      const depth = relative === '' ? 0 : relative.split('/').length;
      for (const name of names) {
        const child = relative === '' ? name : `${relative}/${name}`;
        let stats: FsModule.Stats | undefined;
        try {
          stats = fs.statSync(`${directory}/${name}`, { throwIfNoEntry: false });
        } catch {
          push({ relative: child, kind: 'unreadable', size: 0, mtimeMs: 0 });
          continue;
        }
        if (!stats) continue; // gone meanwhile
        if (stats.isDirectory()) {
          // Made since the folders were listed: the caller watches it (its files come at the next look or scan).
          const id = walked.has(child) ? null : enterable(directory, name, child, depth + 1);
          // Not a folder reached another way (a link elsewhere and back): that one is walked already.
          if (id !== null && !visited.has(id)) push({ relative: child, kind: 'directory', size: 0, mtimeMs: 0 });
          continue;
        }
        const kind = stats.isFile()
          ? 'file'
          : stats.isFIFO()
            ? 'fifo'
            : stats.isSocket()
              ? 'socket'
              : stats.isCharacterDevice() || stats.isBlockDevice()
                ? 'device'
                : 'other';
        push({ relative: child, kind, size: stats.size, mtimeMs: Math.round(stats.mtimeMs) });
      }
    }
    if (batch.length > 0) post({ entries: batch });
    post({ done: { unreadable, aborted: false } });
  });
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
// Transpilers may wrap named functions with these helpers; here they change nothing.
const __name = (target) => target;
const isInIgnoredFolder = ${isInIgnoredFolder.toString()};
const walkFolder = ${walkFolder.toString()};
const fail = (error) => parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
try {
  walkFolder(
    fs,
    workerData.root,
    workerData.maxDepth,
    isInIgnoredFolder,
    workerData.batch,
    (message) => parentPort.postMessage(message),
    (walk) => parentPort.once('message', () => {
      try {
        walk();
      } catch (error) {
        fail(error);
      }
    }),
    workerData.hotFolder,
  );
} catch (error) {
  fail(error);
}
`;

/**
 * Walks a hot folder and stats everything in it on a worker thread: a folder of 100,000 photos on
 * a network drive takes seconds to minutes of stats, and the engine must answer meanwhile. First
 * `on.folders` is given every folder the walk will enter (to watch them), then `on.entries` what
 * it finds, a few hundred at a time. Hidden and temporary folders ('.', '~') are not entered.
 * `maxDepth` counts the levels of folders below the root that are entered (1: the root's own files
 * and its subfolders'). A root that cannot be listed is `unreadable: ['']`. Stopped by `signal`
 * (the folder is no longer watched, the engine stops): then `aborted`.
 */
export function scanFolder(
  root: string,
  maxDepth: number,
  on: { folders: (folders: ScannedFolder[]) => void; entries: (entries: ScannedEntry[]) => void },
  signal?: AbortSignal,
  /** The hot folder `root` is in, when `root` is a folder below it: links into it are aliases too. */
  hotFolder: string = root,
): Promise<ScanSummary> {
  return new Promise<ScanSummary>((resolve, reject) => {
    if (signal?.aborted) {
      resolve({ unreadable: [], aborted: true });
      return;
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        root,
        hotFolder,
        maxDepth: Number.isFinite(maxDepth) ? maxDepth : Number.MAX_SAFE_INTEGER,
        batch: BATCH,
      },
    });
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      void worker.terminate();
      outcome();
    };
    const abort = (): void => finish(() => resolve({ unreadable: [], aborted: true }));
    signal?.addEventListener('abort', abort, { once: true });
    type Message = { folders?: ScannedFolder[]; entries?: ScannedEntry[]; done?: ScanSummary; error?: string };
    worker.on('message', (message: Message) => {
      if (settled) return;
      try {
        if (message.folders) {
          on.folders(message.folders);
          worker.postMessage('walk');
        } else if (message.entries) on.entries(message.entries);
        else if (message.done) finish(() => resolve(message.done as ScanSummary));
        // The root itself could not be walked (gone, unmounted, no permission): nothing was seen.
        else finish(() => resolve({ unreadable: [''], aborted: false, problem: message.error ?? 'no answer' }));
      } catch (error) {
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
      }
    });
    worker.once('error', (error: Error) => finish(() => reject(error)));
    worker.once('exit', (code) => finish(() => reject(new Error(`The scan of ${root} stopped (exit ${code}).`))));
  });
}

/** What a stat of one path says. */
export function entryOf(stats: FsModule.Stats): FileStatus {
  return { kind: stats.isFile() ? 'file' : specialKind(stats), size: stats.size, mtimeMs: Math.round(stats.mtimeMs) };
}
