import type { StoreApi } from 'zustand/vanilla';
import { MAX_CULL_MARKS } from '../../../shared/api-review';
import type { Asset } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { AssetCull, Variant } from '../../../shared/jobs';
import type { ApiClient } from '../bridge/client';
import {
  EMPTY_HISTORY,
  asAssetMark,
  describePhotoChange,
  describeVariantChange,
  effectiveVariantChange,
  photoMarksBefore,
  recorded,
  replacedStep,
  returnedStep,
  takeRedo,
  takeUndo,
  variantMarksBefore,
  withoutStep,
  type CullChange,
  type MarkBatch,
  type MarksHistory,
  type PhotoMark,
  type VariantChange,
} from './marks-history';

export type { CullChange, VariantChange } from './marks-history';

/**
 * The editor's verdicts: flags and ratings on photos, picks, ratings and approval on variants, with
 * undo and redo a batch at a time, per shoot (Ctrl/⌘+Z never changes a shoot out of sight). Every
 * change is optimistic (the mark moves at once; an error puts it back and says why), is recorded the
 * moment it is made (so a fast Ctrl/⌘+Z takes back that one), and reaches the engine in the order it
 * was made. A change that changes nothing (P on a photo already picked, a held key) is not a step.
 */
export interface CullingSlice {
  /** Marks these photos: one batch for undo, one call per MAX_CULL_MARKS photos. */
  cull: (assetIds: readonly string[], change: CullChange) => Promise<void>;
  /** Marks one variant; `name` ("Variant 2") makes the flash and the undo step readable. */
  updateVariant: (id: string, change: VariantChange, name?: string) => Promise<void>;
  /** Applies another window's cull (the `assets.culled` event). */
  assetsCulled: (culled: readonly AssetCull[]) => void;
  /** Each shoot's steps ('' for marks made outside a shoot). */
  marksHistory: Record<string, MarksHistory>;
  undoMarks: () => Promise<void>;
  redoMarks: () => Promise<void>;
  /** A short line that says what a key just did (or why it did nothing); `seq` tells repeats apart. */
  flash: { text: string; seq: number } | null;
  say: (text: string) => void;
}

interface Needs {
  assets: Asset[];
  variantsByAsset: Record<string, Variant[]>;
  openShootId: string | null;
  error: string | null;
}

type Set<S> = StoreApi<S>['setState'];
type Get<S> = StoreApi<S>['getState'];

/** What became of a change sent to the engine: how many photos (from the start) it saved, and why it stopped. */
interface Sent {
  saved: number;
  error: unknown;
}

