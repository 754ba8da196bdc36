import fs from 'node:fs';
import path from 'node:path';
import type { HotFolder, Shoot } from '../../../shared/domain';
import type { Clock } from '../clock';
import type { Db } from '../db/connection';
import { getHotFolder } from '../db/hot-folders-repo';
import { ensureShoot, isFolderIgnored, knownUnchanged, recordFile, type RecordOutcome } from '../db/ingest-repo';
import { SNIFF_BYTES, sniffFormat } from '../imaging/sniff';
import { NotRegularFileError, type SpecialFileKind } from '../regular-file';
import { shootFolderOf, toPosix } from './folder-files';
import { hashFile, readHead } from './hash';
import type { FileStat } from './stability';

export interface TakeContext {
  db: Db;
  clock: Clock;
  onShoot?: (shoot: Shoot) => void;
  onHashed?: (file: string) => void;
}

export type TakeOutcome =
  /** Nothing to record: its shoot was deleted, it is known and unchanged, or it went meanwhile. */
  | { kind: 'left' }
  /** Written to since it settled. */
  | { kind: 'rewritten' }
  /** Not a regular file after all (swapped for a pipe or a device). */
  | { kind: 'special'; special: SpecialFileKind }
  | { kind: 'recorded'; result: { assetId: string; outcome: RecordOutcome }; relative: string };

/**
 * Takes a settled file into the library: its shoot made if need be, its content hashed (unless it
 * is known and unchanged), its format judged by content, and the photo recorded by identity (see
 * ingest-repo). `taken` is called once the file counts as taken for this version.
 */
export async function takeFile(
  context: TakeContext,
  folder: HotFolder,
  file: string,
  stat: FileStat,
  taken: () => void,
): Promise<TakeOutcome> {
  const { db, clock } = context;
  // Removed while the file settled: nothing is taken into a folder that is no longer watched.
  if (!getHotFolder(db, folder.id)) return { kind: 'left' };
  const relative = toPosix(path.relative(folder.path, file));
  const shootFolder = shootFolderOf(relative);
  if (isFolderIgnored(db, folder.id, shootFolder)) return { kind: 'left' }; // its shoot was deleted while it settled
  const shootId = ensureShoot(db, folder, shootFolder, clock.now(), context.onShoot);
  taken();
  if (knownUnchanged(db, shootId, relative, stat.size, stat.mtimeMs)) return { kind: 'left' };
  let hashed: Awaited<ReturnType<typeof hashFile>>;
  try {
    hashed = await hashFile(file);
  } catch (error) {
    if (error instanceof NotRegularFileError) return { kind: 'special', special: error.kind };
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'left' }; // its watcher event follows
    throw error;
  }
  if (hashed.size !== stat.size) return { kind: 'rewritten' };
  context.onHashed?.(file);
  // The shoot may have been deleted while the file was read: then it is left alone.
  if (isFolderIgnored(db, folder.id, shootFolder)) return { kind: 'left' };
  const sniffed = sniffFormat(await readHead(file, SNIFF_BYTES));
  const result = recordFile(
    db,
    {
      shootId,
      hotFolderId: folder.id,
      relativePath: relative,
      sizeBytes: stat.size,
      mtimeMs: stat.mtimeMs,
      contentHash: hashed.hash,
      fileIdentity: hashed.identity,
      format: sniffed.ok ? sniffed.format : null,
      error: sniffed.ok ? null : { kind: sniffed.kind, message: sniffed.message },
    },
    (other) => fs.existsSync(path.join(folder.path, other)),
    clock.now(),
  );
  return { kind: 'recorded', result, relative };
}
