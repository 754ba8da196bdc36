import path from 'node:path';
import { copyAtomic, writeAtomic, type AtomicWriteOptions } from '../atomic-file';
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

/**
 * Writes an export file atomically (see atomic-file.ts): the final name only ever holds a whole
 * file. On any failure the error says what the user can do about it.
 */
export async function writeFileAtomic(
  file: string,
  bytes: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  try {
    await writeAtomic(file, bytes, options);
  } catch (error) {
    if (options.signal?.aborted) throw error; // a cancel, not a disk problem
    throw toWriteError(error, path.dirname(file), file);
  }
}

/** Copies a file into an export atomically and streamed (videos), with the same errors in words. */
export async function copyFileAtomic(source: string, file: string, options: AtomicWriteOptions = {}): Promise<void> {
  try {
    await copyAtomic(source, file, options);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw toWriteError(error, path.dirname(file), file);
  }
}

export type { AtomicWriteOptions };
