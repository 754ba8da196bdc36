import { statement, type Db } from './connection';

/**
 * The default recipe the asset's hot folder names, with the content it would run on; null if none,
 * and null for a photo of a deleted shoot (one that finished decoding after its shoot was deleted).
 */
export function defaultRecipeFor(db: Db, assetId: string): { recipeId: string; contentHash: string } | null {
  const row = statement(
    db,
    `SELECT h.default_recipe_id AS recipeId, a.content_hash AS contentHash
     FROM assets a JOIN hot_folders h ON h.id = a.hot_folder_id
       JOIN shoots s ON s.id = a.shoot_id AND s.deleted_at IS NULL
     WHERE a.id = ? AND a.state = 'ok' AND h.default_recipe_id IS NOT NULL`,
  ).get(assetId) as { recipeId: string; contentHash: string } | undefined;
  return row ?? null;
}

/**
 * Claims the automatic run of a recipe on one content. False if that content already had it, on
 * this asset or any other (a rescan, a restart, the same bytes copied again, a photo sorted into
 * another shoot folder, a hot folder removed and added back): that is what keeps a default recipe
 * from being paid for twice. Call inside the transaction that inserts the job.
 */
export function claimAutoRun(db: Db, assetId: string, contentHash: string, recipeId: string, now: number): boolean {
  return (
    statement(
      db,
      `INSERT INTO auto_runs (asset_id, content_hash, recipe_id, created_at)
       SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM auto_runs WHERE content_hash = ? AND recipe_id = ?)
       ON CONFLICT DO NOTHING`,
    ).run(assetId, contentHash, recipeId, now, contentHash, recipeId).changes > 0
  );
}

export function recordAutoRunJob(db: Db, assetId: string, contentHash: string, recipeId: string, jobId: string): void {
  statement(db, 'UPDATE auto_runs SET job_id = ? WHERE asset_id = ? AND content_hash = ? AND recipe_id = ?').run(
    jobId,
    assetId,
    contentHash,
    recipeId,
  );
}