export function createCullingSlice<S extends CullingSlice & Needs>(
  client: ApiClient,
  set: Set<S>,
  get: Get<S>,
  report: (error: unknown) => void,
): CullingSlice {
  /** One pass over the photos, however many change (a cull of 5,000 must not copy the list 5,000 times). */
  const patchAssets = (marks: readonly PhotoMark[]): void => {
    if (marks.length === 0) return;
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

  /** Calls reach the engine one after another, in the order the user made the changes. */
  let queue: Promise<unknown> = Promise.resolve();
  const inOrder = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  /** Shows photo marks at once and sends them; marks the engine did not save are put back to `undo`. */
  const sendPhotoMarks = (marks: readonly PhotoMark[], undo: readonly PhotoMark[]): Promise<Sent> => {
    patchAssets(marks);
    return inOrder(async () => {
      let saved = 0;
      try {
        for (; saved < marks.length; saved += MAX_CULL_MARKS) {
          const chunk = marks.slice(saved, saved + MAX_CULL_MARKS).flatMap((mark) => asAssetMark(mark) ?? []);
          if (chunk.length > 0) patchAssets((await client.call('assets.cull', { marks: chunk })).culled);
        }
        return { saved: marks.length, error: null };
      } catch (error) {
        patchAssets(undo.slice(saved));
        report(error);
        return { saved, error };
      }
    });
  };

  const sendVariantMarks = (id: string, change: VariantChange, undo: VariantChange): Promise<Sent> => {
    const current = findVariant(id);
    if (current) patchVariant({ ...current, ...change });
    return inOrder(async () => {
      try {
        patchVariant(await client.call('variants.update', { id, ...change }));
        return { saved: 1, error: null };
      } catch (error) {
        const now = findVariant(id);
        if (now) patchVariant({ ...now, ...undo });
        report(error);
        return { saved: 0, error };
      }
    });
  };

  /** Puts a step's `before` (undo) or `after` (redo) marks in place. */
  const replay = (batch: MarkBatch, side: 'before' | 'after'): Promise<Sent> => {
    const other = side === 'before' ? 'after' : 'before';
    return batch.kind === 'photos'
      ? sendPhotoMarks(batch[side], batch[other])
      : sendVariantMarks(batch.id, batch[side], batch[other]);
  };

  const shootKey = (): string => get().openShootId ?? '';
  const editHistory = (key: string, change: (history: MarksHistory) => MarksHistory): void =>
    set(
      (state) =>
        ({
          marksHistory: { ...state.marksHistory, [key]: change(state.marksHistory[key] ?? EMPTY_HISTORY) },
        }) as Partial<S>,
    );

  let seq = 0;
  const say = (text: string): void => set({ flash: { text, seq: ++seq } } as Partial<S>);

  /** Undo or redo one step of the open shoot. */
  const step = async (direction: 'undo' | 'redo'): Promise<void> => {
    const key = shootKey();
    const history = get().marksHistory[key] ?? EMPTY_HISTORY;
    const taken = direction === 'undo' ? takeUndo(history) : takeRedo(history);
    if (!taken) {
      say(`Nothing to ${direction}`);
      return;
    }
    const { batch } = taken;
    editHistory(key, (current) => returnedStep(current, batch, direction === 'undo' ? 'redo' : 'undo'));
    say(`${direction === 'undo' ? 'Undone' : 'Redone'}: ${batch.label}`);
    const sent = await replay(batch, direction === 'undo' ? 'before' : 'after');
    if (sent.error === null) return;
    if (sent.error instanceof AppError && sent.error.code === 'not_found') {
      // What the step marked is gone (deleted meanwhile): it can never be undone, so it leaves the history.
      editHistory(key, (current) => withoutStep(current, batch));
      say(`${batch.label}: no longer in the library`);
    } else {
      editHistory(key, (current) => returnedStep(current, batch, direction));
      say(`Not ${direction === 'undo' ? 'undone' : 'redone'}: ${batch.label}`);
    }
  };

  return {
    cull: async (assetIds, change) => {
      const label = describePhotoChange(change, assetIds.length);
      const before = photoMarksBefore(get().assets, assetIds, change);
      say(label);
      if (before.length === 0) return; // every photo already has these marks: nothing to send or undo
      const after = before.map(({ id }) => ({ id, ...change }));
      const key = shootKey();
      const batch: MarkBatch = { kind: 'photos', label, before, after };
      editHistory(key, (history) => recorded(history, batch));
      const { saved, error } = await sendPhotoMarks(after, before);
      if (error === null) return;
      say(`Not saved: ${label}`);
      // Part of a cull of more than MAX_CULL_MARKS photos may have been saved: that part stays undoable.
      const kept: MarkBatch = { ...batch, before: before.slice(0, saved), after: after.slice(0, saved) };
      editHistory(key, (history) => (saved > 0 ? replacedStep(history, batch, kept) : withoutStep(history, batch)));
    },

    updateVariant: async (id, change, name = 'Variant') => {
      const current = findVariant(id);
      const effective = current ? effectiveVariantChange(current, change) : change;
      const label = `${name} · ${describeVariantChange(change)}`;
      say(label);
      if (Object.keys(effective).length === 0) return;
      const before = current ? variantMarksBefore(current, effective) : {};
      const key = shootKey();
      const batch: MarkBatch = { kind: 'variant', label, id, before, after: effective };
      if (current) editHistory(key, (history) => recorded(history, batch));
      const { error } = await sendVariantMarks(id, effective, before);
      if (error === null) return;
      say(`Not saved: ${label}`);
      editHistory(key, (history) => withoutStep(history, batch));
    },

    assetsCulled: (culled) => patchAssets(culled),

    marksHistory: {},
    undoMarks: () => step('undo'),
    redoMarks: () => step('redo'),

    flash: null,
    say,
  };
}
