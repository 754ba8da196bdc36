import { randomUUID } from 'node:crypto';
import { TERMINAL_STATES } from '../../../shared/job-model';
import type { Mask, MaskContent, MaskPurpose, MaskVersion } from '../../../shared/mask';
import { statement, type Db } from './connection';
import { sqlList } from './sql-list';

interface MaskRow {
  id: string;
  asset_id: string;
  name: string;
  purpose: MaskPurpose;
  current_version: number;
  content_json: string;
  created_at: number;
  updated_at: number;
}

const toMask = (row: MaskRow): Mask => ({
  id: row.id,
  assetId: row.asset_id,
  name: row.name,
  purpose: row.purpose,
  version: row.current_version,
  content: JSON.parse(row.content_json) as MaskContent,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** A mask with its current version's content; deleted masks are not found. */
const SELECT_MASK = `SELECT m.*, v.content_json FROM masks m
  JOIN mask_versions v ON v.mask_id = m.id AND v.version = m.current_version
  WHERE m.deleted_at IS NULL`;

/** A new mask, with `content` as its version 1. */
export function createMask(
  db: Db,
  mask: { assetId: string; name: string; purpose: MaskPurpose },
  content: MaskContent,
  now: number,
): Mask {
  const id = randomUUID();
  statement(
    db,
    `INSERT INTO masks (id, asset_id, name, purpose, current_version, deleted_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, 1, NULL, ?, ?)`,
  ).run(id, mask.assetId, mask.name, mask.purpose, now, now);
  insertVersion(db, id, 1, content, now);
  return requireMask(db, id);
}

/** Saves `content` as the mask's next version (older versions stay as they were); renames it if asked. */
export function addMaskVersion(db: Db, id: string, content: MaskContent, name: string | undefined, now: number): Mask {
  const current = getMask(db, id);
  if (!current) throw new Error(`mask ${id} is gone`);
  const version = current.version + 1;
  insertVersion(db, id, version, content, now);
  statement(db, 'UPDATE masks SET current_version = ?, name = COALESCE(?, name), updated_at = ? WHERE id = ?').run(
    version,
    name ?? null,
    now,
    id,
  );
  return requireMask(db, id);
}

function insertVersion(db: Db, id: string, version: number, content: MaskContent, now: number): void {
  statement(db, 'INSERT INTO mask_versions (mask_id, version, content_json, created_at) VALUES (?, ?, ?, ?)').run(
    id,
    version,
    JSON.stringify(content),
    now,
  );
}

export function getMask(db: Db, id: string): Mask | null {
  const row = statement(db, `${SELECT_MASK} AND m.id = ?`).get(id) as MaskRow | undefined;
  return row ? toMask(row) : null;
}

function requireMask(db: Db, id: string): Mask {
  const mask = getMask(db, id);
  if (!mask) throw new Error(`mask ${id} vanished after save`);
  return mask;
}

/** The mask a job of this purpose uses when none is named: the asset's most recently saved one. */
export function defaultMask(db: Db, assetId: string, purpose: MaskPurpose): Mask | null {
  const row = statement(
    db,
    `${SELECT_MASK} AND m.asset_id = ? AND m.purpose = ? ORDER BY m.updated_at DESC, m.rowid DESC LIMIT 1`,
  ).get(assetId, purpose) as MaskRow | undefined;
  return row ? toMask(row) : null;
}

export function listMasks(db: Db, assetId: string): Mask[] {
  return (
    statement(db, `${SELECT_MASK} AND m.asset_id = ? ORDER BY m.purpose, m.created_at, m.rowid`).all(
      assetId,
    ) as MaskRow[]
  ).map(toMask);
}

/**
 * A new name for a mask (its versions are unchanged). `updated_at` stays: it says which mask of a
 * purpose was painted last, the one new jobs take (see defaultMask), and a name is not a painting.
 */
export function renameMask(db: Db, id: string, name: string): Mask {
  statement(db, 'UPDATE masks SET name = ? WHERE id = ? AND deleted_at IS NULL').run(name, id);
  return requireMask(db, id);
}

/** One version of a mask, even of a deleted one while a job still holds it. */
export function getMaskVersion(db: Db, id: string, version: number): MaskVersion | null {
  const row = statement(db, 'SELECT * FROM mask_versions WHERE mask_id = ? AND version = ?').get(id, version) as
    { mask_id: string; version: number; content_json: string; created_at: number } | undefined;
  return row
    ? {
        maskId: row.mask_id,
        version: row.version,
        content: JSON.parse(row.content_json) as MaskContent,
        createdAt: row.created_at,
      }
    : null;
}

/**
 * Deletes a mask for the user: it leaves every list at once, and its versions go, except those an
 * unfinished job was planned with (that job still sends exactly what it was planned with).
 */
export function deleteMask(db: Db, id: string, now: number): boolean {
  const info = statement(db, 'UPDATE masks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL').run(now, id);
  purgeUnpinnedMaskVersions(db);
  return info.changes === 1;
}

/** Versions of deleted masks that no unfinished job holds any more are removed (at delete, and at start). */
export function purgeUnpinnedMaskVersions(db: Db): number {
  return statement(
    db,
    `DELETE FROM mask_versions
       WHERE mask_id IN (SELECT id FROM masks WHERE deleted_at IS NOT NULL)
         AND NOT EXISTS (
           SELECT 1 FROM jobs j
            WHERE j.state NOT IN (${sqlList(TERMINAL_STATES)})
              AND json_extract(j.inputs_json, '$.mask.maskId') = mask_versions.mask_id
              AND json_extract(j.inputs_json, '$.mask.version') = mask_versions.version
         )`,
  ).run().changes;
}
