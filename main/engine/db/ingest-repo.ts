import { randomUUID } from 'node:crypto';
import type { HotFolder, Shoot } from '../../../shared/domain';
import { shootNameFromFolder } from '../../../shared/domain';
import { statement, writeTransaction, type Db } from './connection';
import { freeShootName } from './shoots-repo';

/** What ingest learned about one file that was stable long enough to be taken. */
export interface SeenFile {
  shootId: string;
  hotFolderId: string;
  relativePath: string;
  sizeBytes: number;
  mtimeMs: number;
  contentHash: string;
  /** The identity of the file the hash was computed from (see `FileIdentity`). */
  fileIdentity: string | null;
  /** The format by content, or why the file cannot be used (it still becomes an asset, in state error). */
  format: string | null;
  error: { kind: string; message: string } | null;
}

export type RecordOutcome = 'added' | 'unchanged' | 'new_version' | 'moved' | 'duplicate';

/**
 * The shoot for a top-level subfolder of a hot folder ('' for its loose files), created on first
 * sight with the hot folder's spending rules as its budget, named by the same rule as a typed name
 * ("Maple St (2)" if another shoot has that name).
 */
export function ensureShoot(
  db: Db,
  hotFolder: HotFolder,
  folder: string,
  now: number,
  onCreated?: (shoot: Shoot) => void,
): string {
  const existing = findShoot(db, hotFolder.id, folder);
  if (existing) return existing;
  const id = randomUUID();
  const shoot = writeTransaction(db, () => {
    const name = freeShootName(db, shootNameFromFolder(folder || hotFolder.name));
    statement(db, 'INSERT INTO shoots (id, name, created_at, hot_folder_id, folder) VALUES (?, ?, ?, ?, ?)').run(
      id,
      name,
      new Date(now).toISOString(),
      hotFolder.id,
      folder,
    );
    return { id, name, createdAt: new Date(now).toISOString() };
  });
  onCreated?.(shoot);
  return id;
}

/**
 * The live shoot of a hot folder's subfolder, if any: its own, or the one it was merged into
 * (photos still arriving in a merged folder join the shoot it became part of).
 */
export function findShoot(db: Db, hotFolderId: string, folder: string): string | null {
  const row = statement(
    db,
    `SELECT s.id FROM shoots s WHERE s.hot_folder_id = @hotFolderId AND s.folder = @folder AND s.deleted_at IS NULL
     UNION ALL
     SELECT t.id FROM shoots s JOIN shoots t ON t.id = s.merged_into AND t.deleted_at IS NULL
     WHERE s.hot_folder_id = @hotFolderId AND s.folder = @folder AND s.deleted_at IS NOT NULL
     LIMIT 1`,
  ).get({ hotFolderId, folder }) as { id: string } | undefined;
  return row?.id ?? null;
}

/** A subfolder whose shoot the user deleted: ignored until restored in the hot folder's settings. */
export function isFolderIgnored(db: Db, hotFolderId: string, folder: string): boolean {
  return (
    statement(db, 'SELECT 1 FROM hot_folder_ignored WHERE hot_folder_id = ? AND folder = ?').get(
      hotFolderId,
      folder,
    ) !== undefined
  );
}

/** Known at this path with this size and time: the start-up scan need not hash it again. */
export function knownUnchanged(
  db: Db,
  shootId: string,
  relativePath: string,
  sizeBytes: number,
  mtimeMs: number,
): boolean {
  const row = statement(
    db,
    `SELECT 1 AS known FROM assets WHERE shoot_id = ? AND relative_path = ? AND size_bytes = ? AND mtime_ms = ?
       AND state != 'missing'`,
  ).get(shootId, relativePath, sizeBytes, mtimeMs) as { known: number } | undefined;
  return row !== undefined;
}

interface AssetRow {
  id: string;
  relative_path: string;
  content_hash: string;
  size_bytes: number;
  version: number;
  state: string;
}

/**
 * Identity is the content. The same bytes at the same path: nothing new. New bytes at a known
 * path: a new version of that asset (the old one is kept in asset_versions, and variants made
 * from it keep their version number). Known bytes at a new path: a move if the old path is gone,
 * else a new asset that is a copy (`duplicate`: shown, and said to be the same photo). Anything
 * else: a new asset.
 */
