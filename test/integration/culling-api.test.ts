import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../shared/api';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { openDatabase } from '../../main/engine/db/connection';
import { call, refusal, startTestEngine } from '../support/engine';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An engine with a shoot of `count` photos written straight into its library, and the events it sent. */
async function setup(count: number) {
  const { engine, dataDir } = startTestEngine();
  const seen: { event: EventName; payload: unknown }[] = [];
  engine.events.listen((event, payload) => seen.push({ event, payload }));
  const shoot = await call(engine, 'shoots.create', { name: 'Lakeside villa' });
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  cleanups.push(() => db.close());
  const assetIds = Array.from({ length: count }, (_, i) => {
    const id = randomUUID();
    const asset = { id, shootId: shoot.id, relativePath: `IMG_${i}.jpg`, contentHash: `hash-${i}`, sizeBytes: 100 };
    insertAsset(db, { ...asset, width: 10, height: 10 }, Date.now());
    return id;
  });
  return { engine, assetIds, seen };
}

describe('culling photos (assets.cull)', () => {
  it('culls several photos in one call, each with its own change, tells the other windows once, and names what is gone', async () => {
    const { engine, assetIds, seen } = await setup(3);
    const [first = '', second = '', third = ''] = assetIds;
    const gone = randomUUID();
    const result = await call(engine, 'assets.cull', {
      marks: [
        { id: first, pick: 'rejected', rating: 1 },
        { id: gone, pick: 'picked' },
        { id: second, pick: 'picked' },
        { id: third, rating: 5 },
      ],
    });
    expect(result).toEqual({
      culled: [
        { id: first, pick: 'rejected', rating: 1 },
        { id: second, pick: 'picked', rating: 0 },
        { id: third, pick: 'none', rating: 5 },
      ],
      notFound: [gone],
    });
    const culledEvents = seen.filter((entry) => entry.event === 'assets.culled');
    expect(culledEvents).toEqual([{ event: 'assets.culled', payload: { culled: result.culled } }]);
    expect((await call(engine, 'assets.get', { id: third })).rating).toBe(5);

    // Mistakes are told apart: the same photo twice, a mark that changes nothing, nothing that exists.
    expect(
      (
        await refusal(engine, 'assets.cull', {
          marks: [
            { id: first, pick: 'none' },
            { id: first, rating: 2 },
          ],
        })
      ).message,
    ).toMatch(/at most once/);
    expect((await refusal(engine, 'assets.cull', { marks: [{ id: first }] })).message).toMatch(
      /a pick, a rating, or both/,
    );
    expect((await refusal(engine, 'assets.cull', { marks: [{ id: gone, pick: 'picked' }] })).code).toBe('not_found');
    expect((await call(engine, 'assets.get', { id: first })).pick).toBe('rejected');
  });

  it('names photos by file for the queue, leaving out ids that do not exist', async () => {
    const { engine, assetIds } = await setup(2);
    const [first = '', second = ''] = assetIds;
    const { names } = await call(engine, 'assets.names', { ids: [first, second, randomUUID()] });
    expect(names).toEqual({ [first]: 'IMG_0.jpg', [second]: 'IMG_1.jpg' });
    expect((await refusal(engine, 'assets.names', { ids: Array.from({ length: 1001 }, () => first) })).code).toBe(
      'invalid_input',
    );
  });
});
