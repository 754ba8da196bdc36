import { MAX_MASK_POINTS, MAX_MASK_STROKES, type MaskContent, type MaskStroke } from '../../../../shared/mask';

/**
 * The drawing being edited, as a value: each edit (a stroke, fill, clear, invert) makes a new
 * content that shares the old one's strokes, and undo steps back through them. Memory grows with
 * the strokes, never with pixels (the history eats no bitmaps); the oldest steps are dropped past
 * HISTORY_LIMIT.
 */
export const HISTORY_LIMIT = 500;

export interface MaskHistory {
  past: readonly MaskContent[];
  present: MaskContent;
  future: readonly MaskContent[];
}

export function startHistory(content: MaskContent): MaskHistory {
  return { past: [], present: content, future: [] };
}

export function blankContent(width: number, height: number): MaskContent {
  return { width, height, strokes: [], rasters: [], invert: false };
}

function record(history: MaskHistory, next: MaskContent): MaskHistory {
  return { past: [...history.past, history.present].slice(-HISTORY_LIMIT), present: next, future: [] };
}

/**
 * A stroke as the drawing keeps it, from the brush as the editor shows it. Invert is applied after
 * the strokes, so on an inverted drawing a visible paint stroke is kept as an erase (and the other
 * way round): what the brush does on screen is what the saved mask does.
 */
export function storedStroke<S extends Pick<MaskStroke, 'mode'>>(inverted: boolean, stroke: S): S {
  return inverted ? { ...stroke, mode: stroke.mode === 'paint' ? 'erase' : 'paint' } : stroke;
}

/**
 * Why the drawing cannot take one more stroke (it would pass the limits every saved mask is held
 * to), or null. Said when the stroke ends, so the editor never holds a drawing it could not save.
 */
export function beyondLimits(content: MaskContent, stroke: MaskStroke): string | null {
  if (content.strokes.length + 1 > MAX_MASK_STROKES) {
    return `A mask can have at most ${MAX_MASK_STROKES} strokes: save this one, or clear part of it and paint with fewer, longer strokes.`;
  }
  const points = content.strokes.reduce((sum, kept) => sum + kept.points.length, stroke.points.length);
  if (points > MAX_MASK_POINTS) {
    return `A mask can have at most ${MAX_MASK_POINTS} points in all: that stroke was not kept. Save this mask, or clear part of it.`;
  }
  return null;
}

/** Adds a stroke already in its stored form (see storedStroke). */
export function addStroke(history: MaskHistory, stroke: MaskStroke): MaskHistory {
  return record(history, { ...history.present, strokes: [...history.present.strokes, stroke] });
}

/** A drawing computed elsewhere (a refined selection) as one step: undo brings the old one back. */
export function replace(history: MaskHistory, content: MaskContent): MaskHistory {
  return record(history, content);
}

/** Nothing selected. */
export function clear(history: MaskHistory): MaskHistory {
  return record(history, blankContent(history.present.width, history.present.height));
}

/** Everything selected: an empty drawing, inverted (later strokes then carve it, see addStroke). */
export function fill(history: MaskHistory): MaskHistory {
  return record(history, { ...blankContent(history.present.width, history.present.height), invert: true });
}

export function invert(history: MaskHistory): MaskHistory {
  return record(history, { ...history.present, invert: !history.present.invert });
}

export function undo(history: MaskHistory): MaskHistory {
  const previous = history.past.at(-1);
  if (!previous) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

export function redo(history: MaskHistory): MaskHistory {
  const [next, ...rest] = history.future;
  if (!next) return history;
  return { past: [...history.past, history.present], present: next, future: rest };
}
