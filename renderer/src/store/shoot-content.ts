import { inputAssetId } from '../../../shared/job-inputs';
import type { StoreApi } from 'zustand/vanilla';
import type { Asset } from '../../../shared/domain';
import type { Job, Variant } from '../../../shared/jobs';
import type { ApiClient } from '../bridge/client';

export type AssetSort = 'name' | 'captured' | 'added';

/** What loading a shoot reads and writes in the store. */
export interface ShootContent {
  sort: AssetSort;
  /** The open shoot's photos, in the engine's order (`sort`); photos only events told of come last. */
  assets: Asset[];
  /** The shoot `assets`, `jobsByAsset` and `variantsByAsset` are of (or being loaded for). */
  assetsShootId: string | null;
  /** The grid can be shown: the first page of photos is in (the rest may still be coming). */
  assetsLoaded: boolean;
  /** Every photo is in `assets`: what needs the whole shoot (run on picks, "no longer in the shoot") waits for this. */
  assetsComplete: boolean;
  /** Jobs per source photo, newest last. */
  jobsByAsset: Record<string, Job[]>;
  /** Jobs on the whole shoot (videos, publishing). */
  shootJobs: Job[];
  variantsByAsset: Record<string, Variant[]>;
  /** The shoot's jobs and variants are in (they load after its photos: badges come a moment after the thumbnails). */
  workLoaded: boolean;
  /**
   * The grid says the thumbnails in view are in (or could not be had). The rest of a shoot opened
   * afresh waits for them (or for FIRST_THUMBNAILS_MS), so as not to hold them up at the engine.
   */
  thumbnailsShown: () => void;
}

export interface LoadOptions {
  /** Start afresh even when a load of this shoot is under way (its content changed since that load began). */
  refresh?: boolean;
}

type Set<S> = StoreApi<S>['setState'];
type Get<S> = StoreApi<S>['getState'];

/**
 * Photos per `assets.list` call: the first page a screenful and more (a big grid shows about 60
 * cells), so the first paint waits for little; then pages large enough to bring a shoot in few calls.
 */
export const ASSET_PAGES = { first: 200, rest: 1000 } as const;
const JOB_PAGE = 500;
const MAX_ASSETS = 50_000;
/** The longest the rest of a shoot waits for the grid's first thumbnails (a view with no grid never says). */
const FIRST_THUMBNAILS_MS = 600;

/**
 * Loads a shoot's content: its photos page by page, each page shown as it arrives (the grid paints
 * after the first; the next waits for the thumbnails in view, see `thumbnailsShown`), then its jobs
 * and variants, which only add badges. One load per shoot and sort at a time: asking again while
 * one is under way joins it. A newer load (another shoot, another sort, a refresh) supersedes an
 * older one, which stops and writes nothing more.
 */
