import type { StoreApi } from 'zustand/vanilla';
import { MAX_CULL_MARKS, type AssetMark } from '../../../shared/api-review';
import type { Asset } from '../../../shared/domain';
import type { AssetCull, Variant } from '../../../shared/jobs';
import type { ApiClient } from '../bridge/client';
import {
  EMPTY_HISTORY,
  describePhotoChange,
  describeVariantChange,
  photoMarksBefore,
  recorded,
  takeRedo,
  takeUndo,
  variantMarksBefore,
  type CullChange,
  type MarkBatch,
  type MarksHistory,
  type VariantChange,
} from './marks-history';

export type { CullChange, VariantChange } from './marks-history';

/**
 * The editor's verdicts: flags and ratings on photos, picks, ratings and approval on variants, with
 * undo and redo a batch at a time. Every change is optimistic (the mark moves at once; an error
 * puts it back and says why), and every change says what it did in the flash.
 */
export interface CullingSlice {
  /** Marks these photos: one batch for undo, one call per MAX_CULL_MARKS photos. */
  cull: (assetIds: readonly string[], change: CullChange) => Promise<void>;
  /** Marks one variant; `name` ("Variant 2") makes the flash and the undo step readable. */
  updateVariant: (id: string, change: VariantChange, name?: string) => Promise<void>;
  /** Applies another window's cull (the `assets.culled` event). */
  assetsCulled: (culled: readonly AssetCull[]) => void;
  marksHistory: MarksHistory;
  undoMarks: () => Promise<void>;
  redoMarks: () => Promise<void>;
  /** A short line that says what a key just did (or why it did nothing); `seq` tells repeats apart. */
  flash: { text: string; seq: number } | null;
  say: (text: string) => void;
}

interface Needs {
  assets: Asset[];
  variantsByAsset: Record<string, Variant[]>;
  error: string | null;
}

type Set<S> = StoreApi<S>['setState'];
type Get<S> = StoreApi<S>['getState'];

export function createCullingSlice<S extends CullingSlice & Needs>(
  client: ApiClient,
  set: Set<S>,
  get: Get<S>,
  report: (error: unknown) => void,
): CullingSlice {
  /** One pass over the photos, however many change (a cull of 5,000 must not copy the list 5,000 times). */
  const patchAssets = (marks: readonly AssetMark[]): void => {
    const byId = new Map(marks.map((mark) => [mark.id, mark]));
    set(
      (state) =>
        ({
          assets: state.assets.map((asset) => {
            const mark = byId.get(asset.id);
            if (!mark) return asset;
            const pick = mark.pick ?? asset.pick;
            const rating = mark.rating ?? asset.rating;
            return pick === asset.pick && rating === asset.rating ? asset : { ...asset, pick, rating };
          }),
        }) as Partial<S>,
    );
  };

  const findVariant = (id: string): Variant | undefined =>
    Object.values(get().variantsByAsset)
      .flat()
      .find((variant) => variant.id === id);

  const patchVariant = (variant: Variant): void =>
    set((state) => {
      const key = variant.assetId ?? '';
      const list = state.variantsByAsset[key] ?? [];
      return {
        variantsByAsset: {
          ...state.variantsByAsset,
          [key]: list.map((known) => (known.id === variant.id ? variant : known)),
        },
      } as Partial<S>;
    });

  /** Sends photo marks (optimistically); on failure puts `undo` back. True when the engine took them. */
  const sendPhotoMarks = async (marks: readonly AssetMark[], undo: readonly AssetMark[]): Promise<boolean> => {
    patchAssets(marks);
    try {
      for (let start = 0; start < marks.length; start += MAX_CULL_MARKS) {
        const result = await client.call('assets.cull', { marks: marks.slice(start, start + MAX_CULL_MARKS) });
        patchAssets(result.culled);
      }
      return true;
    } catch (error) {
      patchAssets(undo);
      report(error);
      return false;
    }
  };

  const sendVariantMarks = async (id: string, change: VariantChange): Promise<boolean> => {
    const current = findVariant(id);
    if (current) patchVariant({ ...current, ...change });
    try {
      patchVariant(await client.call('variants.update', { id, ...change }));
      return true;
    } catch (error) {
      if (current) patchVariant(current);
      report(error);
      return false;
    }
  };

  /** Puts a step's `before` (undo) or `after` (redo) marks in place. */
  const replay = (batch: MarkBatch, side: 'before' | 'after'): Promise<boolean> =>
    batch.kind === 'photos'
      ? sendPhotoMarks(batch[side], batch[side === 'before' ? 'after' : 'before'])
      : sendVariantMarks(batch.id, batch[side]);

  let seq = 0;
  const say = (text: string): void => set({ flash: { text, seq: ++seq } } as Partial<S>);

  /** Undo or redo one step; a step the engine refuses stays where it was (its marks are still in place). */
  const step = async (direction: 'undo' | 'redo'): Promise<void> => {
    const history = get().marksHistory;
    const taken = direction === 'undo' ? takeUndo(history) : takeRedo(history);
    if (!taken) {
      say(`Nothing to ${direction}`);
      return;
    }
    set({ marksHistory: taken.history } as Partial<S>);
    say(`${direction === 'undo' ? 'Undone' : 'Redone'}: ${taken.batch.label}`);
    if (!(await replay(taken.batch, direction === 'undo' ? 'before' : 'after'))) {
      set({ marksHistory: history } as Partial<S>);
    }
  };

  return {
    cull: async (assetIds, change) => {
      const before = photoMarksBefore(get().assets, assetIds, change);
      if (before.length === 0) return;
      const after = before.map(({ id }) => ({ id, ...change }));
      const label = describePhotoChange(change, after.length);
      say(label);
      if (await sendPhotoMarks(after, before)) {
        set(
          (state) =>
            ({ marksHistory: recorded(state.marksHistory, { kind: 'photos', label, before, after }) }) as Partial<S>,
        );
      }
    },

    updateVariant: async (id, change, name = 'Variant') => {
      const current = findVariant(id);
      const label = `${name} · ${describeVariantChange(change)}`;
      say(label);
      if (!(await sendVariantMarks(id, change)) || !current) return;
      const batch: MarkBatch = {
        kind: 'variant',
        label,
        id,
        before: variantMarksBefore(current, change),
        after: change,
      };
      set((state) => ({ marksHistory: recorded(state.marksHistory, batch) }) as Partial<S>);
    },

    assetsCulled: (culled) => patchAssets(culled),

    marksHistory: EMPTY_HISTORY,
    undoMarks: () => step('undo'),
    redoMarks: () => step('redo'),

    flash: null,
    say,
  };
}
