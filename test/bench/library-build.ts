/**
 * Builds a large library for the library bench: a data dir whose database holds `photos` assets in
 * 200 shoots (one of 5,000 photos, the rest shared out), five jobs per photo (500,000 for 100,000
 * photos) and three variants per photo (300,000), and a hot folder holding every photo as a small
 * real JPEG. Rows are written with bare statements into the real, migrated schema: what ingest and
 * the queue would have left after months of work, made in seconds.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { DATABASE_FILE } from '../../main/engine/db/library';
import { openDatabase } from '../../main/engine/db/connection';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';

export const SHOOTS = 200;
export const BIG_SHOOT_PHOTOS = 5_000;
export const BIG_SHOOT_FOLDER = 'Big shoot';
const JOBS_PER_PHOTO = 5;
const VARIANTS_PER_PHOTO = 3;
/** Terminal or waiting states only: a bench library must not start work on its own. */
const JOB_STATES = ['done', 'done', 'done', 'failed', 'canceled', 'needs_review', 'awaiting_input'] as const;

export interface BuiltLibrary {
  dataDir: string;
  hotFolder: string;
  hotFolderId: string;
  bigShootId: string;
  photos: number;
}

export function libraryPaths(root: string): { dataDir: string; hotFolder: string } {
  return { dataDir: path.join(root, 'data'), hotFolder: path.join(root, 'hot') };
}

/** The folder of shoot `index` (0 is the 5,000-photo one) and how many photos it holds. */
function shootPlan(photos: number): { folder: string; count: number }[] {
  const big = Math.min(BIG_SHOOT_PHOTOS, photos);
  const rest = photos - big;
  return Array.from({ length: SHOOTS }, (_, index) => {
    if (index === 0) return { folder: BIG_SHOOT_FOLDER, count: big };
    const share = Math.floor(rest / (SHOOTS - 1)) + (index - 1 < rest % (SHOOTS - 1) ? 1 : 0);
    return { folder: `Shoot ${String(index).padStart(3, '0')}`, count: share };
  });
}

/**
 * A few small JPEGs to make every photo from: each photo is one of them with its own number in a
 * comment segment right after SOI, so every file is a valid JPEG with its own content hash.
 */
async function baseJpegs(): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: 8 }, (_, index) =>
      sharp({
        create: {
          width: 160,
          height: 120,
          channels: 3,
          background: { r: 40 + index * 25, g: 120, b: 200 - index * 20 },
        },
      })
        .jpeg({ quality: 80 })
        .toBuffer(),
    ),
  );
}

function numbered(base: Buffer, number: number): Buffer {
  const comment = Buffer.alloc(4 + 8);
  comment.writeUInt16BE(0xfffe, 0);
  comment.writeUInt16BE(2 + 8, 2);
  comment.writeBigUInt64BE(BigInt(number), 4);
  return Buffer.concat([base.subarray(0, 2), comment, base.subarray(2)]);
}

