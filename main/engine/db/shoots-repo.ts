import type { Shoot, ShootDetail, ShootListItem } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { ProductTypeSchema, type ProductType } from '../../../shared/garments';
import { statement, writeTransaction, type Db } from './connection';

interface ShootRow {
  id: string;
  name: string;
  created_at: string;
}

const toShoot = (row: ShootRow): Shoot => ({ id: row.id, name: row.name, createdAt: row.created_at });

/** Live shoots (not deleted, not merged away), newest first, each with its photo counts and progress. */
export function listShoots(db: Db): ShootListItem[] {
  const rows = statement(
    db,
    `SELECT s.id, s.name, s.created_at, s.hot_folder_id, s.folder, s.garment_type,
       COALESCE(c.photos, 0) AS photos, COALESCE(c.problems, 0) AS problems,
       COALESCE(c.with_variants, 0) AS with_variants, COALESCE(c.approved, 0) AS approved,
       COALESCE(c.jobs_pending, 0) AS jobs_pending
     FROM shoots s LEFT JOIN shoot_counts c ON c.shoot_id = s.id
     WHERE s.deleted_at IS NULL ORDER BY s.created_at DESC, s.id`,
  ).all() as (ShootRow & {
    hot_folder_id: string | null;
    folder: string | null;
    garment_type: string | null;
    photos: number;
    problems: number;
    with_variants: number;
    approved: number;
    jobs_pending: number;
  })[];
  return rows.map((row) => ({
    ...toShoot(row),
    hotFolderId: row.hot_folder_id,
    folder: row.folder,
    garmentType: readShootGarments(row.garment_type),
    photos: row.photos,
    problems: row.problems,
    withVariants: row.with_variants,
    approved: row.approved,
    jobsPending: row.jobs_pending,
  }));
}

