import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { openDatabase } from '../../main/engine/db/connection';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { call, startTestEngine, until } from '../support/engine';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('work the provider took and then failed', () => {
  it('says provider_failed in its words, records the refund against the charge, and is sent again only when the user retries', async () => {
    const server = await startTestProvider({
      dedupe: true,
      pollsUntilDone: 1,
      balance: 10,
      failAfterAccept: {
        message: 'The painted area is too small for a terrace.',
        code: 'AREA_TOO_SMALL',
        refund: true,
      },
    });
    cleanups.push(server.close);
    const provider = testProviderModule({ id: 'test', baseUrl: server.url, idempotentSubmit: true, withBalance: true });
    const { engine, dataDir } = startTestEngine({ providers: [provider] });
    const shoot = await call(engine, 'shoots.create', { name: 'Terrace concepts' });
    await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'test', cap: 10, autoApprove: true });
    const db = openDatabase(path.join(dataDir, 'shootline.db'));
    cleanups.push(() => db.close());
    const photo = randomUUID();
    insertAsset(
      db,
      {
        id: photo,
        shootId: shoot.id,
        relativePath: 'garden.jpg',
        contentHash: 'h',
        sizeBytes: 10,
        width: 8,
        height: 8,
      },
      Date.now(),
    );
    const recipe = await call(engine, 'recipes.create', {
      name: 'Make',
      provider: 'test',
      operation: 'generate',
      params: {},
    });
    const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [photo] });
    const jobId = run.jobIds[0] ?? '';
    const failed = await until(
      () => call(engine, 'jobs.get', { id: jobId }),
      (job) => job.state === 'failed',
    );
    expect(failed.lastError).toEqual({
      code: 'provider_failed',
      message: 'Test provider test: The painted area is too small for a terrace. (AREA_TOO_SMALL)',
    });

    // The ledger shows the charge and the refund; the shoot's net spend there is back where it was.
    const ledger = () =>
      db.prepare('SELECT kind, amount FROM credit_ledger WHERE job_id = ? ORDER BY id').all(jobId) as {
        kind: string;
        amount: number;
      }[];
    expect(ledger()).toEqual([
      { kind: 'charge', amount: 1 },
      { kind: 'refund', amount: 1 },
    ]);
    expect((await call(engine, 'budgets.list', { shootId: shoot.id }))[0]).toMatchObject({ committed: 0 });
    // Failed is where it stays: nothing is sent again by itself.
    expect(server.charged.size).toBe(1);

    // The user's retry is a new, paid attempt under a new key; it fails and is refunded the same way.
    await call(engine, 'jobs.retry', { id: jobId });
    await until(
      () => call(engine, 'jobs.get', { id: jobId }),
      (job) => job.state === 'failed' && ledger().length === 4,
    );
    expect(server.charged.size).toBe(2);
    expect(ledger().map((entry) => entry.kind)).toEqual(['charge', 'refund', 'charge', 'refund']);
    expect((await call(engine, 'budgets.list', { shootId: shoot.id }))[0]).toMatchObject({ committed: 0 });
  });
});
