import type { FetchedOutput } from '../providers/contract';
import type { Db } from './connection';
import type { JobRecord } from './jobs-repo';

/**
 * Records one downloaded output as a variant of the job's source asset. Idempotent per
 * (job, output index): fetching again after a crash does not make a second variant.
 */
export function insertVariant(db: Db, job: JobRecord, output: FetchedOutput, mediaId: string, now: number): void {
  db.prepare(
    `INSERT INTO variants (id, job_id, asset_id, output_index, media_id, kind, mime_type, width, height, size_bytes,
       created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (job_id, output_index) DO UPDATE SET media_id = excluded.media_id, mime_type = excluded.mime_type,
       width = excluded.width, height = excluded.height, size_bytes = excluded.size_bytes, updated_at = excluded.updated_at`,
  ).run(
    `${job.id}.${output.index}`,
    job.id,
    job.inputs.assetIds[0] ?? null,
    output.index,
    mediaId,
    output.kind,
    output.mimeType,
    output.width ?? null,
    output.height ?? null,
    output.bytes.byteLength,
    now,
    now,
  );
}

export function countVariants(db: Db, jobId: string): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM variants WHERE job_id = ?').get(jobId) as { n: number }).n;
}
