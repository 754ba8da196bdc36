import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { ShootlineBridge } from '../../shared/api';
import type { Asset } from '../../shared/domain';
import type { Variant } from '../../shared/jobs';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { openDatabase } from '../../main/engine/db/connection';
import type { Engine } from '../../main/engine/engine';
import { ApiClient } from '../../renderer/src/bridge/client';
import { createCullingSlice, type CullingSlice } from '../../renderer/src/store/culling-slice';
import { call, startTestEngine } from '../support/engine';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type State = CullingSlice & {
  assets: Asset[];
  variantsByAsset: Record<string, Variant[]>;
  openShootId: string | null;
  error: string | null;
};

/**
 * The UI's culling store on a real engine: the bridge hands calls straight to the engine (the
 * transport is the only thing left out), and counts them.
 */
async function setup(count = 3) {
  const { engine, dataDir } = startTestEngine();
  const shoot = await call(engine, 'shoots.create', { name: 'Lakeside villa' });
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  cleanups.push(() => db.close());
  for (let i = 0; i < count; i++) {
    const asset = { id: randomUUID(), shootId: shoot.id, relativePath: `IMG_${i}.jpg`, contentHash: `h${i}` };
    insertAsset(db, { ...asset, sizeBytes: 100, width: 10, height: 10 }, Date.now());
  }
  const calls: string[] = [];
  const bridge: ShootlineBridge = {
    invoke: (method, args) => {
      calls.push(method);
      return engine.call(method, args) as never;
    },
    subscribe: () => () => undefined,
  };
  const errors: unknown[] = [];
  const { assets } = await call(engine, 'assets.list', { shootId: shoot.id });
  const store = createStore<State>()((set, get) => ({
    assets,
    variantsByAsset: {},
    openShootId: shoot.id,
    error: null,
    ...createCullingSlice<State>(new ApiClient(bridge), set, get, (error) => errors.push(error)),
  }));
  return { engine, db, store, calls, errors, ids: assets.map((asset) => asset.id), shootId: shoot.id };
}

async function picks(engine: Engine, shootId: string): Promise<string[]> {
  return (await call(engine, 'assets.list', { shootId })).assets.map((asset) => asset.pick);
}

describe('the culling store on a real engine', () => {
  it('sends a selection as one call, undoes and redoes it as one step, and records nothing for a change that changes nothing', async () => {
    const { engine, store, calls, ids, shootId } = await setup(3);
    await store.getState().cull(ids, { pick: 'rejected' });
    expect(calls).toEqual(['assets.cull']);
    expect(await picks(engine, shootId)).toEqual(['rejected', 'rejected', 'rejected']);
    await store.getState().cull(ids, { pick: 'rejected' });
    expect(calls).toHaveLength(1);
    expect(store.getState().marksHistory[shootId]?.undo).toHaveLength(1);
    await store.getState().undoMarks();
    expect(calls).toHaveLength(2);
    expect(await picks(engine, shootId)).toEqual(['none', 'none', 'none']);
    expect(store.getState().flash?.text).toBe('Undone: Rejected 3 photos');
    await store.getState().redoMarks();
    expect(await picks(engine, shootId)).toEqual(['rejected', 'rejected', 'rejected']);
  });

  it('takes back the change just made when Ctrl+Z comes before the engine has answered', async () => {
    const { engine, store, ids, shootId } = await setup(2);
    await store.getState().cull([ids[0] ?? ''], { pick: 'picked' });
    // X on the second photo and, at once, undo: the undo is of the X, not of the pick before it.
    const culled = store.getState().cull([ids[1] ?? ''], { pick: 'rejected' });
    const undone = store.getState().undoMarks();
    await Promise.all([culled, undone]);
    expect(await picks(engine, shootId)).toEqual(['picked', 'none']);
    expect(store.getState().assets.map((asset) => asset.pick)).toEqual(['picked', 'none']);
    expect(store.getState().marksHistory[shootId]?.redo.map((step) => step.label)).toEqual(['Rejected 1 photo']);
  });

  it('keeps each shoot’s steps to itself, and drops a step whose photos are gone', async () => {
    const { engine, db, store, ids, shootId, errors } = await setup(2);
    await store.getState().cull(ids, { rating: 4 });
    store.setState({ openShootId: 'another-shoot' });
    await store.getState().undoMarks();
    expect(store.getState().flash?.text).toBe('Nothing to undo');
    expect((await call(engine, 'assets.list', { shootId })).assets.map((asset) => asset.rating)).toEqual([4, 4]);

    store.setState({ openShootId: shootId });
    db.prepare('DELETE FROM assets').run();
    await store.getState().undoMarks();
    expect(errors).toHaveLength(1);
    expect(store.getState().flash?.text).toBe('Rated 2 photos ★★★★: no longer in the library');
    expect(store.getState().marksHistory[shootId]).toEqual({ undo: [], redo: [] });
  });
});