export function recordFile(
  db: Db,
  file: SeenFile,
  stillExists: (relativePath: string) => boolean,
  now: number,
): { outcome: RecordOutcome; assetId: string } {
  return writeTransaction(db, () => {
    const state = file.error ? 'error' : 'pending';
    const atPath = statement(db, 'SELECT * FROM assets WHERE shoot_id = ? AND relative_path = ?').get(
      file.shootId,
      file.relativePath,
    ) as AssetRow | undefined;

    if (atPath && atPath.content_hash === file.contentHash) {
      statement(
        db,
        `UPDATE assets SET size_bytes = ?, mtime_ms = ?, file_identity = ?,
           state = CASE WHEN state = 'missing' THEN 'pending' ELSE state END, updated_at = ? WHERE id = ?`,
      ).run(file.sizeBytes, file.mtimeMs, file.fileIdentity, now, atPath.id);
      return { outcome: 'unchanged' as const, assetId: atPath.id };
    }
    if (atPath) {
      statement(
        db,
        'INSERT INTO asset_versions (asset_id, version, content_hash, size_bytes, replaced_at) VALUES (?, ?, ?, ?, ?)',
      ).run(atPath.id, atPath.version, atPath.content_hash, atPath.size_bytes, now);
      updateContent(db, atPath.id, file, state, now, atPath.version + 1);
      return { outcome: 'new_version' as const, assetId: atPath.id };
    }

    // Known bytes at a new path: the move of a copy whose path is gone, else a copy of its own.
    const sameBytes = statement(
      db,
      'SELECT * FROM assets WHERE shoot_id = ? AND content_hash = ? ORDER BY created_at, rowid',
    ).all(file.shootId, file.contentHash) as AssetRow[];
    const moved = sameBytes.find((row) => row.state === 'missing' || !stillExists(row.relative_path));
    if (moved) {
      statement(
        db,
        `UPDATE assets SET relative_path = ?, mtime_ms = ?, file_identity = ?,
           state = CASE WHEN state = 'missing' THEN 'pending' ELSE state END, updated_at = ? WHERE id = ?`,
      ).run(file.relativePath, file.mtimeMs, file.fileIdentity, now, moved.id);
      return { outcome: 'moved' as const, assetId: moved.id };
    }

    const id = randomUUID();
    statement(
      db,
      `INSERT INTO assets (id, shoot_id, hot_folder_id, relative_path, content_hash, size_bytes, mtime_ms, file_identity,
         state, format, error_kind, error_message, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      file.shootId,
      file.hotFolderId,
      file.relativePath,
      file.contentHash,
      file.sizeBytes,
      file.mtimeMs,
      file.fileIdentity,
      state,
      file.format,
      file.error?.kind ?? null,
      file.error?.message ?? null,
      now,
      now,
    );
    return { outcome: sameBytes.length > 0 ? ('duplicate' as const) : ('added' as const), assetId: id };
  });
}

function updateContent(db: Db, id: string, file: SeenFile, state: string, now: number, version: number): void {
  // A file that changed after it was taken (a copy that stalled, then went on) clears the error
  // its incomplete state caused: it is judged again as what it is now. A turn and a crop focus
  // were for the old pixels: a file saved again (often with its orientation fixed elsewhere)
  // starts as it says.
  statement(
    db,
    `UPDATE assets SET content_hash = ?, size_bytes = ?, mtime_ms = ?, file_identity = ?, state = ?, format = ?, error_kind = ?,
       error_message = ?, version = ?, width = NULL, height = NULL, captured_at = NULL, camera = NULL, lens = NULL,
       orientation = NULL, has_gps = NULL, turn = 0, focus_x = NULL, focus_y = NULL, updated_at = ? WHERE id = ?`,
  ).run(
    file.contentHash,
    file.sizeBytes,
    file.mtimeMs,
    file.fileIdentity,
    state,
    file.format,
    file.error?.kind ?? null,
    file.error?.message ?? null,
    version,
    now,
    id,
  );
}

/**
 * The file is gone from disk: the asset is marked missing (its data and results are never deleted).
 * Returns the asset's id, or null if there was nothing to mark.
 */
export function markMissing(db: Db, shootId: string, relativePath: string, now: number): string | null {
  const row = statement(
    db,
    "UPDATE assets SET state = 'missing', updated_at = ? WHERE shoot_id = ? AND relative_path = ? AND state != 'missing' RETURNING id",
  ).get(now, shootId, relativePath) as { id: string } | undefined;
  return row?.id ?? null;
}

/** Assets recorded but not yet decoded, oldest first (also the work left over from a crash). */
export function pendingAssetIds(db: Db): string[] {
  // A deleted shoot's photos are left as they are: nothing is made of them any more.
  const rows = statement(
    db,
    `SELECT a.id FROM assets a JOIN shoots s ON s.id = a.shoot_id AND s.deleted_at IS NULL
     WHERE a.state = 'pending' ORDER BY a.created_at, a.rowid`,
  ).all() as { id: string }[];
  return rows.map((row) => row.id);
}

export interface DecodedDetails {
  width: number;
  height: number;
  format: string;
  capturedAt: string | null;
  camera: string | null;
  lens: string | null;
  orientation: number;
  hasGps: boolean;
}

/**
 * Records what decoding found, only if the asset still holds the content that was decoded (a file
 * re-saved meanwhile was recorded as a new version and will be decoded in its turn). True if written.
 */
export function recordDecoded(
  db: Db,
  id: string,
  contentHash: string,
  result: { ok: true; details: DecodedDetails } | { ok: false; error: { kind: string; message: string } },
  now: number,
): boolean {
  if (!result.ok) {
    return (
      statement(
        db,
        `UPDATE assets SET state = 'error', error_kind = ?, error_message = ?, updated_at = ?
         WHERE id = ? AND content_hash = ? AND state = 'pending'`,
      ).run(result.error.kind, result.error.message, now, id, contentHash).changes > 0
    );
  }
  const details = result.details;
  return (
    statement(
      db,
      `UPDATE assets SET state = 'ok', error_kind = NULL, error_message = NULL, width = ?, height = ?, format = ?,
         captured_at = ?, camera = ?, lens = ?, orientation = ?, has_gps = ?, updated_at = ?
       WHERE id = ? AND content_hash = ? AND state = 'pending'`,
    ).run(
      details.width,
      details.height,
      details.format,
      details.capturedAt,
      details.camera,
      details.lens,
      details.orientation,
      details.hasGps ? 1 : 0,
      now,
      id,
      contentHash,
    ).changes > 0
  );
}

/** A problem that is not the photo's (a full disk): noted on the pending asset, cleared when it is decoded. */
export function notePendingProblem(
  db: Db,
  id: string,
  problem: { kind: string; message: string } | null,
  now: number,
): void {
  statement(
    db,
    "UPDATE assets SET error_kind = ?, error_message = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
  ).run(problem?.kind ?? null, problem?.message ?? null, now, id);
}

/**
 * Links an XMP sidecar to photos of one hot folder. `photo`: exactly that file ("IMG_1.CR2.xmp"
 * belongs to IMG_1.CR2 only). `stem`: every file named stem.* in that folder ("IMG_1.xmp" serves
 * IMG_1.CR2 and IMG_1.JPG), but never over a photo's own exact sidecar. Paths compare
 * case-sensitively. Returns the asset ids whose link changed.
 */
export function linkSidecar(
  db: Db,
  hotFolderId: string,
  sidecarPath: string,
  target: { photo: string } | { stem: string },
  now: number,
): string[] {
  if ('photo' in target) {
    const rows = statement(
      db,
      `UPDATE assets SET sidecar_path = ?, updated_at = ?
       WHERE hot_folder_id = ? AND relative_path = ? AND sidecar_path IS NOT ? RETURNING id`,
    ).all(sidecarPath, now, hotFolderId, target.photo, sidecarPath) as { id: string }[];
    return rows.map((row) => row.id);
  }
  const rows = statement(
    db,
    `UPDATE assets SET sidecar_path = ?, updated_at = ?
     WHERE hot_folder_id = ? AND relative_path GLOB ? AND instr(substr(relative_path, length(?) + 2), '/') = 0
       AND sidecar_path IS NOT ? AND (sidecar_path IS NULL OR sidecar_path != relative_path || '.xmp')
     RETURNING id`,
  ).all(sidecarPath, now, hotFolderId, `${escapeGlob(target.stem)}.*`, target.stem, sidecarPath) as { id: string }[];
  return rows.map((row) => row.id);
}

function escapeGlob(text: string): string {
  return text.replace(/[[*?]/g, (match) => `[${match}]`);
}

/**
 * What each photo recorded in a hot folder (and not missing, in a live shoot) looked like when it
 * was taken, by path, `KNOWN_FILES_PAGE` paths after `after` in path order: a scan compares the
 * folder with this instead of asking per file, a page at a time so the engine answers between pages.
 */
export function knownFilesPage(
  db: Db,
  hotFolderId: string,
  after: string | null,
): { relative: string; size: number; mtimeMs: number | null }[] {
  const rows = statement(
    db,
    `SELECT a.relative_path, a.size_bytes, a.mtime_ms FROM assets a
       WHERE a.hot_folder_id = ? AND a.relative_path > ? AND a.state != 'missing'
         AND EXISTS (SELECT 1 FROM shoots s WHERE s.id = a.shoot_id AND s.deleted_at IS NULL)
       ORDER BY a.relative_path LIMIT ${KNOWN_FILES_PAGE}`,
  )
    .raw()
    .all(hotFolderId, after ?? '') as [string, number, number | null][];
  return rows.map(([relative, size, mtimeMs]) => ({ relative, size, mtimeMs }));
}

export const KNOWN_FILES_PAGE = 5_000;

/** The photos recorded below a folder of a hot folder (paths with '/'), not missing, in live shoots. */
export function knownFilesUnder(db: Db, hotFolderId: string, folder: string): string[] {
  // Every path that starts with "folder/": from "folder/" up to "folder0" ('0' follows '/').
  const rows = statement(
    db,
    `SELECT a.relative_path FROM assets a
       WHERE a.hot_folder_id = ? AND a.relative_path >= ? AND a.relative_path < ? AND a.state != 'missing'
         AND EXISTS (SELECT 1 FROM shoots s WHERE s.id = a.shoot_id AND s.deleted_at IS NULL)`,
  )
    .pluck()
    .all(hotFolderId, `${folder}/`, `${folder}0`) as string[];
  return rows;
}
