import { PRODUCT_TYPES, type ProductType } from '../../../shared/garments';
import { isTurn, type Turn } from '../../../shared/turn';
import type { Asset } from '../../../shared/domain';
import type { AssetCull } from '../../../shared/jobs';
import { statement, writeTransaction, type Db } from './connection';

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

/** Each photo's file name (the last part of its path in the hot folder), by id; unknown ids are left out. */
export function assetFileNames(db: Db, ids: readonly string[]): Record<string, string> {
  const rows = statement(db, 'SELECT id, relative_path FROM assets WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify(ids),
  ) as { id: string; relative_path: string }[];
  return Object.fromEntries(rows.map((row) => [row.id, row.relative_path.split('/').pop() ?? row.relative_path]));
}

export function assetShoot(db: Db, id: string): string | null {
  const row = statement(db, 'SELECT shoot_id FROM assets WHERE id = ?').get(id) as { shoot_id: string } | undefined;
  return row?.shoot_id ?? null;
}

/**
 * Flags and rates photos in one transaction, each with its own change (left-out fields keep their
 * value). Returns the photos as they are now and the ids that do not exist.
 */
export function cullAssets(
  db: Db,
  marks: readonly { id: string; pick?: AssetCull['pick']; rating?: number }[],
  now: number,
): { culled: AssetCull[]; notFound: string[] } {
  return writeTransaction(db, () => {
    const update = statement(
      db,
      'UPDATE assets SET pick = COALESCE(?, pick), rating = COALESCE(?, rating), updated_at = ? WHERE id = ?',
    );
    const read = statement(db, 'SELECT id, pick, rating FROM assets WHERE id = ?');
    const culled: AssetCull[] = [];
    const notFound: string[] = [];
    for (const mark of marks) {
      update.run(mark.pick ?? null, mark.rating ?? null, now, mark.id);
      const row = read.get(mark.id) as AssetCull | undefined;
      if (row) culled.push(row);
      else notFound.push(mark.id);
    }
    return { culled, notFound };
  });
}

interface AssetRow {
  id: string;
  shoot_id: string;
  relative_path: string;
  content_hash: string;
  size_bytes: number;
  width: number | null;
  height: number | null;
  format: string | null;
  state: Asset['state'];
  error_kind: string | null;
  error_message: string | null;
  version: number;
  captured_at: string | null;
  camera: string | null;
  lens: string | null;
  orientation: number | null;
  has_gps: number | null;
  sidecar_path: string | null;
  pick: Asset['pick'];
  rating: number;
  /** JSON from SAME_AS, or null. */
  same_as: string | null;
  turn: number;
  focus_x: number | null;
  focus_y: number | null;
  /** From GARMENT: the photo's own product type, else its garment shoot's; null when not a garment. */
  garment: string | null;
  created_at: number;
  updated_at: number;
}

