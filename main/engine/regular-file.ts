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
 * Which file, at which state, an opened handle read: device, inode, size, and modification and
 * change times to the nanosecond. On the file systems photos live on (APFS, ext4, NTFS) the change
 * time moves with every write and a program cannot set it back (short of Windows' own file-info
 * call), so equal identities mean the bytes were not rewritten since, and what was hashed and
 * checked then need not be hashed and checked again. A rename, a chmod or a copy over the file
 * gives a new identity: the bytes are hashed again, never trusted blindly.
 */
export type FileIdentity = string;

/**
 * Times coarser than a write can be told apart by: FAT and exFAT cards keep modification times to
 * 2 s and no change time at all, so a file written less than this long before it was read could be
 * written again with the same times. Such a read gets no identity (git's "racy" files, the same way).
 */
const TIME_GRAIN_NS = 2_000_000_000n;

function identityOf(stats: fs.BigIntStats): FileIdentity {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

/**
 * The identity of what a handle read, judged after the read: null when the file moved while it
 * was read, or was written too recently for its times to tell a later write apart.
 */
export async function identityAfterRead(
  handle: FileHandle,
  before: FileIdentity,
  bytesRead: number,
  wallClock: () => number = Date.now,
): Promise<FileIdentity | null> {
  const after = await handle.stat({ bigint: true });
  if (identityOf(after) !== before || Number(after.size) !== bytesRead) return null;
  // The file system's own clock, which a file's times come from (never the engine's test clock).
  const now = BigInt(wallClock()) * 1_000_000n;
  if (now - after.mtimeNs < TIME_GRAIN_NS || now - after.ctimeNs < TIME_GRAIN_NS) return null;
  return before;
}

/**
 * Opens a file for reading only if it is a regular file, judged on the opened handle, so a path
 * swapped between a check and the open (a symlink to /dev/zero, a FIFO) can never be read. The
 * caller owns the handle and closes it.
 */
export async function openRegularFile(
  file: string,
): Promise<{ handle: FileHandle; size: number; identity: FileIdentity }> {
  const handle = await fs.promises.open(file, OPEN_FLAGS);
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw new NotRegularFileError(file, specialKind(stats));
    return { handle, size: Number(stats.size), identity: identityOf(stats) };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

export function specialKind(stats: fs.Stats | fs.BigIntStats): SpecialFileKind {
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
  return (await readRegularFileWithIdentity(file, maxBytes)).bytes;
}

/** `readRegularFile`, with the identity of the file whose bytes these are, when it can be trusted (see `identityAfterRead`). */
export async function readRegularFileWithIdentity(
  file: string,
  maxBytes: number,
  wallClock: () => number = Date.now,
): Promise<{ bytes: Buffer; identity: FileIdentity | null }> {
  const { handle, size, identity } = await openRegularFile(file);
  try {
    if (size > maxBytes) throw new FileTooLargeError(file, size, maxBytes);
    const buffer = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
      if (bytesRead === 0) break; // cut short since it was opened
      offset += bytesRead;
    }
    return {
      bytes: offset === size ? buffer : buffer.subarray(0, offset),
      identity: await identityAfterRead(handle, identity, offset, wallClock),
    };
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
