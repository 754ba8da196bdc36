import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotFolder } from '../../shared/domain';
import { getAsset } from '../../main/engine/db/assets-repo';
import { getBudget } from '../../main/engine/db/budgets-repo';
import { openDatabase, type Db } from '../../main/engine/db/connection';
import { saveHotFolder } from '../../main/engine/db/hot-folders-repo';
import { assetSource, rememberFileIdentity } from '../../main/engine/db/asset-source-repo';
import { ensureShoot, knownUnchanged, markMissing, recordFile, type SeenFile } from '../../main/engine/db/ingest-repo';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import { testHotFolder } from '../support/engine';
import { tempDir } from '../support/temp';

function library(): { db: Db; folder: HotFolder } {
  const dir = tempDir();
  const db = openDatabase(path.join(dir, 'shootline.db'));
  migrate(db, migrations, Date.now);
  const folder = testHotFolder(path.join(dir, 'incoming'), {
    id: 'hf-1',
    spendingCap: 40,
    autoApprove: true,
  });
  fs.mkdirSync(folder.path);
  saveHotFolder(db, folder);
  return { db, folder };
}

const seen = (shootId: string, relativePath: string, hash: string, extra: Partial<SeenFile> = {}): SeenFile => ({
  shootId,
  hotFolderId: 'hf-1',
  relativePath,
  sizeBytes: 100,
  mtimeMs: 1_000,
  contentHash: hash,
  fileIdentity: null,
  format: 'jpeg',
  error: null,
  ...extra,
});

const asset = (db: Db, id: string) =>
  db.prepare('SELECT relative_path, content_hash, state, version, error_kind FROM assets WHERE id = ?').get(id) as {
    relative_path: string;
    content_hash: string;
    state: string;
    version: number;
    error_kind: string | null;
  };

describe('shoots from a hot folder', () => {
  it('makes one shoot per top-level subfolder (and one for loose files), with the folder’s spending rules', () => {
    const { db, folder } = library();
    const smith = ensureShoot(db, folder, 'Smith kitchen', 1);
    expect(ensureShoot(db, folder, 'Smith kitchen', 2)).toBe(smith);
    const loose = ensureShoot(db, folder, '', 3);
    expect(loose).not.toBe(smith);
    const names = db.prepare('SELECT name FROM shoots ORDER BY name').pluck().all();
    expect(names).toEqual(['Smith kitchen', 'incoming']);
    // Until a budget is set at a provider, the folder's rule applies there, in that provider's unit.
    expect(getBudget(db, smith, 'local')).toMatchObject({ cap: 40, autoApprove: true, approved: 0 });
    expect(getBudget(db, smith, 'aixpose')).toMatchObject({ cap: 40, autoApprove: true, approved: 0 });
    db.close();
  });
});

describe('the identity of the file a content hash was computed from', () => {
  it('is kept with the hash it belongs to: when added, seen again, moved and replaced by a new version', () => {
    const { db, folder } = library();
    const shoot = ensureShoot(db, folder, 's', 0);
    const identity = (id: string) => assetSource(db, id)?.fileIdentity;
    const added = recordFile(db, seen(shoot, 's/a.jpg', 'h1', { fileIdentity: 'id-1' }), () => true, 1);
    expect(identity(added.assetId)).toBe('id-1');
    recordFile(db, seen(shoot, 's/a.jpg', 'h1', { fileIdentity: 'id-2' }), () => true, 2);
    expect(identity(added.assetId)).toBe('id-2');
    const moved = recordFile(db, seen(shoot, 's/b.jpg', 'h1', { fileIdentity: 'id-3' }), () => false, 3);
    expect([moved.outcome, identity(added.assetId)]).toEqual(['moved', 'id-3']);
    // Hashed while it was being written: no identity, so the next read hashes again.
    recordFile(db, seen(shoot, 's/b.jpg', 'h2', { fileIdentity: null }), () => true, 4);
    expect(identity(added.assetId)).toBeNull();
    db.close();
  });

  it('is remembered after a read that hashed the bytes again, only while the content is still that one', () => {
    const { db, folder } = library();
    const shoot = ensureShoot(db, folder, 's', 0);
    const { assetId } = recordFile(db, seen(shoot, 's/a.jpg', 'h1'), () => true, 1);
    rememberFileIdentity(db, { id: assetId, contentHash: 'h0' }, 'stale');
    expect(assetSource(db, assetId)?.fileIdentity).toBeNull();
    rememberFileIdentity(db, { id: assetId, contentHash: 'h1' }, 'id-9');
    expect(assetSource(db, assetId)?.fileIdentity).toBe('id-9');
    db.close();
  });
});

