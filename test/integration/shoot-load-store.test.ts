import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ShootlineBridge } from '../../shared/api';
import { insertAsset } from '../../main/engine/db/assets-repo';
import { openDatabase, writeTransaction } from '../../main/engine/db/connection';
import type { Engine } from '../../main/engine/engine';
import { silentLogger } from '../../main/engine/log';
import { ApiClient } from '../../renderer/src/bridge/client';
import { createAppStore, followEngineEvents } from '../../renderer/src/store/store';
import { ASSET_PAGES } from '../../renderer/src/store/shoot-content';
import { call, startTestEngine } from '../support/engine';
import { connectIpcPair } from '../support/ipc-pair';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// The store keeps the view (open shoot, sort) in the window's localStorage, which Node has not: an in-memory one.
beforeAll(() => {
  const items = new Map<string, string>();
  const localStorage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
  vi.stubGlobal('window', { localStorage });
});
afterAll(() => vi.unstubAllGlobals());

/**
 * The UI's store on a real engine behind the real (preload) bridge and engine events, with the bridge
 * counting the calls and, when asked, holding some back before they reach the engine.
 */
async function setup(shoots: Record<string, number>) {
  const { engine, dataDir } = startTestEngine();
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  cleanups.push(() => db.close());
  const ids: Record<string, string> = {};
  for (const [name, count] of Object.entries(shoots)) {
    const shoot = await call(engine, 'shoots.create', { name });
    ids[name] = shoot.id;
    writeTransaction(db, () => {
      for (let i = 0; i < count; i++) {
        const asset = { id: randomUUID(), shootId: shoot.id, relativePath: `IMG_${i}.jpg`, contentHash: `${name}${i}` };
        insertAsset(db, { ...asset, sizeBytes: 100, width: 10, height: 10 }, Date.now());
      }
    });
  }
  const pair = connectIpcPair(engine, silentLogger);
  cleanups.push(pair.dispose);
  const calls: string[] = [];
  const held: (() => void)[] = [];
  let holding: ((method: string, args: Record<string, unknown>) => boolean) | null = null;
  const bridge: ShootlineBridge = {
    invoke: async (method, args) => {
      const named = args as Record<string, unknown>;
      calls.push(`${method}${typeof named.shootId === 'string' ? `:${named.shootId}` : ''}`);
      if (holding?.(method, named)) await new Promise<void>((resolve) => held.push(resolve));
      return pair.bridge.invoke(method, args);
    },
    subscribe: (event, listener) => pair.bridge.subscribe(event, listener),
  };
  const client = new ApiClient(bridge);
  const store = createAppStore(client);
  cleanups.push(followEngineEvents(client, store));
  return {
    engine,
    store,
    calls,
    ids,
    /** Holds back the calls `which` picks until `release`. */
    hold: (which: (method: string, args: Record<string, unknown>) => boolean) => (holding = which),
    release: () => {
      holding = null;
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

/** Every photo of a shoot, in the grid's order, as the engine lists them. */
async function allPhotos(engine: Engine, shootId: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const limit = cursor === undefined ? ASSET_PAGES.first : ASSET_PAGES.rest;
    const page = await call(engine, 'assets.list', { shootId, sort: 'name', limit, cursor });
    pages += 1;
    ids.push(...page.assets.map((asset) => asset.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { ids, pages };
}

const count = (calls: readonly string[], call: string): number => calls.filter((made) => made === call).length;

describe('loading a shoot into the store', () => {
  it('shows the first page of photos while the others are still coming, and loads jobs and variants after them', async () => {
    const { engine, store, calls, ids, hold, release } = await setup({ Big: 2500 });
    const shootId = ids.Big ?? '';
    const all = await allPhotos(engine, shootId);
    hold((method, args) => method === 'assets.list' && args.cursor !== undefined);

    store.getState().openShoot(shootId);
    await vi.waitFor(() => expect(store.getState().assetsLoaded).toBe(true));
    // The thumbnails in view go first: nothing more is asked of the engine until the grid has them.
    expect(calls).toEqual([`assets.list:${shootId}`]);
    store.getState().thumbnailsShown();
    // The second page was asked for (and is held).
    await vi.waitFor(() => expect(calls).toEqual([`assets.list:${shootId}`, `assets.list:${shootId}`]));
    const early = store.getState();
    expect(early.assetsLoaded).toBe(true);
    expect(early.assetsComplete).toBe(false);
    expect(early.workLoaded).toBe(false);
    expect(early.assets.map((asset) => asset.id)).toEqual(all.ids.slice(0, ASSET_PAGES.first));

    // The grid can be culled meanwhile, and the pages that come after do not undo it.
    const first = all.ids[0] ?? '';
    await store.getState().cull([first], { pick: 'picked' });

    release();
    // Asking again (as the start after a reload and the grid both do) joins the load under way.
    await store.getState().loadShootContent(shootId);
    const done = store.getState();
    expect(done.assets.map((asset) => asset.id)).toEqual(all.ids);
    expect(done.assets[0]?.pick).toBe('picked');
    expect(done.assetsComplete).toBe(true);
    expect(done.workLoaded).toBe(true);
    expect(calls.filter((made) => made !== 'assets.cull')).toEqual([
      ...Array.from({ length: all.pages }, () => `assets.list:${shootId}`),
      `jobs.list:${shootId}`,
      `variants.list:${shootId}`,
    ]);
  });

  it('loads a shoot once per opening: not again for the grid, nor when coming back from a photo', async () => {
    const { store, calls, ids } = await setup({ Small: 3 });
    const shootId = ids.Small ?? '';
    const once = [`assets.list:${shootId}`, `jobs.list:${shootId}`, `variants.list:${shootId}`];

    // After a reload: the start (main.tsx) and the grid both ask for the open shoot. (No grid here
    // says its thumbnails are in: the jobs and variants come after a short wait all the same.)
    store.setState({ openShootId: shootId });
    await Promise.all([store.getState().loadShootContent(shootId), store.getState().loadShootContent(shootId)]);
    expect(calls).toEqual(once);

    // A click on the shoot in the list, with the grid asking as it appears.
    calls.splice(0);
    store.getState().openShoot(null);
    store.getState().openShoot(shootId);
    // Shown at once from what is known, while it is loaded afresh.
    expect(store.getState().assetsLoaded).toBe(true);
    await store.getState().loadShootContent(shootId);
    expect(calls).toEqual(once);

    calls.splice(0);
    store.getState().openAsset(store.getState().assets[1]?.id ?? null);
    store.getState().openAsset(null);
    expect(calls).toEqual([]);
  });

  it('stops loading a shoot the user left, and never writes it over the one opened since', async () => {
    const { store, calls, ids, hold, release } = await setup({ Big: 2500, Small: 3 });
    const big = ids.Big ?? '';
    const small = ids.Small ?? '';
    hold((method, args) => method === 'assets.list' && args.shootId === big && args.cursor !== undefined);

    store.getState().openShoot(big);
    const loadingBig = store.getState().loadShootContent(big);
    await vi.waitFor(() => expect(store.getState().assetsLoaded).toBe(true));
    store.getState().thumbnailsShown();
    await vi.waitFor(() => expect(count(calls, `assets.list:${big}`)).toBe(2));
    store.getState().openShoot(small);
    const loadingSmall = store.getState().loadShootContent(small);
    await vi.waitFor(() => expect(store.getState().assetsLoaded).toBe(true));
    store.getState().thumbnailsShown();
    await loadingSmall;
    release();
    await loadingBig;

    const state = store.getState();
    expect(state.assetsShootId).toBe(small);
    expect(state.assets).toHaveLength(3);
    expect(state.assets.every((asset) => asset.shootId === small)).toBe(true);
    expect(state.assetsComplete).toBe(true);
    // The big shoot's load stopped at the page that was under way.
    expect(count(calls, `assets.list:${big}`)).toBe(2);
    expect(count(calls, `jobs.list:${big}`)).toBe(0);
    expect(count(calls, `variants.list:${big}`)).toBe(0);
  });
});