export function createShootLoader<S extends ShootContent & { openAssetId: string | null }>(
  client: ApiClient,
  set: Set<S>,
  get: Get<S>,
  report: (error: unknown) => void,
): Pick<ShootContent, 'thumbnailsShown'> & { load: (shootId: string, options?: LoadOptions) => Promise<void> } {
  let generation = 0;
  let running: { shootId: string; sort: AssetSort; generation: number; done: Promise<void> } | null = null;
  let thumbnailsIn: (() => void) | null = null;

  /** Until the grid's first thumbnails are in, or FIRST_THUMBNAILS_MS. */
  const firstThumbnails = (): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, FIRST_THUMBNAILS_MS);
      function done(): void {
        clearTimeout(timer);
        if (thumbnailsIn === done) thumbnailsIn = null;
        resolve();
      }
      thumbnailsIn = done;
    });

  /** Loads every page of photos; false when a newer load took over meanwhile. */
  const loadAssets = async (
    shootId: string,
    sort: AssetSort,
    current: () => boolean,
    /** The grid is about to show this shoot for the first time: let its thumbnails go first. */
    firstShown: boolean,
  ): Promise<boolean> => {
    // How many photos at the head of `assets` came from this load's pages: later pages go after them.
    let fromPages = 0;
    let count = 0;
    let cursor: string | undefined;
    for (;;) {
      const limit = cursor === undefined ? ASSET_PAGES.first : ASSET_PAGES.rest;
      const page = await client.call('assets.list', { shootId, sort, limit, cursor });
      if (!current()) return false;
      cursor = page.nextCursor ?? undefined;
      count += page.assets.length;
      const last = !cursor || count >= MAX_ASSETS;
      set((state) => {
        // Before the first page: photos events told of (and, on a reload, the photos shown until now).
        const own = state.assets.filter((asset) => asset.shootId === shootId);
        const head = own.slice(0, fromPages);
        const known = new Set(head.map((asset) => asset.id));
        const fresh = page.assets.filter((asset) => !known.has(asset.id));
        fromPages = head.length + fresh.length;
        // Events that arrived while the page loaded are newer than what the page says: keep them.
        return {
          assets: [...head, ...newest(fresh, own.slice(head.length))],
          assetsLoaded: true,
          ...(last ? { assetsComplete: true } : {}),
        } as Partial<S>;
      });
      if (firstShown && count === page.assets.length && count > 0 && get().openAssetId === null) {
        await firstThumbnails();
        if (!current()) return false;
      }
      if (last) return true;
    }
  };

  /** Every job of the shoot, or null when a newer load took over meanwhile. */
  const loadJobs = async (shootId: string, current: () => boolean): Promise<Job[] | null> => {
    const jobs: Job[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.call('jobs.list', { shootId, limit: JOB_PAGE, cursor });
      if (!current()) return null;
      jobs.push(...page.jobs);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && jobs.length < MAX_ASSETS);
    return jobs;
  };

  const loadWork = async (shootId: string, current: () => boolean): Promise<void> => {
    const [jobs, variants] = await Promise.all([loadJobs(shootId, current), client.call('variants.list', { shootId })]);
    if (!jobs || !current()) return;
    // As with photos, jobs and variants events told of meanwhile are newer than the lists.
    const state = get();
    const knownJobs = [...Object.values(state.jobsByAsset).flat(), ...state.shootJobs].filter(
      (job) => job.shootId === shootId,
    );
    const jobsByAsset: Record<string, Job[]> = {};
    const shootJobs: Job[] = [];
    for (const job of newest(jobs, knownJobs).sort((a, b) => a.createdAt - b.createdAt)) {
      const assetId = inputAssetId(job.inputs);
      if (assetId) (jobsByAsset[assetId] ??= []).push(job);
      else shootJobs.push(job);
    }
    const variantsByAsset: Record<string, Variant[]> = {};
    const knownVariants = Object.values(state.variantsByAsset).flat();
    const shootAssets = new Set(state.assets.filter((asset) => asset.shootId === shootId).map((asset) => asset.id));
    for (const variant of newest(
      variants,
      knownVariants.filter((variant) => shootAssets.has(variant.assetId ?? '')),
    )) {
      (variantsByAsset[variant.assetId ?? ''] ??= []).push(variant);
    }
    set({ jobsByAsset, shootJobs, variantsByAsset, workLoaded: true } as Partial<S>);
  };

  const load = async (shootId: string, sort: AssetSort, mine: number): Promise<void> => {
    const current = (): boolean => generation === mine;
    const firstShown = get().assetsShootId !== shootId || !get().assetsLoaded;
    if (get().assetsShootId !== shootId) {
      // Another shoot's content goes at once; the same shoot's stays shown while it is loaded afresh.
      const empty: Omit<ShootContent, 'sort' | 'thumbnailsShown'> = {
        assetsShootId: shootId,
        assets: [],
        assetsLoaded: false,
        assetsComplete: false,
        jobsByAsset: {},
        shootJobs: [],
        variantsByAsset: {},
        workLoaded: false,
      };
      set(empty as Partial<S>);
    }
    try {
      // The photos first: the jobs and variants only add badges, and would hold the rest of the grid back.
      if (await loadAssets(shootId, sort, current, firstShown)) await loadWork(shootId, current);
    } catch (error) {
      if (current()) report(error);
    }
  };

  return {
    load: (shootId, options = {}) => {
      const sort = get().sort;
      if (!options.refresh && running && running.shootId === shootId && running.sort === sort) return running.done;
      const mine = ++generation;
      const done = load(shootId, sort, mine).finally(() => {
        if (running?.generation === mine) running = null;
      });
      running = { shootId, sort, generation: mine, done };
      return done;
    },
    thumbnailsShown: () => thumbnailsIn?.(),
  };
}

/** `loaded` in its order, each replaced by a newer copy from `live` (events); ones only in `live` appended. */
function newest<T extends { id: string; updatedAt: number }>(loaded: readonly T[], live: readonly T[]): T[] {
  const fresh = new Map(live.map((item) => [item.id, item]));
  const result = loaded.map((item) => {
    const other = fresh.get(item.id);
    fresh.delete(item.id);
    return other && other.updatedAt > item.updatedAt ? other : item;
  });
  return [...result, ...fresh.values()];
}
