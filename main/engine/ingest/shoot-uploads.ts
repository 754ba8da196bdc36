import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { Db } from '../db/connection';
import { getHotFolder } from '../db/hot-folders-repo';
import { getShootDetail } from '../db/shoots-repo';
import { MAX_PHOTO_FILE_BYTES } from '../imaging/sharp-config';

/** Hidden (so ingest passes over it), inside the shoot's folder (so the final rename stays on one drive). */
const STAGING = '.shootline-uploads';

export interface UploadPiece {
  id: string;
  upload: string;
  name: string;
  offset: number;
  data: string;
  done: boolean;
}

/**
 * Photos added to a shoot from the UI (a browser or the desktop app alike): written into the shoot's
 * own folder, where ingest takes them as it takes any photo copied there. Pieces arrive in order; a
 * piece that does not start where the file ends is refused, so a lost piece never leaves a silently
 * broken photo. The file takes its name only when whole.
 */
export async function receivePiece(db: Db, piece: UploadPiece): Promise<{ received: number; file: string | null }> {
  const { root, folder } = shootFolder(db, piece.id);
  // An unmounted drive leaves its mount point behind: never write a shoot's folder onto the local disk.
  if (!fs.existsSync(root)) {
    throw new AppError(
      'invalid_input',
      `The hot folder ${root} is not there. Connect its drive, then add the photos again.`,
    );
  }
  // Pieces of one upload are written one after the other, even if two arrive at once.
  const before = inFlight.get(piece.upload) ?? Promise.resolve();
  const written = before.catch(() => undefined).then(() => writeOrSay(folder, piece));
  const settled = written.then(
    () => undefined,
    () => undefined,
  );
  inFlight.set(piece.upload, settled);
  void settled.then(() => {
    if (inFlight.get(piece.upload) === settled) inFlight.delete(piece.upload);
  });
  return written;
}

/** The last piece being written for each upload id. */
const inFlight = new Map<string, Promise<void>>();

/** Staged pieces older than this belong to an upload nobody finished: removed when a new one starts. */
const ABANDONED_MS = 24 * 60 * 60 * 1000;

async function writeOrSay(folder: string, piece: UploadPiece): Promise<{ received: number; file: string | null }> {
  try {
    return await writePiece(folder, piece);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof AppError || !code) throw error;
    throw new AppError(
      'invalid_input',
      `Could not write ${piece.name} into ${folder} (${code}). Check that the drive is connected, writable and not full.`,
    );
  }
}

async function writePiece(folder: string, piece: UploadPiece): Promise<{ received: number; file: string | null }> {
  const staging = path.join(folder, STAGING);
  const part = path.join(staging, `${piece.upload}.part`);
  const bytes = Buffer.from(piece.data, 'base64');
  if (piece.offset + bytes.length > MAX_PHOTO_FILE_BYTES) {
    throw new AppError(
      'invalid_input',
      `${piece.name} is larger than the ${MAX_PHOTO_FILE_BYTES / 1024 ** 3} GB a photo may be.`,
    );
  }
  await fs.promises.mkdir(staging, { recursive: true });
  if (piece.offset === 0) await removeAbandoned(staging);
  const size =
    piece.offset === 0
      ? 0
      : await fs.promises.stat(part).then(
          (stat) => stat.size,
          () => -1,
        );
  if (size !== piece.offset) {
    throw new AppError(
      'conflict',
      `The upload of ${piece.name} lost its place (${size < 0 ? 'nothing received' : `${size} bytes received`}, this piece starts at ${piece.offset}). Add the photo again.`,
    );
  }
  await fs.promises.writeFile(part, bytes, { flag: piece.offset === 0 ? 'w' : 'a' });
  const received = piece.offset + bytes.length;
  if (!piece.done) return { received, file: null };
  const handle = await fs.promises.open(part, 'r+');
  await handle.sync().finally(() => handle.close());
  const final = await claimName(part, folder, piece.name);
  await fs.promises.rmdir(staging).catch(() => undefined); // other uploads may still be under way
  return { received, file: final };
}

/**
 * Gives the staged file its name: `name`, or "name (2).ext", "name (3).ext"… Each name is claimed
 * with a hard link, which fails if the name exists, so a photo copied in (or another upload
 * finishing) at the same moment is never overwritten. Drives without hard links (exFAT, some
 * shares) get an exclusive copy instead.
 */
async function claimName(part: string, folder: string, name: string): Promise<string> {
  const extension = path.extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? name : `${stem} (${n})${extension}`;
    const target = path.join(folder, candidate);
    try {
      await fs.promises.link(part, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
      try {
        await fs.promises.copyFile(part, target, fs.constants.COPYFILE_EXCL);
      } catch (copyError) {
        if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw copyError;
      }
    }
    await fs.promises.rm(part, { force: true });
    return candidate;
  }
}

async function removeAbandoned(staging: string): Promise<void> {
  const now = Date.now();
  for (const entry of await fs.promises.readdir(staging).catch(() => [] as string[])) {
    const file = path.join(staging, entry);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (stat && now - stat.mtimeMs > ABANDONED_MS) await fs.promises.rm(file, { force: true });
  }
}

/** The folder a shoot's photos live in; a shoot with none (made for generated work) cannot take photos. */
function shootFolder(db: Db, shootId: string): { root: string; folder: string } {
  const shoot = getShootDetail(db, shootId);
  if (!shoot) throw new AppError('not_found', `No shoot ${shootId}.`);
  const hotFolder = shoot.hotFolderId ? getHotFolder(db, shoot.hotFolderId) : null;
  if (!hotFolder || shoot.folder === null) {
    throw new AppError(
      'invalid_input',
      `“${shoot.name}” has no folder, so it cannot take photos. Make a shoot in a hot folder and add them there.`,
    );
  }
  return { root: hotFolder.path, folder: path.join(hotFolder.path, shoot.folder) };
}
