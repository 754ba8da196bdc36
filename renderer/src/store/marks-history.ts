import type { AssetMark } from '../../../shared/api-review';
import type { Asset } from '../../../shared/domain';
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
  | { kind: 'photos'; label: string; before: AssetMark[]; after: AssetMark[] }
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

/** Each photo's marks now, limited to the fields a change touches (what undo puts back). */
export function photoMarksBefore(assets: readonly Asset[], ids: readonly string[], change: CullChange): AssetMark[] {
  const byId = new Map(assets.map((asset) => [asset.id, asset]));
  return ids.flatMap((id) => {
    const asset = byId.get(id);
    if (!asset) return [];
    return [
      {
        id,
        ...(change.pick !== undefined ? { pick: asset.pick } : {}),
        ...(change.rating !== undefined ? { rating: asset.rating } : {}),
      },
    ];
  });
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
