import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { isInside } from './media';

/**
 * Which folders a user may point Shootline at. A hot folder is read in full and its files served
 * to the UI; an export folder is written to. Neither may be the operating system's own folders,
 * and neither may be the library (the library would ingest itself, or exports would land among
 * the engine's files).
 */

const SYSTEM_FOLDERS: Readonly<Record<'posix' | 'darwin' | 'win32', readonly string[]>> = {
  posix: ['/proc', '/sys', '/dev', '/etc', '/usr', '/bin', '/sbin', '/boot', '/lib', '/lib32', '/lib64', '/run'],
  // Beside the Unix ones; not /private/var, which holds every user's temporary folders.
  darwin: ['/System', '/Library', '/private/etc', '/cores'],
  win32: ['C:\\Windows', 'C:\\Program Files', 'C:\\Program Files (x86)', 'C:\\ProgramData'],
};

/** The system folder `real` is or lies inside, or null. `real` is absolute with symlinks resolved. */
export function systemFolderHolding(real: string, platform: NodeJS.Platform = process.platform): string | null {
  const list = platform === 'win32' ? SYSTEM_FOLDERS.win32 : platform === 'darwin' ? SYSTEM_FOLDERS.darwin : [];
  const api = platform === 'win32' ? path.win32 : path.posix;
  // macOS and Windows compare names without case.
  const fold = (value: string): string => (platform === 'linux' ? value : value.toLowerCase());
  for (const folder of [...SYSTEM_FOLDERS.posix.filter(() => platform !== 'win32'), ...list]) {
    const normal = api.normalize(folder);
    if (fold(real) === fold(normal)) return normal;
    const relative = api.relative(fold(normal), fold(real));
    if (relative !== '' && !relative.startsWith('..') && !api.isAbsolute(relative)) return normal;
  }
  return null;
}

/**
 * The path with every symlink resolved, for a folder that may not exist yet (an export folder is
 * created by the export): the longest existing part is resolved and the rest appended.
 */
export function resolvedPath(given: string): string {
  let existing = path.resolve(given);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(given);
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

export function refuseSystemFolder(given: string, real: string): void {
  const system = systemFolderHolding(real);
  if (system !== null) {
    throw new AppError(
      'invalid_input',
      `${given} is ${real === system ? 'a system folder' : `inside the system folder ${system}`}; choose a folder of your own.`,
    );
  }
}

/**
 * Where exports may be written: a full path, not a system folder, not the library or anything in
 * it. A folder that merely holds the library (the home folder) is fine. Answers the path as given,
 * normalised; the refusal says why.
 */
export function checkExportFolder(given: string, dataDir: string): string {
  if (!path.isAbsolute(given)) {
    throw new AppError('invalid_input', "Give the export folder's full path, e.g. /Users/you/Deliveries.");
  }
  const real = resolvedPath(given);
  refuseSystemFolder(given, real);
  const library = resolvedPath(dataDir);
  if (real === library || isInside(library, real)) {
    throw new AppError(
      'invalid_input',
      `${given} is inside Shootline's own library (${library}); exports go to a folder of your own.`,
    );
  }
  return path.normalize(given);
}
