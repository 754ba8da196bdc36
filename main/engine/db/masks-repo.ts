import { randomUUID } from 'node:crypto';
import type { Mask, MaskDrawing, MaskPurpose } from '../../../shared/mask';
import { statement, type Db } from './connection';

interface MaskRow {
  id: string;
  asset_id: string;
  purpose: MaskPurpose;
  drawing_json: string;
  version: number;
  updated_at: number;
}

const toMask = (row: MaskRow): Mask => ({
  id: row.id,
  assetId: row.asset_id,
  purpose: row.purpose,
  drawing: JSON.parse(row.drawing_json) as MaskDrawing,
  version: row.version,
  updatedAt: row.updated_at,
});

/** Replaces the asset's mask for this purpose (one current mask per purpose), bumping its version. */
export function saveMask(db: Db, assetId: string, purpose: MaskPurpose, drawing: MaskDrawing, now: number): Mask {
  statement(
    db,
    `INSERT INTO masks (id, asset_id, purpose, drawing_json, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)
     ON CONFLICT (asset_id, purpose) DO UPDATE SET drawing_json = excluded.drawing_json, version = version + 1,
       updated_at = excluded.updated_at`,
  ).run(randomUUID(), assetId, purpose, JSON.stringify(drawing), now, now);
  const mask = getMask(db, assetId, purpose);
  if (!mask) throw new Error('mask vanished after save');
  return mask;
}

export function getMask(db: Db, assetId: string, purpose: MaskPurpose): Mask | null {
  const row = statement(db, 'SELECT * FROM masks WHERE asset_id = ? AND purpose = ?').get(assetId, purpose) as
    MaskRow | undefined;
  return row ? toMask(row) : null;
}

export function listMasks(db: Db, assetId: string): Mask[] {
  return (statement(db, 'SELECT * FROM masks WHERE asset_id = ? ORDER BY purpose').all(assetId) as MaskRow[]).map(
    toMask,
  );
}

export function getMaskById(db: Db, id: string): Mask | null {
  const row = statement(db, 'SELECT * FROM masks WHERE id = ?').get(id) as MaskRow | undefined;
  return row ? toMask(row) : null;
}
