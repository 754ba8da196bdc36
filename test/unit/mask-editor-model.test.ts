import { describe, expect, it } from 'vitest';
import type { MaskStroke } from '../../shared/mask';
import { MAX_MASK_POINTS, MAX_MASK_STROKES } from '../../shared/mask';
import {
  addStroke,
  beyondLimits,
  blankContent,
  clear,
  fill,
  HISTORY_LIMIT,
  invert,
  redo,
  startHistory,
  storedStroke,
  undo,
} from '../../renderer/src/components/mask/mask-history';
import { fitView, resizeView, sameView, toPhoto, zoomAt } from '../../renderer/src/components/mask/mask-view';

const stroke = (x: number): MaskStroke => ({ points: [{ x, y: 5 }], size: 4, hardness: 1, opacity: 1, mode: 'paint' });

describe('the mask history', () => {
  it('undoes and redoes by stroke, and a new stroke after an undo drops what could be redone', () => {
    let history = startHistory(blankContent(100, 50));
    history = addStroke(history, stroke(1));
    history = addStroke(history, stroke(2));
    history = undo(history);
    expect(history.present.strokes.map((kept) => kept.points[0]?.x)).toEqual([1]);
    history = redo(history);
    expect(history.present.strokes).toHaveLength(2);
    history = undo(undo(history));
    history = addStroke(history, stroke(3));
    expect(history.future).toEqual([]);
    expect(redo(history)).toBe(history);
    expect(undo(startHistory(blankContent(1, 1))).present.strokes).toEqual([]);
  });

  it('fills, clears and inverts as steps of their own; on an inverted drawing a visible paint stroke is kept as an erase', () => {
    let history = fill(startHistory(blankContent(10, 10)));
    expect(history.present).toMatchObject({ strokes: [], invert: true });
    expect(storedStroke(history.present.invert, stroke(1)).mode).toBe('erase');
    history = invert(history);
    expect(storedStroke(history.present.invert, stroke(1)).mode).toBe('paint');
    history = clear(addStroke(history, stroke(1)));
    expect(history.present).toMatchObject({ strokes: [], invert: false });
    expect(undo(history).present.strokes).toHaveLength(1);
  });

  it('keeps at most HISTORY_LIMIT steps, sharing strokes between them rather than copying pixels', () => {
    let history = startHistory(blankContent(10, 10));
    for (let index = 0; index < HISTORY_LIMIT + 20; index++) history = addStroke(history, stroke(index));
    expect(history.past).toHaveLength(HISTORY_LIMIT);
    expect(history.past.at(-1)?.strokes[0]).toBe(history.present.strokes[0]);
  });
});

describe('the limits a saved mask is held to', () => {
  it('refuses the stroke past the most strokes or points, so the editor never holds a drawing it could not save', () => {
    const full = { ...blankContent(10, 10), strokes: Array.from({ length: MAX_MASK_STROKES }, () => stroke(1)) };
    expect(beyondLimits(full, stroke(2))).toContain(`${MAX_MASK_STROKES} strokes`);
    expect(beyondLimits({ ...full, strokes: full.strokes.slice(1) }, stroke(2))).toBeNull();
    const long: MaskStroke = { ...stroke(1), points: Array.from({ length: MAX_MASK_POINTS }, () => ({ x: 1, y: 1 })) };
    expect(beyondLimits(blankContent(10, 10), long)).toBeNull();
    expect(beyondLimits({ ...blankContent(10, 10), strokes: [stroke(3)] }, long)).toContain('points');
  });
});

describe('the mask view', () => {
  it('fits the photo, zooms about the pointer, and keeps the photo point in the middle on a resize', () => {
    const fitted = fitView(1000, 600, 6000, 4000);
    expect(fitted.scale).toBeCloseTo((600 - 32) / 4000, 6);
    const zoomed = zoomAt(fitted, 4, 300, 200);
    const before = toPhoto(fitted, 300, 200);
    const after = toPhoto(zoomed, 300, 200);
    expect(after.x).toBeCloseTo(before.x, 6);
    expect(after.y).toBeCloseTo(before.y, 6);
    const centre = toPhoto(zoomed, 500, 300);
    const resized = resizeView(zoomed, { width: 1000, height: 600 }, { width: 800, height: 500 });
    const moved = toPhoto(resized, 400, 250);
    expect(moved.x).toBeCloseTo(centre.x, 6);
    expect(moved.y).toBeCloseTo(centre.y, 6);
    expect(sameView(fitted, fitView(1000, 600, 6000, 4000))).toBe(true);
    expect(sameView(fitted, zoomed)).toBe(false);
  });
});
