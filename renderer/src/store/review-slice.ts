import { inputAssetId } from '../../../shared/job-inputs';
import type { StoreApi } from 'zustand/vanilla';
import type { Asset } from '../../../shared/domain';
import type { Job, Variant } from '../../../shared/jobs';
import type { ApiClient } from '../bridge/client';
import type { MaskPurpose } from '../../../shared/mask';
import { EMPTY_SELECTION, selectOnly, type SelectionState } from '../components/grid/selection';
import type { CompareMode, StartZoom } from '../components/compare/viewport';
import { createShootLoader, type AssetSort, type LoadOptions, type ShootContent } from './shoot-content';

export type { AssetSort } from './shoot-content';
export type AssetFilter =
  'all' | 'picked' | 'unflagged' | 'rejected' | 'rated' | 'approved' | 'errors' | 'with-variants';

/**
 * The shoot being reviewed: its photos, the jobs and variants made from them, and what is open.
 * Loaded when a shoot opens, kept current by engine events, so a badge changes the moment a job
 * does. Culling and rating are optimistic: the control moves at once; an error puts it back.
 */
export interface ReviewSlice extends ShootContent {
  openShootId: string | null;
  openAssetId: string | null;
  /** Opens a shoot (null: back to the list) and loads it, once: coming back from a photo is no opening. */
  openShoot: (shootId: string | null) => void;
  openAsset: (assetId: string | null) => void;
  /** The mask being painted, on the open photo (null: the photo view shows its variants). */
  /** `opened` counts openings: opening the same mask again (after an import) reloads the editor. */
  maskEditor: { assetId: string; purpose: MaskPurpose; maskId?: string; opened: number } | null;
  /** Opens a photo (of the shoot, if given) in the mask editor for that purpose. */
  paintMask: (assetId: string, purpose: MaskPurpose, shootId?: string, maskId?: string) => void;
  closeMaskEditor: () => void;
  /** The editor has strokes not saved: leaving the photo asks first (see leaveMaskEditor). */
  maskUnsaved: boolean;
  setMaskUnsaved: (unsaved: boolean) => void;

  filter: AssetFilter;
  setSort: (sort: AssetSort) => void;
  setFilter: (filter: AssetFilter) => void;
  /**
   * Loads a shoot's photos, then its jobs and variants (see shoot-content.ts); resolves when all are
   * in. Joins a load of the same shoot already under way, unless `refresh` asks for a fresh one.
   */
  loadShootContent: (shootId: string, options?: LoadOptions) => Promise<void>;
  assetChanged: (asset: Asset) => void;
  /** Turns a photo in quarter turns (its EXIF orientation was wrong); its masks turn with it. */
  turnPhoto: (assetId: string, by: 1 | -1) => Promise<void>;
  /** Places a photo's export crop (null: back to the middle). */
  placeCrop: (assetId: string, focus: { x: number; y: number } | null) => Promise<void>;
  /** Each shoot's grid selection, kept while the user looks elsewhere (a photo, another shoot). */
  selections: Record<string, SelectionState>;
  setSelection: (shootId: string, selection: SelectionState) => void;
  /** How the photo view compares, kept while moving between photos (and across reloads). */
  compareMode: CompareMode;
  setCompareMode: (mode: CompareMode) => void;
  /** The info panel (I) beside the grid and the photo view. */
  infoOpen: boolean;
  toggleInfo: () => void;
  /** Fit, or a zoom percentage (100 is 1:1), kept while moving between photos. */
  photoZoom: PhotoZoom;
  setPhotoZoom: (zoom: PhotoZoom) => void;

  jobChanged: (job: Job) => void;
  variantChanged: (variant: Variant) => void;
}

export type PhotoZoom = StartZoom;

interface Shared {
  error: string | null;
}

type Set<S> = StoreApi<S>['setState'];
type Get<S> = StoreApi<S>['getState'];

