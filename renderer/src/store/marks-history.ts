import type { AssetMark } from '../../../shared/api-review';
import type { Asset } from '../../../shared/domain';

/** A photo's marks as the UI handles them (the API's AssetMark, built by asAssetMark, needs at least one). */
export interface PhotoMark {
  id: string;
  pick?: Asset['pick'];
  rating?: number;
}

/** The API's form of a photo mark; null for a mark that changes nothing. */
export function asAssetMark({ id, pick, rating }: PhotoMark): AssetMark | null {
  if (pick !== undefined) return rating === undefined ? { id, pick } : { id, pick, rating };
  return rating === undefined ? null : { id, rating };
}
import type { Variant } from '../../../shared/jobs';

/** A variant's marks that undo covers. */
export interface VariantChange {
  pick?: Variant['pick'];
  rating?: number;
  approved?: boolean;
}

/** A photo's marks that undo covers. */
export interface CullChange {
  pick?: Asset['pick'];
  rating?: number;
}

/**
 * One undoable step, as the user made it: a key on a selection of photos (one batch, however many
 * photos), or one change to one variant. `before` holds exactly the fields `after` changes.
 */
export type MarkBatch =
  | { kind: 'photos'; label: string; before: PhotoMark[]; after: PhotoMark[] }
  | { kind: 'variant'; label: string; id: string; before: VariantChange; after: VariantChange };

export interface MarksHistory {
  undo: readonly MarkBatch[];
  redo: readonly MarkBatch[];
}

export const EMPTY_HISTORY: MarksHistory = { undo: [], redo: [] };

/** How many steps back Ctrl/⌘+Z reaches. */
export const HISTORY_LIMIT = 200;

/** A new step: it can be undone, and what was undone before it can no longer be redone. */
export function recorded(history: MarksHistory, batch: MarkBatch): MarksHistory {
  return { undo: [...history.undo, batch].slice(-HISTORY_LIMIT), redo: [] };
}

/** The history without this step (a change the engine refused, or one whose photos are gone). */
export function withoutStep(history: MarksHistory, batch: MarkBatch): MarksHistory {
  return { undo: history.undo.filter((step) => step !== batch), redo: history.redo.filter((step) => step !== batch) };
}

/** The history with `batch` replaced by `next` where it stands (part of a large cull was saved). */
export function replacedStep(history: MarksHistory, batch: MarkBatch, next: MarkBatch): MarksHistory {
  const swap = (steps: readonly MarkBatch[]) => steps.map((step) => (step === batch ? next : step));
  return { undo: swap(history.undo), redo: swap(history.redo) };
}

/** Puts a step back on the stack it was taken from (an undo or redo the engine refused), newest first. */
export function returnedStep(history: MarksHistory, batch: MarkBatch, to: 'undo' | 'redo'): MarksHistory {
  const rest = withoutStep(history, batch);
  return to === 'undo' ? { ...rest, undo: [...rest.undo, batch] } : { ...rest, redo: [...rest.redo, batch] };
}

/** The step undo would take back, and the history once it has. */
export function takeUndo(history: MarksHistory): { batch: MarkBatch; history: MarksHistory } | null {
  const batch = history.undo.at(-1);
  if (!batch) return null;
  return { batch, history: { undo: history.undo.slice(0, -1), redo: [...history.redo, batch] } };
}

/** The step redo would make again, and the history once it has. */
export function takeRedo(history: MarksHistory): { batch: MarkBatch; history: MarksHistory } | null {
  const batch = history.redo.at(-1);
  if (!batch) return null;
  return { batch, history: { undo: [...history.undo, batch], redo: history.redo.slice(0, -1) } };
}

/**
 * Each photo's marks now, limited to the fields a change touches (what undo puts back); photos the
 * change would leave as they are (P on a photo already picked) are left out.
 */
export function photoMarksBefore(assets: readonly Asset[], ids: readonly string[], change: CullChange): PhotoMark[] {
  const byId = new Map(assets.map((asset) => [asset.id, asset]));
  return ids.flatMap((id) => {
    const asset = byId.get(id);
    if (!asset) return [];
    const same =
      (change.pick === undefined || change.pick === asset.pick) &&
      (change.rating === undefined || change.rating === asset.rating);
    if (same) return [];
    return [
      {
        id,
        ...(change.pick !== undefined ? { pick: asset.pick } : {}),
        ...(change.rating !== undefined ? { rating: asset.rating } : {}),
      },
    ];
  });
}

/** The part of a change that would change something on this variant (P on a picked variant: nothing). */
export function effectiveVariantChange(variant: Variant, change: VariantChange): VariantChange {
  return {
    ...(change.pick !== undefined && change.pick !== variant.pick ? { pick: change.pick } : {}),
    ...(change.rating !== undefined && change.rating !== variant.rating ? { rating: change.rating } : {}),
    ...(change.approved !== undefined && change.approved !== variant.approved ? { approved: change.approved } : {}),
  };
}

/** A variant's marks now, limited to the fields a change touches. */
export function variantMarksBefore(variant: Variant, change: VariantChange): VariantChange {
  return {
    ...(change.pick !== undefined ? { pick: variant.pick } : {}),
    ...(change.rating !== undefined ? { rating: variant.rating } : {}),
    ...(change.approved !== undefined ? { approved: variant.approved } : {}),
  };
}

const PICK_WORDS: Record<Asset['pick'], string> = { picked: 'Picked', rejected: 'Rejected', none: 'Unflagged' };

/** "Rejected 3 photos", "Rated 1 photo ★★★★": what the flash says and what undo names. */
export function describePhotoChange(change: CullChange, count: number): string {
  const photos = `${count} photo${count === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (change.pick !== undefined) parts.push(`${PICK_WORDS[change.pick]} ${photos}`);
  if (change.rating !== undefined) {
    parts.push(
      change.rating === 0
        ? `${parts.length > 0 ? 'cleared the rating' : `Cleared the rating of ${photos}`}`
        : `${parts.length > 0 ? 'rated' : `Rated ${photos}`} ${'★'.repeat(change.rating)}`,
    );
  }
  return parts.join(', ');
}

/** "Picked", "Approved", "★★★": how a variant change reads after the variant's name. */
export function describeVariantChange(change: VariantChange): string {
  const parts: string[] = [];
  if (change.pick !== undefined) parts.push(PICK_WORDS[change.pick]);
  if (change.rating !== undefined) parts.push(change.rating === 0 ? 'rating cleared' : '★'.repeat(change.rating));
  if (change.approved !== undefined) parts.push(change.approved ? 'Approved' : 'Approval removed');
  return parts.join(', ');
}
