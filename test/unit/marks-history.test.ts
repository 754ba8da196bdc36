import { describe, expect, it } from 'vitest';
import type { Asset } from '../../shared/domain';
import type { Variant } from '../../shared/jobs';
import {
  EMPTY_HISTORY,
  HISTORY_LIMIT,
  describePhotoChange,
  describeVariantChange,
  photoMarksBefore,
  recorded,
  takeRedo,
  takeUndo,
  variantMarksBefore,
  type MarkBatch,
} from '../../renderer/src/store/marks-history';

const photo = (id: string, pick: Asset['pick'], rating: number): Asset => ({ id, pick, rating }) as unknown as Asset;

const batch = (label: string): MarkBatch => ({ kind: 'photos', label, before: [], after: [] });

describe('the marks history behind Ctrl/⌘+Z', () => {
  it('undoes the newest step first, redoes it back, and forgets the redo once something new is done', () => {
    let history = recorded(recorded(EMPTY_HISTORY, batch('first')), batch('second'));
    const undone = takeUndo(history);
    expect(undone?.batch.label).toBe('second');
    history = undone?.history ?? history;
    expect(takeUndo(history)?.batch.label).toBe('first');
    const redone = takeRedo(history);
    expect(redone?.batch.label).toBe('second');
    expect(redone?.history.undo.map((step) => step.label)).toEqual(['first', 'second']);

    history = recorded(history, batch('third'));
    expect(takeRedo(history)).toBeNull();
    expect(history.undo.map((step) => step.label)).toEqual(['first', 'third']);
    expect(takeUndo(EMPTY_HISTORY)).toBeNull();
  });

  it('keeps the last HISTORY_LIMIT steps', () => {
    let history = EMPTY_HISTORY;
    for (let step = 0; step < HISTORY_LIMIT + 5; step++) history = recorded(history, batch(`step ${step}`));
    expect(history.undo).toHaveLength(HISTORY_LIMIT);
    expect(history.undo[0]?.label).toBe('step 5');
  });

  it('remembers of each photo exactly the fields the change touches, and skips photos it does not know', () => {
    const assets = [photo('a', 'picked', 3), photo('b', 'none', 0)];
    expect(photoMarksBefore(assets, ['a', 'b', 'gone'], { pick: 'rejected' })).toEqual([
      { id: 'a', pick: 'picked' },
      { id: 'b', pick: 'none' },
    ]);
    expect(photoMarksBefore(assets, ['a'], { rating: 5 })).toEqual([{ id: 'a', rating: 3 }]);
    const variant = { pick: 'none', rating: 2, approved: true } as unknown as Variant;
    expect(variantMarksBefore(variant, { approved: false })).toEqual({ approved: true });
    expect(variantMarksBefore(variant, { pick: 'picked', rating: 4 })).toEqual({ pick: 'none', rating: 2 });
  });

  it('names each step the way the flash says it', () => {
    expect(describePhotoChange({ pick: 'rejected' }, 1)).toBe('Rejected 1 photo');
    expect(describePhotoChange({ pick: 'picked' }, 3)).toBe('Picked 3 photos');
    expect(describePhotoChange({ rating: 4 }, 2)).toBe('Rated 2 photos ★★★★');
    expect(describePhotoChange({ rating: 0 }, 1)).toBe('Cleared the rating of 1 photo');
    expect(describeVariantChange({ pick: 'picked' })).toBe('Picked');
    expect(describeVariantChange({ approved: false })).toBe('Approval removed');
    expect(describeVariantChange({ rating: 3 })).toBe('★★★');
  });
});