export function createReviewSlice<S extends ReviewSlice & Shared>(
  client: ApiClient,
  set: Set<S>,
  get: Get<S>,
  report: (error: unknown) => void,
): ReviewSlice {
  const patchVariant = (variant: Variant): void =>
    set((state) => {
      const key = variant.assetId ?? '';
      const list = state.variantsByAsset[key] ?? [];
      const next = list.some((known) => known.id === variant.id)
        ? list.map((known) => (known.id === variant.id ? variant : known))
        : [...list, variant];
      return { variantsByAsset: { ...state.variantsByAsset, [key]: next } } as Partial<S>;
    });

  const loader = createShootLoader<S>(client, set, get, report);

  return {
    openShootId: null,
    openAssetId: null,
    openShoot: (shootId) => {
      if (!leaveMaskEditor(get())) return;
      const opening = shootId !== get().openShootId;
      set({ openShootId: shootId, openAssetId: null, maskEditor: null } as Partial<S>);
      // Shown at once from what is known of it (if anything), and loaded fresh behind that.
      if (shootId && opening) void get().loadShootContent(shootId);
    },
    openAsset: (assetId) => {
      if (!leaveMaskEditor(get())) return;
      const { openAssetId: leaving, openShootId: shootId } = get();
      set({ openAssetId: assetId, maskEditor: null } as Partial<S>);
      // Back in the grid, the photo the user was looking at is the one in focus (as in Lightroom).
      if (assetId === null && leaving && shootId) {
        const selection = get().selections[shootId] ?? EMPTY_SELECTION;
        get().setSelection(shootId, returnTo(selection, leaving));
      }
    },
    maskEditor: null,
    paintMask: (assetId, purpose, shootId, maskId) => {
      if (shootId && get().openShootId !== shootId) get().openShoot(shootId);
      if (!leaveMaskEditor(get())) return;
      const opened = (get().maskEditor?.opened ?? 0) + 1;
      set({
        openAssetId: assetId,
        maskEditor: { assetId, purpose, opened, ...(maskId ? { maskId } : {}) },
      } as Partial<S>);
    },
    closeMaskEditor: () => set({ maskEditor: null, maskUnsaved: false } as Partial<S>),
    maskUnsaved: false,
    setMaskUnsaved: (unsaved) => set({ maskUnsaved: unsaved } as Partial<S>),

    assets: [],
    assetsShootId: null,
    assetsLoaded: false,
    assetsComplete: false,
    workLoaded: false,
    sort: 'name',
    filter: 'all',
    setSort: (sort) => {
      set({ sort } as Partial<S>);
      const shootId = get().openShootId;
      if (shootId) void get().loadShootContent(shootId);
    },
    setFilter: (filter) => set({ filter } as Partial<S>),

    loadShootContent: loader.load,
    thumbnailsShown: loader.thumbnailsShown,

    assetChanged: (asset) => {
      if (asset.shootId !== get().assetsShootId) return;
      set((state) => {
        const known = state.assets.some((candidate) => candidate.id === asset.id);
        return {
          assets: known
            ? state.assets.map((candidate) => (candidate.id === asset.id ? asset : candidate))
            : [...state.assets, asset],
        } as Partial<S>;
      });
    },

    turnPhoto: async (assetId, by) => {
      try {
        get().assetChanged((await client.call('assets.turn', { id: assetId, by })).asset);
      } catch (error) {
        report(error);
      }
    },
    placeCrop: async (assetId, focus) => {
      try {
        get().assetChanged(await client.call('assets.setCropFocus', { id: assetId, focus }));
      } catch (error) {
        report(error);
      }
    },

    selections: {},
    setSelection: (shootId, selection) =>
      set((state) => ({ selections: { ...state.selections, [shootId]: selection } }) as Partial<S>),
    compareMode: 'slider',
    setCompareMode: (compareMode) => set({ compareMode } as Partial<S>),
    infoOpen: false,
    toggleInfo: () => set((state) => ({ infoOpen: !state.infoOpen }) as Partial<S>),
    photoZoom: { fitted: true },
    setPhotoZoom: (photoZoom) => set({ photoZoom } as Partial<S>),

    jobsByAsset: {},
    shootJobs: [],
    jobChanged: (job) => {
      if (job.shootId !== get().assetsShootId) return;
      const assetId = inputAssetId(job.inputs);
      set((state) => {
        if (!assetId) {
          const known = state.shootJobs.some((candidate) => candidate.id === job.id);
          return {
            shootJobs: known
              ? state.shootJobs.map((candidate) => (candidate.id === job.id ? job : candidate))
              : [...state.shootJobs, job],
          } as Partial<S>;
        }
        const list = state.jobsByAsset[assetId] ?? [];
        const next = list.some((candidate) => candidate.id === job.id)
          ? list.map((candidate) => (candidate.id === job.id ? job : candidate))
          : [...list, job];
        return { jobsByAsset: { ...state.jobsByAsset, [assetId]: next } } as Partial<S>;
      });
    },

    variantsByAsset: {},
    variantChanged: (variant) => {
      const known = Object.values(get().variantsByAsset).some((list) => list.some((item) => item.id === variant.id));
      // A result with no photo of its own (made from a prompt) belongs to the shoot of the job that made it.
      const fromThisShoot = variant.assetId
        ? get().assets.some((asset) => asset.id === variant.assetId)
        : get().shootJobs.some((job) => job.id === variant.jobId);
      if (known || fromThisShoot) patchVariant(variant);
    },
  };
}

/** The photos to show, filtered as the user asked (sorting is the engine's, by `assets.list`). */
export function visibleAssets(
  assets: readonly Asset[],
  filter: AssetFilter,
  variantsByAsset: Record<string, Variant[]>,
): Asset[] {
  switch (filter) {
    case 'all':
      return [...assets];
    case 'picked':
      return assets.filter((asset) => asset.pick === 'picked');
    case 'unflagged':
      return assets.filter((asset) => asset.pick === 'none');
    case 'rejected':
      return assets.filter((asset) => asset.pick === 'rejected');
    case 'rated':
      return assets.filter((asset) => asset.rating > 0);
    case 'approved':
      return assets.filter((asset) => approvedCount(variantsByAsset[asset.id]) > 0);
    case 'errors':
      return assets.filter((asset) => asset.state === 'error' || asset.state === 'missing');
    case 'with-variants':
      return assets.filter((asset) => (variantsByAsset[asset.id]?.length ?? 0) > 0);
  }
}

/** The window's; declared here because the store is also compiled (and tested) with Node's types, which lack it. */
declare function confirm(message: string): boolean;

/**
 * May the view move away from the mask editor? Yes when nothing is unsaved, or the user agrees to
 * discard the strokes (a section key, the sidebar, another shoot would otherwise drop them silently).
 */
export function leaveMaskEditor(state: Pick<ReviewSlice, 'maskEditor' | 'maskUnsaved'>): boolean {
  if (!state.maskEditor || !state.maskUnsaved) return true;
  return confirm('This mask has strokes that are not saved. Leave and discard them?');
}

/** How many of a photo's variants are approved (for export, videos and publishing). */
export function approvedCount(variants: readonly Variant[] | undefined): number {
  return variants?.reduce((count, variant) => count + (variant.approved ? 1 : 0), 0) ?? 0;
}

/** The grid's selection on coming back from a photo: that photo focused, kept in a selection that has it. */
function returnTo(selection: SelectionState, assetId: string): SelectionState {
  if (selection.selected.has(assetId)) return { ...selection, focus: assetId };
  return selectOnly(selection, assetId);
}
