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

/**
 * Throws unless `file` is a regular file now. For tools that open files by path themselves
 * (exiftool): the check and their open are not one step, so each such tool also has its own
 * timeout, which bounds the damage of a file swapped in between.
 */
export async function assertRegularFile(file: string): Promise<void> {
  const { handle } = await openRegularFile(file);
  await handle.close();
}

/** A file too large to read into memory for the purpose at hand. */
export class FileTooLargeError extends Error {
  readonly size: number;

  constructor(file: string, size: number, max: number) {
    super(`${file} is ${size} bytes; at most ${max} are read`);
    this.name = 'FileTooLargeError';
    this.size = size;
  }
}

/**
 * The whole of a regular file, as it was when opened: read through the handle that was checked,
 * and never more than its size then (a file still growing, or swapped for /dev/zero, cannot make
 * this read for ever).
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  const { handle, size } = await openRegularFile(file);
  try {
    if (size > maxBytes) throw new FileTooLargeError(file, size, maxBytes);
    const buffer = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
      if (bytesRead === 0) break; // cut short since it was opened
      offset += bytesRead;
    }
    return offset === size ? buffer : buffer.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/** Says in words what a special file is, for a folder's status ("a named pipe, not a photo file"). */
export function describeSpecialFile(kind: SpecialFileKind): string {
  switch (kind) {
    case 'directory':
      return 'a folder';
    case 'fifo':
      return 'a named pipe, not a photo file';
    case 'socket':
      return 'a socket, not a photo file';
    case 'device':
      return 'a device, not a photo file';
    case 'other':
      return 'not a regular file';
  }
}
