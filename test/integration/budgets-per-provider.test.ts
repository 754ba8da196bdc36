import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { openDatabase } from '../../main/engine/db/connection';
import { call, refusal, startTestEngine } from '../support/engine';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('budgets per shoot and provider', () => {
  it('keeps AIXpose credits and ProductAI tokens apart: two caps in their units, and a cap on one holds only its jobs', async () => {
    const { engine, dataDir, activity } = startTestEngine();
    // Nothing is sent in this test: the point is what waits and what may go.
    await call(engine, 'queue.pause', { scope: 'global' });
    const shoot = await call(engine, 'shoots.create', { name: 'Harbour loft' });
    const db = openDatabase(path.join(dataDir, 'shootline.db'));
    cleanups.push(() => db.close());
    const assetIds = ['IMG_1.jpg', 'IMG_2.jpg'].map((name, index) => {
      const id = randomUUID();
      insertAsset(
        db,
        { id, shootId: shoot.id, relativePath: name, contentHash: `h${index}`, sizeBytes: 10, width: 800, height: 600 },
        Date.now(),
      );
      return id;
    });
    await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'aixpose', cap: 100, autoApprove: true });
    await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'productai', cap: 5, autoApprove: false });

    const staging = await call(engine, 'recipes.create', {
      name: 'Staging',
      provider: 'aixpose',
      operation: 'enhance',
      params: { actions: ['interior-style-japandi'], variants: 2 },
    });
    const upscale = await call(engine, 'recipes.create', {
      name: 'Upscale',
      provider: 'productai',
      operation: 'upscale',
      params: {},
    });
    const before = activity.dispatchPasses;
    const staged = await call(engine, 'recipes.run', { recipeId: staging.id, assetIds });
    const upscaled = await call(engine, 'recipes.run', { recipeId: upscale.id, assetIds: [assetIds[0] ?? ''] });
    expect(activity.dispatchPasses).toBeGreaterThan(before);
    expect(staged).toMatchObject({ awaitingApproval: 0 });
    expect(upscaled).toMatchObject({ awaitingApproval: 1 });
    for (const id of staged.jobIds) expect((await call(engine, 'jobs.get', { id })).state).toBe('queued');
    expect(await call(engine, 'jobs.get', { id: upscaled.jobIds[0] ?? '' })).toMatchObject({
      state: 'awaiting_input',
      waitingFor: 'approval',
    });

    const budgets = await call(engine, 'budgets.list', { shootId: shoot.id });
    expect(budgets.map((budget) => [budget.provider, budget.unit.many, budget.cap, budget.committed])).toEqual([
      ['aixpose', 'credits', 100, staged.totalEstimate],
      ['productai', 'tokens', 5, 0],
    ]);
    expect(budgets[1]?.awaiting).toEqual({ jobs: 1, amount: upscaled.totalEstimate });

    // Approving past ProductAI's cap is refused in its own unit; raising that cap lets it go.
    const pastCap = await refusal(engine, 'jobs.approveBudget', { shootId: shoot.id, provider: 'productai' });
    expect(pastCap.code).toBe('conflict');
    expect(pastCap.message).toContain('ProductAI');
    await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'productai', cap: 50 });
    const approved = await call(engine, 'jobs.approveBudget', { shootId: shoot.id, provider: 'productai' });
    expect(approved.released).toBe(1);
    expect(approved.budgets.find((budget) => budget.provider === 'productai')).toMatchObject({
      approved: upscaled.totalEstimate,
      committed: upscaled.totalEstimate,
      awaiting: { jobs: 0, amount: 0 },
    });
    // AIXpose's budget did not move.
    expect(approved.budgets.find((budget) => budget.provider === 'aixpose')).toMatchObject({
      cap: 100,
      approved: 0,
      committed: staged.totalEstimate,
    });
  });
});
