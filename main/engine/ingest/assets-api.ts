import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { decodeCursor, encodeCursor } from '../cursor';
import { assetFileNames, getAsset, listAssets } from '../db/assets-repo';
import type { Db } from '../db/connection';
import { assetSource } from '../db/asset-source-repo';
import { readPhotoInfo } from './photo-info';
import { Limit } from '../limit';

/** Reading what ingest recorded: a shoot's assets page by page, one asset, and its details for the info panel. */
export function createAssetsApi(
  db: Db,
  previewOf: (assetId: string) => Promise<string | null>,
): Pick<ApiHandlers, 'assets.list' | 'assets.get' | 'assets.info' | 'assets.names'> {
  // Holding ↓ with the info panel open asks for one photo after another: two are read at a time,
  // the rest wait, so the panel never takes the decoder away from ingest.
  const infoReads = new Limit(2);
  return {
    'assets.list': ({ shootId, sort, limit, cursor }) => {
      const after = cursor ? decodeCursor(cursor, sort === 'added' ? 'number' : 'string') : undefined;
      const assets = listAssets(db, { shootId, sort, limit, after });
      const last = assets.at(-1);
      return {
        assets: assets.map(({ seq: _seq, key: _key, ...asset }) => asset),
        nextCursor: assets.length === limit && last ? encodeCursor(last.key, last.seq) : null,
      };
    },
    'assets.get': ({ id }) => {
      const asset = getAsset(db, id);
      if (!asset) throw new AppError('not_found', `No asset ${id}.`);
      return asset;
    },
    'assets.names': ({ ids }) => ({ names: assetFileNames(db, ids) }),
    'assets.info': ({ id }) => {
      const asset = getAsset(db, id);
      if (!asset) throw new AppError('not_found', `No asset ${id}.`);
      const file = assetSource(db, id)?.file ?? null;
      return infoReads.run(() => readPhotoInfo({ asset, file, preview: () => previewOf(id) }));
    },
  };
}