export async function buildLibrary(root: string, photos: number): Promise<BuiltLibrary> {
  const { dataDir, hotFolder } = libraryPaths(root);
  fs.mkdirSync(dataDir, { recursive: true });
  const bases = await baseJpegs();
  const db = openDatabase(path.join(dataDir, DATABASE_FILE));
  migrate(db, migrations, Date.now);
  db.pragma('synchronous = OFF');
  const now = Date.now();
  const hotFolderId = randomUUID();
  db.prepare(
    `INSERT INTO hot_folders (id, path, name, reconcile_minutes, created_at, updated_at) VALUES (?, ?, 'Bench', 60, ?, ?)`,
  ).run(hotFolderId, hotFolder, now, now);
  const insertShoot = db.prepare(
    'INSERT INTO shoots (id, name, created_at, hot_folder_id, folder) VALUES (?, ?, ?, ?, ?)',
  );
  const insertAsset = db.prepare(
    `INSERT INTO assets (id, shoot_id, relative_path, content_hash, size_bytes, width, height, pick, rating, created_at,
       updated_at, hot_folder_id, mtime_ms, state, format, captured_at)
     VALUES (?, ?, ?, ?, ?, 160, 120, ?, ?, ?, ?, ?, ?, 'ok', 'jpeg', ?)`,
  );
  const insertJob = db.prepare(
    `INSERT INTO jobs (id, shoot_id, provider, operation, inputs_json, params_json, state, attempts, max_attempts,
       idempotency_key, cost_estimate, waiting_for, created_at, updated_at, finished_at)
     VALUES (?, ?, 'local', 'enhance', ?, '{}', ?, 1, 8, ?, 0, ?, ?, ?, ?)`,
  );
  const insertVariant = db.prepare(
    `INSERT INTO variants (id, job_id, asset_id, output_index, media_id, kind, mime_type, width, height, size_bytes,
       approved, created_at, updated_at, asset_version)
     VALUES (?, ?, ?, 0, ?, 'image', 'image/jpeg', 160, 120, 5000, ?, ?, ?, 1)`,
  );
  let bigShootId = '';
  let number = 0;
  const plan = shootPlan(photos);
  for (const [shootIndex, { folder, count }] of plan.entries()) {
    const shootId = randomUUID();
    if (shootIndex === 0) bigShootId = shootId;
    const folderPath = path.join(hotFolder, folder);
    fs.mkdirSync(folderPath, { recursive: true });
    const created = now - (SHOOTS - shootIndex) * 86_400_000;
    const files: { relative: string; hash: string; size: number; mtimeMs: number }[] = [];
    for (let i = 0; i < count; i += 1) {
      number += 1;
      const bytes = numbered(bases[number % bases.length] ?? Buffer.alloc(0), number);
      const name = `IMG_${String(i + 1).padStart(5, '0')}.jpg`;
      const file = path.join(folderPath, name);
      fs.writeFileSync(file, bytes);
      const hash = createHash('sha256').update(bytes).digest('hex');
      files.push({
        relative: `${folder}/${name}`,
        hash,
        size: bytes.length,
        mtimeMs: Math.round(fs.statSync(file).mtimeMs),
      });
    }
    db.transaction(() => {
      insertShoot.run(shootId, folder, new Date(created).toISOString(), hotFolderId, folder);
      for (const [i, file] of files.entries()) {
        const assetId = randomUUID();
        const at = created + i * 1000;
        insertAsset.run(
          assetId,
          shootId,
          file.relative,
          file.hash,
          file.size,
          i % 7 === 0 ? 'picked' : 'none',
          i % 6,
          at,
          at,
          hotFolderId,
          file.mtimeMs,
          new Date(at - 3_600_000).toISOString(),
        );
        const inputs = JSON.stringify({ source: { kind: 'asset', assetId, version: 1 } });
        for (let j = 0; j < JOBS_PER_PHOTO; j += 1) {
          const jobId = randomUUID();
          const state = j < VARIANTS_PER_PHOTO ? 'done' : (JOB_STATES[(i + j) % JOB_STATES.length] ?? 'done');
          const jobAt = at + j * 60_000;
          insertJob.run(
            jobId,
            shootId,
            inputs,
            state,
            jobId,
            state === 'awaiting_input' ? 'mask' : null,
            jobAt,
            jobAt,
            state === 'done' || state === 'failed' || state === 'canceled' ? jobAt : null,
          );
          if (j < VARIANTS_PER_PHOTO)
            insertVariant.run(
              randomUUID(),
              jobId,
              assetId,
              randomUUID(),
              j === 0 && i % 10 === 0 ? 1 : 0,
              jobAt,
              jobAt,
            );
        }
      }
    })();
  }
  db.pragma('synchronous = FULL');
  db.close();
  return { dataDir, hotFolder, hotFolderId, bigShootId, photos };
}