function readShootGarments(value: string | null): ProductType | null {
  const parsed = ProductTypeSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Makes a shoot a garment shoot whose photos are garments of this type (null: an ordinary shoot); false when there is no such shoot. */
export function setShootGarments(db: Db, id: string, type: ProductType | null): boolean {
  return (
    statement(db, 'UPDATE shoots SET garment_type = ? WHERE id = ? AND deleted_at IS NULL').run(type, id).changes === 1
  );
}

export function insertShoot(db: Db, shoot: Shoot): void {
  statement(db, 'INSERT INTO shoots (id, name, created_at) VALUES (?, ?, ?)').run(
    shoot.id,
    shoot.name,
    shoot.createdAt,
  );
}

/** A live shoot (deleted and merged-away shoots do not exist for the API). */
export function shootExists(db: Db, id: string): boolean {
  return statement(db, 'SELECT 1 FROM shoots WHERE id = ? AND deleted_at IS NULL').get(id) !== undefined;
}

/** The live shoot already named `name` (compared without case, as a file system would), if any. */
export function shootNamed(db: Db, name: string, except?: string): string | null {
  const row = statement(
    db,
    'SELECT id FROM shoots WHERE deleted_at IS NULL AND name = ? COLLATE NOCASE AND id IS NOT ? LIMIT 1',
  ).get(name, except ?? null) as { id: string } | undefined;
  return row?.id ?? null;
}

/** Refuses a typed name another live shoot has: two shoots of one name cannot be told apart. */
export function requireFreeName(db: Db, name: string, except?: string): void {
  if (shootNamed(db, name, except)) {
    throw new AppError('conflict', `A shoot named “${name}” already exists. Choose another name.`);
  }
}

/** A name no live shoot has: `name`, else "name (2)", "name (3)"… (for shoots made from folders). */
export function freeShootName(db: Db, name: string): string {
  if (!shootNamed(db, name)) return name;
  for (let n = 2; ; n += 1) {
    const candidate = `${name} (${n})`;
    if (!shootNamed(db, candidate)) return candidate;
  }
}

export function renameShoot(db: Db, id: string, name: string): Shoot {
  return writeTransaction(db, () => {
    requireFreeName(db, name, id);
    const row = statement(
      db,
      'UPDATE shoots SET name = ? WHERE id = ? AND deleted_at IS NULL RETURNING id, name, created_at',
    ).get(name, id) as ShootRow | undefined;
    if (!row) throw new AppError('not_found', `No shoot ${id}.`);
    return toShoot(row);
  });
}

export function getShootDetail(db: Db, id: string): ShootDetail | null {
  const row = statement(
    db,
    'SELECT id, name, created_at, hot_folder_id, folder, garment_type FROM shoots WHERE id = ? AND deleted_at IS NULL',
  ).get(id) as
    (ShootRow & { hot_folder_id: string | null; folder: string | null; garment_type: string | null }) | undefined;
  if (!row) return null;
  const counts = statement(db, 'SELECT state, COUNT(*) AS count FROM assets WHERE shoot_id = ? GROUP BY state').all(
    id,
  ) as { state: 'pending' | 'ok' | 'error' | 'missing'; count: number }[];
  const assets = { total: 0, pending: 0, ok: 0, error: 0, missing: 0 };
  for (const { state, count } of counts) {
    assets[state] += count;
    assets.total += count;
  }
  return {
    ...toShoot(row),
    hotFolderId: row.hot_folder_id,
    folder: row.folder,
    garmentType: readShootGarments(row.garment_type),
    assets,
  };
}

/** What deleting a shoot would touch: its photos, its variants' files, and its jobs still open. */
export interface ShootContents {
  photos: number;
  variants: { mediaId: string; mimeType: string }[];
  openJobs: { id: string; provider: string; operation: string; state: string; fileName: string | null }[];
  hotFolder: { id: string; name: string; folder: string } | null;
}

export function shootContents(db: Db, id: string): ShootContents {
  const photos = statement(db, 'SELECT COUNT(*) AS n FROM assets WHERE shoot_id = ?').get(id) as { n: number };
  const variants = statement(
    db,
    `SELECT v.media_id AS mediaId, v.mime_type AS mimeType FROM variants v JOIN jobs j ON j.id = v.job_id
     WHERE j.shoot_id = ? ORDER BY v.rowid`,
  ).all(id) as { mediaId: string; mimeType: string }[];
  const openJobs = statement(
    db,
    `SELECT j.id, j.provider, j.operation, j.state,
       (SELECT a.relative_path FROM assets a WHERE a.id = json_extract(j.inputs_json, '$.source.assetId')) AS path
     FROM jobs j WHERE j.shoot_id = ? AND j.state NOT IN ('done', 'failed', 'canceled') ORDER BY j.created_at, j.rowid`,
  ).all(id) as { id: string; provider: string; operation: string; state: string; path: string | null }[];
  const folder = statement(
    db,
    `SELECT h.id, h.name, s.folder FROM shoots s JOIN hot_folders h ON h.id = s.hot_folder_id
     WHERE s.id = ? AND s.folder IS NOT NULL`,
  ).get(id) as { id: string; name: string; folder: string } | undefined;
  return {
    photos: photos.n,
    variants,
    openJobs: openJobs.map(({ path, ...job }) => ({ ...job, fileName: path?.split('/').pop() ?? null })),
    hotFolder: folder ?? null,
  };
}

/**
 * Takes a shoot out of every list, and makes its hot-folder subfolder ignored so the next rescan
 * does not bring it back. Its rows stay (what was spent stays in the ledger); the caller removes
 * its variants' files and cancels its jobs.
 */
export function markShootDeleted(db: Db, id: string, now: number): void {
  writeTransaction(db, () => {
    const row = statement(
      db,
      'UPDATE shoots SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL RETURNING name',
    ).get(now, id) as { name: string } | undefined;
    if (!row) throw new AppError('not_found', `No shoot ${id}.`);
    // Its own folder, and the folders of shoots merged into it (their photos were its photos).
    const folders = statement(
      db,
      `SELECT hot_folder_id, folder FROM shoots WHERE (id = @id OR merged_into = @id)
         AND hot_folder_id IS NOT NULL AND folder IS NOT NULL`,
    ).all({ id }) as { hot_folder_id: string; folder: string }[];
    for (const folder of folders) {
      statement(
        db,
        `INSERT INTO hot_folder_ignored (hot_folder_id, folder, shoot_name, ignored_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (hot_folder_id, folder) DO UPDATE SET shoot_name = excluded.shoot_name, ignored_at = excluded.ignored_at`,
      ).run(folder.hot_folder_id, folder.folder, row.name, now);
    }
  });
}

/**
 * Moves every photo and job of `from` into `into`; `from` then points at `into`, so photos that
 * still arrive in its folder join `into`. Two photos at the same path (two hot folders with the same
 * subfolder) cannot share a shoot: the merge is refused and says which.
 */
export function mergeShoots(db: Db, from: string, into: string, now: number): void {
  writeTransaction(db, () => {
    if (!shootExists(db, from) || !shootExists(db, into)) throw new AppError('not_found', 'No such shoot.');
    const clash = statement(
      db,
      `SELECT a.relative_path AS path FROM assets a JOIN assets b ON b.relative_path = a.relative_path
       WHERE a.shoot_id = ? AND b.shoot_id = ? LIMIT 1`,
    ).get(from, into) as { path: string } | undefined;
    if (clash) {
      throw new AppError(
        'conflict',
        `Both shoots have a photo at ${clash.path}, so they cannot be merged. Rename one of the files first.`,
      );
    }
    statement(db, 'UPDATE assets SET shoot_id = ? WHERE shoot_id = ?').run(into, from);
    statement(db, 'UPDATE jobs SET shoot_id = ? WHERE shoot_id = ?').run(into, from);
    statement(db, 'UPDATE shoots SET merged_into = ? WHERE merged_into = ?').run(into, from);
    statement(db, 'UPDATE shoots SET deleted_at = ?, merged_into = ? WHERE id = ?').run(now, into, from);
  });
}

/** Subfolders of a hot folder whose shoots were deleted (ignored until restored), oldest first. */
export function ignoredFolders(db: Db, hotFolderId: string): { folder: string; shootName: string }[] {
  return statement(
    db,
    'SELECT folder, shoot_name AS shootName FROM hot_folder_ignored WHERE hot_folder_id = ? ORDER BY ignored_at, folder',
  ).all(hotFolderId) as { folder: string; shootName: string }[];
}

/** Watches a deleted shoot's subfolder again (its photos come back as a new shoot). True if it was ignored. */
export function restoreFolder(db: Db, hotFolderId: string, folder: string): boolean {
  return (
    statement(db, 'DELETE FROM hot_folder_ignored WHERE hot_folder_id = ? AND folder = ?').run(hotFolderId, folder)
      .changes > 0
  );
}
