import type { AssetCull } from '../../../shared/jobs';
import { statement, type Db } from './connection';

export interface NewAsset {
  id: string;
  shootId: string;
  relativePath: string;
  contentHash: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
}

/** Ingest (a later issue) is the real writer; the queue and its tests need assets to point at. */
export function insertAsset(db: Db, asset: NewAsset, now: number): void {
  statement(
    db,
    `INSERT INTO assets (id, shoot_id, relative_path, content_hash, size_bytes, width, height, created_at, updated_at)
     VALUES (@id, @shootId, @relativePath, @contentHash, @sizeBytes, @width, @height, @now, @now)`,
  ).run({ ...asset, now });
}

export function existingAssetIds(db: Db, ids: readonly string[]): Set<string> {
  const rows = statement(db, 'SELECT id FROM assets WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify(ids),
  ) as { id: string }[];
  return new Set(rows.map((row) => row.id));
}

export function assetShoot(db: Db, id: string): string | null {
  const row = statement(db, 'SELECT shoot_id FROM assets WHERE id = ?').get(id) as { shoot_id: string } | undefined;
  return row?.shoot_id ?? null;
}

export function cullAsset(db: Db, id: string, change: Partial<Omit<AssetCull, 'id'>>, now: number): AssetCull | null {
  statement(
    db,
    'UPDATE assets SET pick = COALESCE(?, pick), rating = COALESCE(?, rating), updated_at = ? WHERE id = ?',
  ).run(change.pick ?? null, change.rating ?? null, now, id);
  const row = statement(db, 'SELECT id, pick, rating FROM assets WHERE id = ?').get(id) as AssetCull | undefined;
  return row ?? null;
}
