import path from 'node:path';
import { isTurn, type Turn } from '../../../shared/turn';
import { statement, type Db } from './connection';

/**
 * What every reader of a photo's original needs (the media handlers, job inputs, ingest's
 * renderer, export): where its file is and which content, from which file, it was recorded with.
 */

/** Where an asset's file is and which content it was recorded with. */
export interface AssetSource {
  id: string;
  shootId: string;
  hotFolderId: string | null;
  /** The hot folder's path; the file is always inside it. */
  folderPath: string | null;
  file: string | null;
  relativePath: string;
  contentHash: string;
  /** The identity of the file when `contentHash` was computed (see `FileIdentity`); null before it was recorded. */
  fileIdentity: string | null;
  version: number;
  state: string;
  format: string | null;
  /** Quarter turns the user added (applied by every reader of the photo). */
  turn: Turn;
}

/**
 * The identity of a file just read and found to hold the asset's content (hashed again because its
 * identity was unknown or had changed: an asset from before identities were kept, a copy over it):
 * the next read of the same file needs no hash. Written only while the content is still that one.
 */
export function rememberFileIdentity(db: Db, asset: { id: string; contentHash: string }, identity: string): void {
  statement(db, 'UPDATE assets SET file_identity = ? WHERE id = ? AND content_hash = ?').run(
    identity,
    asset.id,
    asset.contentHash,
  );
}

export function assetSource(db: Db, id: string): AssetSource | null {
  const row = statement(
    db,
    `SELECT a.id, a.shoot_id, a.hot_folder_id, a.relative_path, a.content_hash, a.file_identity, a.version, a.state,
       a.format, a.turn, h.path AS folder_path
     FROM assets a LEFT JOIN hot_folders h ON h.id = a.hot_folder_id WHERE a.id = ?`,
  ).get(id) as
    | {
        id: string;
        relative_path: string;
        content_hash: string;
        version: number;
        state: string;
        shoot_id: string;
        hot_folder_id: string | null;
        format: string | null;
        turn: number;
        folder_path: string | null;
        file_identity: string | null;
      }
    | undefined;
  if (!row) return null;
  return {
    id: row.id,
    shootId: row.shoot_id,
    hotFolderId: row.hot_folder_id,
    folderPath: row.folder_path,
    file: row.folder_path === null ? null : path.join(row.folder_path, ...row.relative_path.split('/')),
    relativePath: row.relative_path,
    contentHash: row.content_hash,
    fileIdentity: row.file_identity,
    version: row.version,
    state: row.state,
    format: row.format,
    turn: isTurn(row.turn) ? row.turn : 0,
  };
}