const toAsset = (row: AssetRow): Asset => ({
  id: row.id,
  shootId: row.shoot_id,
  relativePath: row.relative_path,
  contentHash: row.content_hash,
  sizeBytes: row.size_bytes,
  // A quarter turn swaps the sides: the photo is shown and used as the user turned it.
  width: row.turn % 2 === 1 ? row.height : row.width,
  height: row.turn % 2 === 1 ? row.width : row.height,
  format: row.format,
  state: row.state,
  error: row.error_kind === null ? null : { kind: row.error_kind, message: row.error_message ?? '' },
  version: row.version,
  capturedAt: row.captured_at,
  camera: row.camera,
  lens: row.lens,
  orientation: row.orientation,
  hasGps: row.has_gps === null ? null : row.has_gps === 1,
  sidecarPath: row.sidecar_path,
  pick: row.pick,
  rating: row.rating,
  sameAs: row.same_as === null ? null : (JSON.parse(row.same_as) as Asset['sameAs']),
  turn: row.turn,
  cropFocus: row.focus_x === null || row.focus_y === null ? null : { x: row.focus_x, y: row.focus_y },
  garment: readProductType(row.garment),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * A photo's product type as a garment: its own mark ('NONE' says it is not one), else the type its
 * garment shoot gives every photo.
 */
export const GARMENT = `(CASE WHEN assets.garment_type = 'NONE' THEN NULL
   ELSE COALESCE(assets.garment_type, (SELECT g.garment_type FROM shoots g WHERE g.id = assets.shoot_id)) END) AS garment`;

const PRODUCT_TYPE_SET: ReadonlySet<string> = new Set(PRODUCT_TYPES);

/** A stored product type, or null for none (or one this build does not know). Read per listed row: no zod here. */
function readProductType(value: string | null): ProductType | null {
  return value !== null && PRODUCT_TYPE_SET.has(value) ? (value as ProductType) : null;
}

/**
 * The first photo still on disk with the same bytes, recorded before this one (any shoot), as
 * JSON. Found through the content-hash index; a copy whose original is gone stops saying so.
 */
export const SAME_AS = `(SELECT json_object('assetId', o.id, 'shootId', o.shoot_id, 'shootName', s.name,
     'relativePath', o.relative_path)
   FROM assets o JOIN shoots s ON s.id = o.shoot_id AND s.deleted_at IS NULL
   WHERE o.content_hash = assets.content_hash AND o.rowid < assets.rowid AND o.state != 'missing'
   ORDER BY o.rowid LIMIT 1) AS same_as`;

/**
 * An asset's upright size as the user sees it (their turn included), its current version and turn
 * (null size until it is decoded); null if there is no such asset.
 */
export function getAssetSize(
  db: Db,
  id: string,
): { width: number | null; height: number | null; version: number; turn: Turn } | null {
  const row = statement(db, 'SELECT width, height, version, turn FROM assets WHERE id = ?').get(id) as
    { width: number | null; height: number | null; version: number; turn: number } | undefined;
  if (!row) return null;
  const turn = isTurn(row.turn) ? row.turn : 0;
  const swap = turn % 2 === 1;
  return { width: swap ? row.height : row.width, height: swap ? row.width : row.height, version: row.version, turn };
}

/** Records a photo's turn and its crop focus (turned with it); false when there is no such photo. */
export function setAssetTurn(
  db: Db,
  id: string,
  turn: Turn,
  cropFocus: { x: number; y: number } | null,
  now: number,
): boolean {
  return (
    statement(db, 'UPDATE assets SET turn = ?, focus_x = ?, focus_y = ?, updated_at = ? WHERE id = ?').run(
      turn,
      cropFocus?.x ?? null,
      cropFocus?.y ?? null,
      now,
      id,
    ).changes === 1
  );
}

/** Records the point an export crop keeps in view (null: the middle); false when there is no such photo. */
export function setCropFocus(db: Db, id: string, focus: { x: number; y: number } | null, now: number): boolean {
  return (
    statement(db, 'UPDATE assets SET focus_x = ?, focus_y = ?, updated_at = ? WHERE id = ?').run(
      focus?.x ?? null,
      focus?.y ?? null,
      now,
      id,
    ).changes === 1
  );
}

export function getAsset(db: Db, id: string): Asset | null {
  const row = statement(db, `SELECT *, ${SAME_AS}, ${GARMENT} FROM assets WHERE id = ?`).get(id) as
    AssetRow | undefined;
  return row ? toAsset(row) : null;
}

export type AssetSort = 'name' | 'added' | 'captured';

// Photos without a capture time sort first, by name (the key is never NULL, so keyset paging holds).
const SORT_KEYS: Record<AssetSort, string> = {
  name: 'relative_path',
  added: 'created_at',
  captured: "COALESCE(captured_at, '') || char(0) || relative_path",
};

/** One page of a shoot's assets, by name, by capture time or by when they arrived; keyset on (key, rowid), stable while files arrive. */
export function listAssets(
  db: Db,
  filter: { shootId: string; sort: AssetSort; limit: number; after?: { key: string | number; seq: number } },
): (Asset & { seq: number; key: string | number })[] {
  const column = SORT_KEYS[filter.sort];
  const rows = statement(
    db,
    `SELECT *, rowid AS seq, ${column} AS sort_key, ${SAME_AS}, ${GARMENT} FROM assets
     WHERE shoot_id = @shootId AND (@afterKey IS NULL OR (${column}, rowid) > (@afterKey, @afterSeq))
     ORDER BY ${column}, rowid LIMIT @limit`,
  ).all({
    shootId: filter.shootId,
    afterKey: filter.after?.key ?? null,
    afterSeq: filter.after?.seq ?? null,
    limit: filter.limit,
  }) as (AssetRow & { seq: number; sort_key: string | number })[];
  return rows.map((row) => ({ ...toAsset(row), seq: row.seq, key: row.sort_key }));
}

/**
 * Marks photos as garments of a product type, as not garments ('none': said explicitly, so a photo
 * in a garment shoot can be the exception), or as their shoot says ('shoot'). Returns how many
 * photos there were.
 */
export function setGarmentType(
  db: Db,
  ids: readonly string[],
  mark: ProductType | 'none' | 'shoot',
  now: number,
): number {
  const stored = mark === 'shoot' ? null : mark === 'none' ? 'NONE' : mark;
  const update = statement(db, 'UPDATE assets SET garment_type = ?, updated_at = ? WHERE id = ?');
  let changed = 0;
  for (const id of ids) changed += update.run(stored, now, id).changes;
  return changed;
}

/** A garment as the try-on dialog lists it, from any live shoot. */
export interface GarmentRow {
  asset: Asset;
  shootName: string;
}

/** Every photo that is a garment (its own mark or its shoot's), readable, in live shoots; newest shoots first. */
export function listGarments(db: Db, limit: number): GarmentRow[] {
  const rows = statement(
    db,
    `SELECT * FROM (
       SELECT assets.*, s.name AS shoot_name, s.created_at AS shoot_created, ${SAME_AS}, ${GARMENT}
       FROM assets JOIN shoots s ON s.id = assets.shoot_id AND s.deleted_at IS NULL
       WHERE assets.state = 'ok' AND (assets.garment_type IS NOT NULL OR s.garment_type IS NOT NULL)
     ) WHERE garment IS NOT NULL
     ORDER BY shoot_created DESC, shoot_id, relative_path LIMIT ?`,
  ).all(limit) as (AssetRow & { shoot_name: string })[];
  return rows.map((row) => ({ asset: toAsset(row), shootName: row.shoot_name }));
}