describe('recordFile: identity is the content', () => {
  it('adds a new file, and sees the same bytes at the same path as nothing new', () => {
    const { db, folder } = library();
    const shoot = ensureShoot(db, folder, 's', 0);
    const added = recordFile(db, seen(shoot, 's/a.jpg', 'h1'), () => true, 1);
    expect(added.outcome).toBe('added');
    expect(asset(db, added.assetId)).toMatchObject({ state: 'pending', version: 1 });
    expect(recordFile(db, seen(shoot, 's/a.jpg', 'h1', { mtimeMs: 2_000 }), () => true, 2)).toEqual({
      outcome: 'unchanged',
      assetId: added.assetId,
    });
    expect(knownUnchanged(db, shoot, 's/a.jpg', 100, 2_000)).toBe(true);
    expect(knownUnchanged(db, shoot, 's/a.jpg', 100, 3_000)).toBe(false);
    db.close();
  });

  it('records the same bytes at a second path as a copy that says whose copy it is, and a move when a path is gone', () => {
    const { db, folder } = library();
    const shoot = ensureShoot(db, folder, 's', 0);
    const other = ensureShoot(db, folder, 'other', 0);
    const original = recordFile(db, seen(shoot, 's/a.jpg', 'h1'), () => true, 1);
    const copy = recordFile(db, seen(shoot, 's/copy of a.jpg', 'h1'), () => true, 2);
    expect(copy.outcome).toBe('duplicate');
    expect(copy.assetId).not.toBe(original.assetId);
    expect(getAsset(db, copy.assetId)?.sameAs).toEqual({
      assetId: original.assetId,
      shootId: shoot,
      shootName: 's',
      relativePath: 's/a.jpg',
    });
    expect(getAsset(db, original.assetId)?.sameAs).toBeNull();
    // The same bytes in another shoot: its own photo there, pointing at the first.
    const elsewhere = recordFile(db, seen(other, 'other/a.jpg', 'h1'), () => true, 3);
    expect(elsewhere.outcome).toBe('added');
    expect(getAsset(db, elsewhere.assetId)?.sameAs).toMatchObject({ assetId: original.assetId, shootName: 's' });

    // Renamed: the photo whose path is gone moves; the copy stays.
    expect(recordFile(db, seen(shoot, 's/renamed.jpg', 'h1'), (p) => p !== 's/a.jpg', 4)).toEqual({
      outcome: 'moved',
      assetId: original.assetId,
    });
    expect(asset(db, original.assetId).relative_path).toBe('s/renamed.jpg');
    expect(db.prepare('SELECT COUNT(*) FROM assets WHERE shoot_id = ?').pluck().get(shoot)).toBe(2);
    // An original gone from disk is no longer what a copy is "the same as".
    markMissing(db, shoot, 's/renamed.jpg', 5);
    expect(getAsset(db, copy.assetId)?.sameAs).toBeNull();
    expect(getAsset(db, elsewhere.assetId)?.sameAs).toMatchObject({ assetId: copy.assetId });
    db.close();
  });

  it('makes a re-saved file a new version; variants made before keep the version they came from', () => {
    const { db, folder } = library();
    const shoot = ensureShoot(db, folder, 's', 0);
    const first = recordFile(db, seen(shoot, 's/a.jpg', 'h1'), () => true, 1);
    db.prepare(
      `INSERT INTO jobs (id, shoot_id, provider, operation, inputs_json, params_json, state, max_attempts, idempotency_key,
         created_at, updated_at) VALUES ('j1', ?, 'p', 'op', ?, '{}', 'done', 8, 'k1', 1, 1)`,
    ).run(shoot, JSON.stringify({ assetIds: [first.assetId] }));
    db.prepare(
      `INSERT INTO variants (id, job_id, asset_id, output_index, media_id, kind, mime_type, size_bytes, created_at,
         updated_at, asset_version) VALUES ('v1', 'j1', ?, 0, 'm', 'image', 'image/png', 1, 1, 1, 1)`,
    ).run(first.assetId);

    const resaved = recordFile(db, seen(shoot, 's/a.jpg', 'h2', { sizeBytes: 120 }), () => true, 5);
    expect(resaved).toEqual({ outcome: 'new_version', assetId: first.assetId });
    expect(asset(db, first.assetId)).toMatchObject({ content_hash: 'h2', version: 2, state: 'pending' });
    expect(db.prepare('SELECT version, content_hash FROM asset_versions').all()).toEqual([
      { version: 1, content_hash: 'h1' },
    ]);
    expect(db.prepare('SELECT asset_version FROM variants').pluck().get()).toBe(1);
    db.close();
  });

  it('clears the error of a file taken while incomplete once it is complete', () => {
    const { db, folder } = library();
    const shoot = ensureShoot(db, folder, 's', 0);
    const partial = recordFile(
      db,
      seen(shoot, 's/a.jpg', 'h-partial', {
        error: { kind: 'truncated', message: 'The file ends early.' },
        format: 'jpeg',
      }),
      () => true,
      1,
    );
    expect(asset(db, partial.assetId)).toMatchObject({ state: 'error', error_kind: 'truncated' });
    recordFile(db, seen(shoot, 's/a.jpg', 'h-full'), () => true, 2);
    expect(asset(db, partial.assetId)).toMatchObject({ state: 'pending', error_kind: null });
    db.close();
  });

  it('marks a deleted file missing, keeps its data, and takes it back when it returns', () => {
    const { db, folder } = library();
    const shoot = ensureShoot(db, folder, 's', 0);
    const added = recordFile(db, seen(shoot, 's/a.jpg', 'h1'), () => true, 1);
    expect(markMissing(db, shoot, 's/a.jpg', 2)).toBe(added.assetId);
    expect(markMissing(db, shoot, 's/a.jpg', 3)).toBeNull();
    expect(asset(db, added.assetId).state).toBe('missing');
    expect(knownUnchanged(db, shoot, 's/a.jpg', 100, 1_000)).toBe(false);
    expect(recordFile(db, seen(shoot, 's/a.jpg', 'h1'), () => true, 4).outcome).toBe('unchanged');
    expect(asset(db, added.assetId).state).toBe('pending');
    db.close();
  });
});
