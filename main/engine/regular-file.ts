import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** What a path turned out to be when it was not a regular file. */
export type SpecialFileKind = 'directory' | 'fifo' | 'socket' | 'device' | 'other';

export class NotRegularFileError extends Error {
  readonly kind: SpecialFileKind;

  constructor(file: string, kind: SpecialFileKind) {
    super(`${file} is a ${kind}, not a regular file`);
    this.name = 'NotRegularFileError';
    this.kind = kind;
  }
}

// O_NONBLOCK makes opening a FIFO return at once instead of parking a libuv thread until a writer
// comes; it changes nothing for a regular file. Windows has no FIFOs here and no such flag.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Opens a file for reading only if it is a regular file, judged on the opened handle, so a path
 * swapped between a check and the open (a symlink to /dev/zero, a FIFO) can never be read. The
 * caller owns the handle and closes it.
 */
export async function openRegularFile(file: string): Promise<{ handle: FileHandle; size: number }> {
  const handle = await fs.promises.open(file, OPEN_FLAGS);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new NotRegularFileError(file, specialKind(stats));
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

export function specialKind(stats: fs.Stats): SpecialFileKind {
  if (stats.isDirectory()) return 'directory';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device';
  return 'other';
}
