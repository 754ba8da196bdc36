import { inputAssetId, inputAssetVersion } from '../../../shared/job-inputs';
import type { Variant } from '../../../shared/jobs';
import { statement, type Db } from './connection';
import type { JobRecord } from './jobs-repo';

/** What the repository needs to know of one fetched output (the provider contract's FetchedOutput fits it). */
export interface VariantOutput {
  index: number;
  kind: Variant['kind'];
  mimeType: string;
  width?: number;
  height?: number;
  remote?: { id?: string; version?: number; subversion?: number };
}

/**
 * Records one downloaded output as a variant of the job's source asset. Idempotent per
 * (job, output index): fetching again after a crash does not make a second variant.
 */
export function insertVariant(
  db: Db,
  job: JobRecord,
  output: VariantOutput,
  stored: { mediaId: string; sizeBytes: number },
  now: number,
): Variant | null {
  db.prepare(
    `INSERT INTO variants (id, job_id, asset_id, output_index, media_id, kind, mime_type, width, height, size_bytes,
       created_at, updated_at, asset_version, remote_id, remote_version, remote_subversion)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, (SELECT version FROM assets WHERE id = ?)), ?, ?, ?)
     ON CONFLICT (job_id, output_index) DO UPDATE SET media_id = excluded.media_id, mime_type = excluded.mime_type,
       width = excluded.width, height = excluded.height, size_bytes = excluded.size_bytes, updated_at = excluded.updated_at,
       remote_id = excluded.remote_id, remote_version = excluded.remote_version,
       remote_subversion = excluded.remote_subversion`,
  ).run(
    `${job.id}.${output.index}`,
    job.id,
    inputAssetId(job.inputs),
    output.index,
    stored.mediaId,
    output.kind,
    output.mimeType,
    output.width ?? null,
    output.height ?? null,
    stored.sizeBytes,
    now,
    now,
    inputAssetVersion(job.inputs),
    inputAssetId(job.inputs),
    output.remote?.id ?? null,
    output.remote?.version ?? null,
    output.remote?.subversion ?? null,
  );
  return getVariant(db, `${job.id}.${output.index}`);
}

interface VariantRow {
  id: string;
  job_id: string;
  asset_id: string | null;
  output_index: number;
  media_id: string;
  kind: Variant['kind'];
  mime_type: string;
  width: number | null;
  height: number | null;
  size_bytes: number;
  pick: Variant['pick'];
  rating: number;
  approved: number;
  asset_version: number | null;
  remote_id: string | null;
  remote_version: number | null;
  remote_subversion: number | null;
  created_at: number;
  updated_at: number;
}

const toVariant = (row: VariantRow): Variant => ({
  id: row.id,
  jobId: row.job_id,
  assetId: row.asset_id,
  outputIndex: row.output_index,
  mediaId: row.media_id,
  kind: row.kind,
  mimeType: row.mime_type,
  width: row.width,
  height: row.height,
  sizeBytes: row.size_bytes,
  pick: row.pick,
  rating: row.rating,
  approved: row.approved === 1,
  assetVersion: row.asset_version,
  remote: row.remote_id ? { id: row.remote_id, version: row.remote_version, subversion: row.remote_subversion } : null,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * The number the UI shows for a variant ("Variant 2"): its place among its photo's variants of the
 * same family (pictures and videos together, descriptions apart), in the order they were made.
 * Null for a result with no photo of its own.
 */
export function variantNumber(db: Db, variant: Variant): number | null {
  if (!variant.assetId) return null;
  const row = statement(
    db,
    `SELECT COUNT(*) AS n FROM variants v
     WHERE v.asset_id = @assetId AND (v.kind = 'text') = (@kind = 'text')
       AND (v.created_at, v.job_id, v.output_index) <= (@createdAt, @jobId, @outputIndex)`,
  ).get({
    assetId: variant.assetId,
    kind: variant.kind,
    createdAt: variant.createdAt,
    jobId: variant.jobId,
    outputIndex: variant.outputIndex,
  }) as { n: number };
  return row.n;
}

/** Variants by photo, job or shoot; `generated` keeps only those with no photo of their own (made from a prompt). */
/**
 * Variants by photo, job and/or shoot (and only those made from a prompt, with `generated`). The
 * WHERE names only the filters given, so each query reads through an index (variants by photo, by
 * job, or a shoot's jobs) rather than every variant in the library.
 */
export function listVariants(
  db: Db,
  filter: { assetId?: string; jobId?: string; shootId?: string; generated?: boolean },
): Variant[] {
  const where: string[] = [];
  const values: string[] = [];
  if (filter.assetId !== undefined) {
    where.push('v.asset_id = ?');
    values.push(filter.assetId);
  }
  if (filter.jobId !== undefined) {
    where.push('v.job_id = ?');
    values.push(filter.jobId);
  }
  if (filter.shootId !== undefined) {
    where.push('j.shoot_id = ?');
    values.push(filter.shootId);
  }
  // Made from a prompt: read by the variants_asset index (asset_id IS NULL), then their jobs. Read
  // through the shoot's jobs instead, opening a 5,000-photo shoot probed 25,000 jobs (55 ms, measured).
  if (filter.generated) where.push('v.asset_id IS NULL');
  const rows = statement(
    db,
    `SELECT v.* FROM variants v JOIN jobs j ON j.id = v.job_id
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY v.created_at, v.job_id, v.output_index`,
  ).all(...values) as VariantRow[];
  return rows.map(toVariant);
}

export function getVariant(db: Db, id: string): Variant | null {
  const row = db.prepare('SELECT * FROM variants WHERE id = ?').get(id) as VariantRow | undefined;
  return row ? toVariant(row) : null;
}

export function updateVariant(
  db: Db,
  id: string,
  change: { pick?: Variant['pick']; rating?: number; approved?: boolean },
  now: number,
): Variant | null {
  db.prepare(
    `UPDATE variants SET pick = COALESCE(?, pick), rating = COALESCE(?, rating), approved = COALESCE(?, approved),
       updated_at = ? WHERE id = ?`,
  ).run(
    change.pick ?? null,
    change.rating ?? null,
    change.approved === undefined ? null : Number(change.approved),
    now,
    id,
  );
  return getVariant(db, id);
}

/** The stored type of a variant's media file, by its media id. */
export function variantMediaType(db: Db, mediaId: string): string | null {
  const row = db.prepare('SELECT mime_type FROM variants WHERE media_id = ?').get(mediaId) as
    { mime_type: string } | undefined;
  return row?.mime_type ?? null;
}

/** The recorded SHA-256 of a variant's file, or null when none was worked out yet. */
export function variantContentHash(db: Db, id: string): string | null {
  const row = statement(db, 'SELECT content_hash FROM variants WHERE id = ?').get(id) as
    { content_hash: string | null } | undefined;
  return row?.content_hash ?? null;
}

export function recordVariantContentHash(db: Db, id: string, contentHash: string): void {
  statement(db, 'UPDATE variants SET content_hash = ? WHERE id = ?').run(contentHash, id);
}

/** Points a variant at a new file of the same type (a description edited by hand); its marks stay. */
export function replaceVariantMedia(
  db: Db,
  id: string,
  mediaId: string,
  sizeBytes: number,
  now: number,
): Variant | null {
  statement(
    db,
    'UPDATE variants SET media_id = ?, size_bytes = ?, content_hash = NULL, updated_at = ? WHERE id = ?',
  ).run(mediaId, sizeBytes, now, id);
  return getVariant(db, id);
}
