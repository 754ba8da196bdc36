import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/engine/db/connection';
import { migrate } from '../../main/engine/db/migrate';
import { migrations } from '../../main/engine/db/migrations';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { call, startTestEngine, until } from '../support/engine';
import { tempDir } from '../support/temp';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The last migration that landed before jobs had inputs by role and masks had versions. */
const BEFORE_ROLES = 12;

/**
 * A library as the code before this change wrote it: built by the landed migrations, with rows in
 * their shapes — jobs with `{ assetIds, maskId }`, a job the provider already has (remote), one whose
 * paid step was recorded just before the app died (submitting), a mask overwritten in place with a
 * feathered stroke, and one budget per shoot.
 */
function libraryOfYesterday(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  migrate(db, migrations.slice(0, BEFORE_ROLES), Date.now);
  const at = Date.now() - 60_000;
  db.prepare('INSERT INTO shoots (id, name, created_at) VALUES (?, ?, ?)').run(
    'shoot-1',
    'Old shoot',
    new Date(at).toISOString(),
  );
  db.prepare(
    `INSERT INTO assets (id, shoot_id, relative_path, content_hash, size_bytes, width, height, created_at, updated_at, version)
     VALUES ('asset-1', 'shoot-1', 'garden.jpg', 'hash-1', 100, 100, 80, ?, ?, 2)`,
  ).run(at, at);
  db.prepare(
    `INSERT INTO masks (id, asset_id, purpose, drawing_json, version, created_at, updated_at)
     VALUES ('mask-1', 'asset-1', 'exterior', ?, 3, ?, ?)`,
  ).run(
    JSON.stringify({
      width: 100,
      height: 80,
      strokes: [{ points: [{ x: 50, y: 40 }], size: 20, feather: 6, mode: 'paint' }],
    }),
    at,
    at,
  );
  db.prepare('INSERT INTO budgets (shoot_id, cap, approved, auto_approve, updated_at) VALUES (?, 10, 4, 0, ?)').run(
    'shoot-1',
    at,
  );
  const job = db.prepare(
    `INSERT INTO jobs (id, shoot_id, provider, operation, inputs_json, params_json, state, attempts, max_attempts,
       idempotency_key, remote_id, cost_estimate, cost_charged, lease_owner, lease_expires_at, created_at, updated_at)
     VALUES (?, 'shoot-1', 'test', ?, ?, '{}', ?, 1, 5, ?, ?, 1, ?, ?, ?, ?, ?)`,
  );
  const step = db.prepare(
    `INSERT INTO job_steps (job_id, step, idempotency_key, state, remote_id, result_json, updated_at)
     VALUES (?, 'create', ?, 'done', ?, 'null', ?)`,
  );
  // At the provider already: only polling and fetching are left.
  job.run(
    'job-remote',
    'paint',
    JSON.stringify({ assetIds: ['asset-1'], maskId: 'mask-1' }),
    'remote',
    'key-remote',
    'rold1',
    1,
    null,
    null,
    at,
    at,
  );
  step.run('job-remote', 'key-remote.create', 'rold1', at);
  // Its paid step was answered and recorded, then the app died before the job moved on.
  job.run(
    'job-submitting',
    'generate',
    JSON.stringify({ assetIds: ['asset-1'] }),
    'submitting',
    'key-submitting',
    null,
    null,
    'old-process',
    at,
    at,
    at,
  );
  step.run('job-submitting', 'key-submitting.create', 'rold2', at);
  db.close();
}

describe('a library written before inputs had roles', () => {
  it('opens, resumes its jobs in flight without sending anything again, and keeps its mask as version 1', async () => {
    const server = await startTestProvider({ dedupe: false, pollsUntilDone: 0 });
    cleanups.push(server.close);
    const dataDir = tempDir('shootline-upgrade-');
    libraryOfYesterday(dataDir);
    // Not idempotent: a resend would be a second job and a second charge.
    const provider = testProviderModule({ id: 'test', baseUrl: server.url, idempotentSubmit: false });
    const { engine } = startTestEngine({ dataDir, providers: [provider] });

    const jobs = await until(
      async () => Promise.all(['job-remote', 'job-submitting'].map((id) => call(engine, 'jobs.get', { id }))),
      (list) => list.every((job) => job.state === 'done'),
    );
    expect(server.totals.submits).toBe(0);
    expect(jobs.map((job) => job.remoteId)).toEqual(['rold1', 'rold2']);
    expect(jobs[0]?.inputs).toEqual({
      source: { kind: 'asset', assetId: 'asset-1', version: 2 },
      mask: { maskId: 'mask-1', version: 1 },
    });
    expect(jobs[1]?.inputs).toEqual({ source: { kind: 'asset', assetId: 'asset-1', version: 2 } });
    expect((await call(engine, 'variants.list', { shootId: 'shoot-1' })).map((variant) => variant.assetId)).toEqual([
      'asset-1',
      'asset-1',
    ]);

    // The mask is version 1 of a named mask; its feathered stroke draws the same edge as a hardness.
    const mask = await call(engine, 'masks.get', { assetId: 'asset-1', purpose: 'exterior' });
    expect(mask).toMatchObject({ id: 'mask-1', name: 'Exterior', purpose: 'exterior', version: 1 });
    expect(mask.content).toMatchObject({ width: 100, height: 80, invert: false, rasters: [] });
    expect(mask.content.strokes).toEqual([
      { points: [{ x: 50, y: 40 }], size: 26, hardness: 14 / 26, opacity: 1, mode: 'paint' },
    ]);
    const saved = await call(engine, 'masks.save', { assetId: 'asset-1', purpose: 'exterior', content: mask.content });
    expect(saved).toMatchObject({ id: 'mask-1', version: 2 });

    // The shoot's cap and approval are now its budget at the provider it used, in that provider's unit.
    expect(await call(engine, 'budgets.list', { shootId: 'shoot-1' })).toEqual([
      expect.objectContaining({ provider: 'test', cap: 10, approved: 4, autoApprove: false }),
    ]);
  });
});
