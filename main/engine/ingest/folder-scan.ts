import type * as FsModule from 'node:fs';
import { Worker } from 'node:worker_threads';
import { specialKind, type SpecialFileKind } from '../regular-file';
import { isInIgnoredFolder } from './file-filter';

/** One thing found under a hot folder, as its walk saw it. */
export interface ScannedEntry {
  /** From the hot folder, with '/' between parts. */
  relative: string;
  kind: 'file' | 'directory' | Exclude<SpecialFileKind, 'directory'>;
  size: number;
  /** Rounded to the millisecond, as ingest records it. */
  mtimeMs: number;
}

export interface ScanSummary {
  /** Folders that could not be listed (no permission, gone meanwhile): nothing below them was seen. */
  unreadable: string[];
}

/** Entries per message: each message is handled in its own turn of the event loop. */
const BATCH = 500;

/**
 * Every folder below the root that the walk will enter, found by listing folders only (no stat
 * per file): the caller watches them all before the walk lists their files, so a photo written
 * meanwhile is either listed or heard of, never neither.
 */
function listFolders(
  fs: typeof FsModule,
  root: string,
  maxDepth: number,
  ignoredFolder: (relative: string) => boolean,
): string[] {
  const folders: string[] = [];
  const stack: { relative: string; depth: number }[] = [{ relative: '', depth: 0 }];
  while (stack.length > 0) {
    const { relative, depth } = stack.pop() as { relative: string; depth: number };
    if (depth >= maxDepth) continue;
    let entries: FsModule.Dirent[];
    try {
      entries = fs.readdirSync(relative === '' ? root : `${root}/${relative}`, { withFileTypes: true });
    } catch {
      continue; // the walk says it was unreadable
    }
    for (const entry of entries) {
      // A link to a folder is entered by the walk too (and watched when it finds it).
      if (!entry.isDirectory()) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (ignoredFolder(`${child}/x`)) continue;
      folders.push(child);
      stack.push({ relative: child, depth: depth + 1 });
    }
  }
  return folders;
}

/**
 * The walk itself, run in the worker from its source text (so it may use nothing from outside
 * itself but what it is given). Synchronous calls are what a worker is for: they keep the walk
 * simple and fast, and only this thread waits on a slow drive.
 */
function walkFolder(
  fs: typeof FsModule,
  root: string,
  maxDepth: number,
  ignoredFolder: (relative: string) => boolean,
  batchSize: number,
  post: (message: unknown) => void,
): void {
  const unreadable: string[] = [];
  const visited = new Set<string>();
  let batch: unknown[] = [];
  const push = (entry: unknown): void => {
    batch.push(entry);
    if (batch.length >= batchSize) {
      post({ entries: batch });
      batch = [];
    }
  };
  // Depth-first with a stack, not recursion: a deep tree cannot overflow the stack.
  const stack: { relative: string; depth: number }[] = [{ relative: '', depth: 0 }];
  while (stack.length > 0) {
    const { relative, depth } = stack.pop() as { relative: string; depth: number };
    const directory = relative === '' ? root : `${root}/${relative}`;
    let names: string[];
    try {
      const stats = fs.statSync(directory);
      // A link back up the tree would be walked for ever: each folder once.
      const key = `${stats.dev}:${stats.ino}`;
      if (visited.has(key)) continue;
      visited.add(key);
      names = fs.readdirSync(directory);
    } catch {
      unreadable.push(relative);
      continue;
    }
    for (const name of names) {
      const child = relative === '' ? name : `${relative}/${name}`;
      const stats = fs.statSync(`${directory}/${name}`, { throwIfNoEntry: false });
      if (!stats) continue; // gone meanwhile
      if (stats.isDirectory()) {
        if (depth + 1 > maxDepth || ignoredFolder(`${child}/x`)) continue;
        push({ relative: child, kind: 'directory', size: 0, mtimeMs: 0 });
        stack.push({ relative: child, depth: depth + 1 });
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
  post({ done: { unreadable } });
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
// Transpilers may wrap named functions with these helpers; here they change nothing.
const __name = (target) => target;
const isInIgnoredFolder = ${isInIgnoredFolder.toString()};
const listFolders = ${listFolders.toString()};
const walkFolder = ${walkFolder.toString()};
const fail = (error) => parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
try {
  parentPort.postMessage({ folders: listFolders(fs, workerData.root, workerData.maxDepth, isInIgnoredFolder) });
  parentPort.once('message', () => {
    try {
      walkFolder(fs, workerData.root, workerData.maxDepth, isInIgnoredFolder, workerData.batch, (message) => parentPort.postMessage(message));
    } catch (error) {
      fail(error);
    }
  });
} catch (error) {
  fail(error);
}
`;

/**
 * Walks a hot folder and stats everything in it on a worker thread. First `onFolders` is given
 * every folder the walk will enter (to watch them), then `onEntries` what it finds, a few hundred
 * at a time (folders that appeared meanwhile among them): a folder of 100,000 photos on a network drive takes
 * seconds to minutes of stats, and the engine must answer meanwhile. Hidden and temporary folders
 * ('.', '~') are not entered. `maxDepth` counts folders below the root that are entered (1: the
 * root's own files and its subfolders' files). Stopped by `signal` (the folder was removed, the
 * engine stops).
 */
export function scanFolder(
  root: string,
  maxDepth: number,
  on: { folders: (relatives: string[]) => void; entries: (entries: ScannedEntry[]) => void },
  signal?: AbortSignal,
): Promise<ScanSummary> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { root, maxDepth: Number.isFinite(maxDepth) ? maxDepth : Number.MAX_SAFE_INTEGER, batch: BATCH },
  });
  return new Promise<ScanSummary>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      void worker.terminate();
      outcome();
    };
    const abort = (): void => finish(() => resolve({ unreadable: [] }));
    if (signal?.aborted) {
      abort();
      return;
    }
    signal?.addEventListener('abort', abort, { once: true });
    worker.on(
      'message',
      (message: { folders?: string[]; entries?: ScannedEntry[]; done?: ScanSummary; error?: string }) => {
        if (settled) return;
        try {
          if (message.folders) {
            on.folders(message.folders);
            worker.postMessage('walk');
          } else if (message.entries) on.entries(message.entries);
          else if (message.done) finish(() => resolve(message.done as ScanSummary));
          else finish(() => reject(new Error(`The scan of ${root} failed: ${message.error ?? 'no answer'}`)));
        } catch (error) {
          finish(() => reject(error instanceof Error ? error : new Error(String(error))));
        }
      },
    );
    worker.once('error', (error: Error) => finish(() => reject(error)));
    worker.once('exit', (code) => finish(() => reject(new Error(`The scan of ${root} stopped (exit ${code}).`))));
  });
}

/** What a stat of one path says, as a scan reports it (a folder is 'other' here: not a photo). */
export function entryOf(stats: FsModule.Stats): Pick<ScannedEntry, 'kind' | 'size' | 'mtimeMs'> {
  const kind = stats.isFile() ? 'file' : specialKind(stats);
  return { kind: kind === 'directory' ? 'other' : kind, size: stats.size, mtimeMs: Math.round(stats.mtimeMs) };
}
