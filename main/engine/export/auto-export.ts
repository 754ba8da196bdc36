import type { Variant } from '../../../shared/jobs';
import type { Db } from '../db/connection';
import { autoExportTarget } from '../db/exports-repo';
import type { ExportService } from './export-service';
import { presetById } from './presets';

/**
 * Exports a just-approved variant with its hot folder's preset, into the folder's export folder,
 * once: approving it again (after an unapprove) does not write it a second time.
 */
export function autoExport(db: Db, exports: ExportService, variant: Variant): void {
  const row = variant.assetId ? autoExportTarget(db, variant.assetId) : null;
  if (!row?.presetId || !row.folder) return;
  if (exports.exported(variant.id, row.folder)) return;
  const preset = presetById(db, row.presetId);
  if (!preset) throw new Error(`The hot folder's export preset ${row.presetId} no longer exists.`);
  // Whatever the preset normally selects, here it exports exactly the variant just approved.
  exports.start({
    preset: { ...preset, what: 'approved' },
    shootId: row.shootId,
    targetRoot: row.folder,
    variantIds: [variant.id],
  });
}
