import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Files that only ever appear whole under their final name: the bytes go to a hidden temp file in
 * the same folder (a rename across disks would be a copy), are flushed to the disk, and only then
 * take the final name; the folder is flushed too, so the new name survives a power cut. Errors are
 * the system's own; callers say them in their users' words (exports, variants).
 */

export interface AtomicWriteOptions {
  /**
   * Replace a file already under the final name. Without it an existing file is never touched,
   * even one that appears between the check and the write.
   */
  overwrite?: boolean;
  /**
   * Stops the write if aborted before the file takes its final name: the temp file is removed and
   * the abort reason thrown. Once the rename has started it completes (it is one system call).
   */
  signal?: AbortSignal;
  /** Test seam: opens the temp file for writing (tests hand back /dev/full for a real ENOSPC). */
  openTemp?: (file: string) => Promise<fs.FileHandle>;
}

/** Writes `bytes` to `file` atomically; on any failure the temp file is removed and the error thrown as is. */
export async function writeAtomic(file: string, bytes: Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await fillAtomic(file, (handle) => handle.writeFile(bytes), options);
}

/**
 * Copies `source` to `file` atomically, streamed (a video of a gigabyte never sits in memory);
 * the same guarantees as writeAtomic.
 */
export async function copyAtomic(source: string, file: string, options: AtomicWriteOptions = {}): Promise<void> {
  await fillAtomic(
    file,
    async (handle) => {
      const input = await fs.open(source, 'r');
      try {
        const chunk = Buffer.alloc(1024 * 1024);
        for (;;) {
          options.signal?.throwIfAborted();
          const { bytesRead } = await input.read(chunk, 0, chunk.length, null);
          if (bytesRead === 0) break;
          await handle.write(chunk, 0, bytesRead);
        }
      } finally {
        await input.close();
      }
    },
    options,
  );
}

async function fillAtomic(
  file: string,
  fill: (handle: fs.FileHandle) => Promise<unknown>,
  options: AtomicWriteOptions,
): Promise<void> {
  options.signal?.throwIfAborted();
  const folder = path.dirname(file);
  await fs.mkdir(folder, { recursive: true });
  const temp = tempBeside(file, false);
  const openTemp = options.openTemp ?? ((name: string) => fs.open(name, 'wx'));
  let handle: fs.FileHandle | undefined;
  try {
    handle = await openTemp(temp);
    await fill(handle);
    await handle.sync();
    await handle.close();
    handle = undefined;
    options.signal?.throwIfAborted();
    if (options.overwrite === true) await fs.rename(temp, file);
    else await placeWithoutReplacing(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    tempsInUse.delete(temp);
  }
  await syncFolder(folder);
}

/**
 * Gives an existing file (a download, a rendered result) a final name atomically, replacing what
 * is there: flushed first, moved (or, from another disk, copied whole and then moved), the folder
 * flushed after. `prepare` may change the file under its temporary name first (write metadata).
 */
export async function placeAtomic(
  source: string,
  file: string,
  prepare: (temp: string) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const folder = path.dirname(file);
  await fs.mkdir(folder, { recursive: true });
  // The extension stays: the tool `prepare` may run (exiftool) judges a file's type by it.
  const temp = tempBeside(file, true);
  try {
    try {
      await fs.rename(source, temp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await fs.copyFile(source, temp);
      await fs.rm(source, { force: true });
    }
    await prepare(temp);
    const handle = await fs.open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    tempsInUse.delete(temp);
  }
  await syncFolder(folder);
}

/** Temp files this process is writing now: anything else of ours beside a target is a crash's leftover. */
const tempsInUse = new Set<string>();

/** Our temp files' names: a dot, `shootline-`, 16 hex digits, `.tmp` (and maybe the target's extension). */
export const TEMP_NAME = /^\.shootline-[0-9a-f]{16}\.tmp/;

/** Is this one of our temp files that no write of this process is using (left by a process that died)? */
export function isLeftoverTemp(file: string): boolean {
  return TEMP_NAME.test(path.basename(file)) && !tempsInUse.has(file);
}

/** A short hidden name of our own beside `file` (never derived from it, so never too long for the disk). */
function tempBeside(file: string, keepExtension: boolean): string {
  const name = `.shootline-${randomBytes(8).toString('hex')}.tmp${keepExtension ? path.extname(file) : ''}`;
  const temp = path.join(path.dirname(file), name);
  tempsInUse.add(temp);
  return temp;
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
