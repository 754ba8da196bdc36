import fs from 'node:fs';
import path from 'node:path';
import type { HotFolder } from '../../../shared/domain';
import type { Db } from '../db/connection';
import { presentAssetPaths } from '../db/ingest-repo';

/**
 * Finds the photos recorded in a folder whose files are no longer there, after a scan (the first
 * one at start, or a rescan) that saw `seen` files, and hands each to `gone`. An empty folder where
 * photos were is far more often an unmounted drive or a card taken out than a shoot deleted: then
 * nothing is marked until files are seen there again. Stats never block the engine.
 */
export async function sweepMissing(
  db: Db,
  folder: HotFolder,
  seen: number,
  on: { stopped: () => boolean; gone: (file: string) => void },
): Promise<number> {
  const known = presentAssetPaths(db, folder.id);
  if (seen === 0 && known.length > 0) return 0;
  let missing = 0;
  for (const relative of known) {
    if (on.stopped()) break;
    const file = path.join(folder.path, ...relative.split('/'));
    const there = await fs.promises.stat(file).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code !== 'ENOENT' && error.code !== 'ENOTDIR',
    );
    if (!there) {
      on.gone(file);
      missing += 1;
    }
  }
  return missing;
}
