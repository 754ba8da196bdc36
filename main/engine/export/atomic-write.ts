import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, type ErrorCode } from '../../../shared/errors';

/** Why an export file could not be written, in the words the user is shown. */
export type WriteFailureReason =
  'disk_full' | 'not_permitted' | 'read_only' | 'folder_missing' | 'name_too_long' | 'in_use' | 'exists' | 'io_error';

const CODE_OF: Record<WriteFailureReason, ErrorCode> = {
  disk_full: 'unavailable',
  not_permitted: 'unavailable',
  read_only: 'unavailable',
  folder_missing: 'not_found',
  name_too_long: 'invalid_input',
  in_use: 'conflict',
  exists: 'conflict',
  io_error: 'unavailable',
};

/** An export file that could not be written; `reason` says why, the message says what to do. */
export class ExportWriteError extends AppError {
  readonly reason: WriteFailureReason;
  readonly folder: string;

  constructor(reason: WriteFailureReason, message: string, folder: string, cause?: unknown) {
    super(CODE_OF[reason], message, { reason, folder });
    this.name = 'ExportWriteError';
    this.reason = reason;
    this.folder = folder;
    if (cause !== undefined) this.cause = cause;
  }
}

/** Turns a file system error into the reason and a message a photographer can act on. */
export function describeWriteError(
  error: unknown,
  folder: string,
  file?: string,
): { reason: WriteFailureReason; message: string } {
  const code = (error as NodeJS.ErrnoException | null)?.code ?? '';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        reason: 'disk_full',
        message: `The disk holding ${folder} is full. Free some space there, or choose another export folder, then export again.`,
      };
    case 'EACCES':
    case 'EPERM':
      return {
        reason: 'not_permitted',
        message: `Shootline may not write to ${folder}. Check the folder's permissions (on macOS, also Privacy & Security › Files and Folders), or choose another export folder.`,
      };
    case 'EROFS':
      return {
        reason: 'read_only',
        message: `${folder} is on a disk that cannot be written to (a locked card or a read-only share). Choose another export folder.`,
      };
    case 'ENOENT':
    case 'ENOTDIR':
      return {
        reason: 'folder_missing',
        message: `The export folder ${folder} cannot be reached. Is its drive still connected?`,
      };
    case 'ENAMETOOLONG':
      return {
        reason: 'name_too_long',
        message: `The path of ${file ?? folder} is too long for this disk. Use a shorter folder or file name template.`,
      };
    case 'EBUSY':
    case 'ETXTBSY':
      return {
        reason: 'in_use',
        message: `${file ?? folder} is open in another app, so Shootline cannot replace it. Close it there and export again.`,
      };
    case 'EEXIST':
      return {
        reason: 'exists',
        message: `${file ?? folder} appeared while Shootline was writing it; it was left as it is.`,
      };
    default:
      return {
        reason: 'io_error',
        message: `Shootline could not write to ${folder}: ${(error as Error | null)?.message ?? String(error)}`,
      };
  }
}

function toWriteError(error: unknown, folder: string, file?: string): ExportWriteError {
  if (error instanceof ExportWriteError) return error;
  const { reason, message } = describeWriteError(error, folder, file);
  return new ExportWriteError(reason, message, folder, error);
}

export interface AtomicWriteOptions {
  /**
   * Replace a file already under the final name (the collision policy decided so). Without it an
   * existing file is never touched, even one that appears between the check and the write.
   */
  overwrite?: boolean;
  /** Test seam: opens the temp file for writing (tests hand back /dev/full for a real ENOSPC). */
  openTemp?: (file: string) => Promise<fs.FileHandle>;
}

/**
 * Writes a file so that the final name only ever holds a whole file: the bytes go to a hidden temp
 * file in the same folder (a rename across disks would be a copy), are flushed to the disk, and
 * only then take the final name; the folder is flushed too, so the new name survives a power cut.
 * On any failure the temp file is removed and the error says what the user can do about it.
 */
export async function writeFileAtomic(
  file: string,
  bytes: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const folder = path.dirname(file);
  try {
    await fs.mkdir(folder, { recursive: true });
  } catch (error) {
    throw toWriteError(error, folder, file);
  }
  // A short name of our own, not derived from the final one, so it never hits the 255-byte limit.
  const temp = path.join(folder, `.shootline-${randomBytes(8).toString('hex')}.tmp`);
  const openTemp = options.openTemp ?? ((name: string) => fs.open(name, 'wx'));
  let handle: fs.FileHandle | undefined;
  try {
    handle = await openTemp(temp);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (options.overwrite === true) await fs.rename(temp, file);
    else await placeWithoutReplacing(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw toWriteError(error, folder, file);
  }
  await syncFolder(folder);
}

/**
 * Gives the temp file its final name unless that name is taken. A hard link fails with EEXIST
 * instead of replacing, which closes the gap between "is it free?" and the rename. File systems
 * without hard links (FAT and exFAT cards and drives) fall back to check-then-rename.
 */
async function placeWithoutReplacing(temp: string, file: string): Promise<void> {
  try {
    await fs.link(temp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    if (await exists(file)) throw Object.assign(new Error(`${file} exists`), { code: 'EEXIST' });
    await fs.rename(temp, file);
    return;
  }
  await fs.rm(temp, { force: true });
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Flushes a folder's entries to disk. Windows (and some network file systems) cannot open a folder for this; the rename itself is still atomic there. */
async function syncFolder(folder: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(folder, 'r');
    await handle.sync();
  } catch {
    // Not supported here: nothing more can be done, and the file is already whole under its name.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
