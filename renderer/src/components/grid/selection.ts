/**
 * The thumbnail grid's selection model: pure functions over an immutable state and the current
 * ordered list of ids. No DOM, so every rule (click, toggle, range, keyboard moves, pruning) is
 * unit-tested on its own.
 *
 * - `selected`: the ids the user chose.
 * - `anchor`: where a shift-range starts (the last plain click or toggle).
 * - `focus`: the keyboard cursor (the cell with the roving tabindex).
 *
 * Every function returns the same object when nothing changes, so React can skip work by identity.
 */

export interface SelectionState {
  readonly selected: ReadonlySet<string>;
  readonly anchor: string | null;
  readonly focus: string | null;
}

export const EMPTY_SELECTION: SelectionState = Object.freeze({
  selected: new Set<string>(),
  anchor: null,
  focus: null,
});

/** Modifiers of a click, already mapped from the platform (Cmd on macOS, Ctrl elsewhere). */
export interface ClickModifiers {
  /** Ctrl/Cmd: add or remove one item (or, with `range`, add a range to what is selected). */
  readonly toggle?: boolean;
  /** Shift: select from the anchor to the clicked item. */
  readonly range?: boolean;
}

export type FocusMove = 'left' | 'right' | 'up' | 'down' | 'home' | 'end' | 'pageUp' | 'pageDown';

/**
 * How a keyboard move treats the selection:
 * - `replace`: the new focus becomes the only selected item (plain arrows);
 * - `extend`: select from the anchor to the new focus (Shift+arrows);
 * - `extendAdd`: add anchor…focus to what is already selected (Ctrl/Cmd+Shift+arrows);
 * - `focusOnly`: move the cursor, keep the selection (Ctrl/Cmd+arrows, then Ctrl/Cmd+Space toggles).
 */
export type MoveMode = 'replace' | 'extend' | 'extendAdd' | 'focusOnly';

export interface MoveOptions {
  readonly columns: number;
  readonly mode?: MoveMode;
  /** Rows that PageUp/PageDown jump (at least 1). */
  readonly pageRows?: number;
}

export function isSelected(state: SelectionState, id: string): boolean {
  return state.selected.has(id);
}

/** The selected ids in list order (the order actions such as "send to the queue" should follow). */
export function selectedInOrder(state: SelectionState, ids: readonly string[]): string[] {
  if (state.selected.size === 0) return [];
  return ids.filter((id) => state.selected.has(id));
}

/** A plain click: the item alone is selected and becomes both anchor and focus. */
export function selectOnly(state: SelectionState, id: string): SelectionState {
  if (state.anchor === id && state.focus === id && state.selected.size === 1 && state.selected.has(id)) return state;
  return { selected: new Set([id]), anchor: id, focus: id };
}

/** Ctrl/Cmd-click: flip one item; it becomes the anchor for a later shift-click. */
export function toggleOne(state: SelectionState, id: string): SelectionState {
  const selected = new Set(state.selected);
  if (selected.has(id)) selected.delete(id);
  else selected.add(id);
  return { selected, anchor: id, focus: id };
}

/**
 * Shift-click (or Shift+arrow): select anchor…target over the current order. Without `additive`
 * the range replaces the selection; with it (Ctrl/Cmd+Shift) the range is added. The anchor stays
 * put so repeated shift-clicks re-shape the range. A missing anchor falls back to the focus, then
 * to the target itself.
 */
export function selectRange(
  state: SelectionState,
  ids: readonly string[],
  target: string,
  additive = false,
): SelectionState {
  const targetIndex = ids.indexOf(target);
  if (targetIndex < 0) return state;
  const anchor = resolveAnchor(state, ids) ?? target;
  const anchorIndex = ids.indexOf(anchor);
  const from = Math.min(anchorIndex, targetIndex);
  const to = Math.max(anchorIndex, targetIndex);
  const selected = additive ? new Set(state.selected) : new Set<string>();
  for (let i = from; i <= to; i++) selected.add(ids[i] as string);
  const next: SelectionState = { selected, anchor, focus: target };
  return sameState(state, next) ? state : next;
}

/** Everything the mouse can do to one cell, from the click's modifiers. */
export function clickSelect(
  state: SelectionState,
  ids: readonly string[],
  id: string,
  modifiers: ClickModifiers = {},
): SelectionState {
  if (modifiers.range) return selectRange(state, ids, id, modifiers.toggle === true);
  if (modifiers.toggle) return toggleOne(state, id);
  return selectOnly(state, id);
}

/** Ctrl/Cmd+A. Focus and anchor stay; with no focus yet, the first item takes it. */
export function selectAll(state: SelectionState, ids: readonly string[]): SelectionState {
  if (ids.length === 0) return state;
  const focus = state.focus !== null && ids.includes(state.focus) ? state.focus : (ids[0] as string);
  const anchor = state.anchor !== null && ids.includes(state.anchor) ? state.anchor : focus;
  const next: SelectionState = { selected: new Set(ids), anchor, focus };
  return sameState(state, next) ? state : next;
}

/** Escape: nothing selected; the focus stays so the keyboard can carry on from there. */
export function clearSelection(state: SelectionState): SelectionState {
  if (state.selected.size === 0) return state;
  return { selected: new Set<string>(), anchor: state.focus, focus: state.focus };
}

/** Ctrl/Cmd+Space: flip the focused item. */
export function toggleFocused(state: SelectionState): SelectionState {
  return state.focus === null ? state : toggleOne(state, state.focus);
}

/**
 * The index a move lands on in a grid of `columns` columns filled row by row, or -1 for an empty
 * list. From no focus (`from` < 0) any move starts at the first item, except End at the last.
 * Down from a row above a short last row lands on the last item, as file browsers do.
 */
export function moveIndex(from: number, count: number, move: FocusMove, columns: number, pageRows = 1): number {
  if (count <= 0) return -1;
  const cols = Math.max(1, Math.floor(columns));
  const last = count - 1;
  if (from < 0 || from > last) return move === 'end' ? last : 0;
  const page = Math.max(1, Math.floor(pageRows)) * cols;
  switch (move) {
    case 'left':
      return Math.max(0, from - 1);
    case 'right':
      return Math.min(last, from + 1);
    case 'up':
      return from - cols >= 0 ? from - cols : from;
    case 'down':
      if (from + cols <= last) return from + cols;
      // A shorter last row below this one: land on its last item rather than not moving.
      return Math.floor(last / cols) > Math.floor(from / cols) ? last : from;
    case 'pageUp':
      return from - page >= 0 ? from - page : from % cols;
    case 'pageDown':
      if (from + page <= last) return from + page;
      return moveToLastRow(from, last, cols);
    case 'home':
      return 0;
    case 'end':
      return last;
    default: {
      const unknown: never = move;
      throw new Error(`Unknown focus move: ${String(unknown)}`);
    }
  }
}

/** The same column in the last row, or the last item when that row is too short. */
function moveToLastRow(from: number, last: number, cols: number): number {
  const lastRowStart = Math.floor(last / cols) * cols;
  return Math.min(last, lastRowStart + (from % cols));
}

/** An arrow, Home/End or PageUp/PageDown key on the grid. */
export function moveFocus(
  state: SelectionState,
  ids: readonly string[],
  move: FocusMove,
  options: MoveOptions,
): SelectionState {
  const from = state.focus === null ? -1 : ids.indexOf(state.focus);
  const index = moveIndex(from, ids.length, move, options.columns, options.pageRows);
  if (index < 0) return state;
  const target = ids[index] as string;
  const mode = options.mode ?? 'replace';
  switch (mode) {
    case 'replace':
      return selectOnly(state, target);
    case 'extend':
    case 'extendAdd': {
      // The first shift-move from a cursor with no anchor starts the range where the cursor was.
      const base = resolveAnchor(state, ids) === null && from >= 0 ? { ...state, anchor: ids[from] as string } : state;
      return selectRange(base, ids, target, mode === 'extendAdd');
    }
    case 'focusOnly':
      return state.focus === target ? state : { ...state, focus: target };
    default: {
      const unknown: never = mode;
      throw new Error(`Unknown move mode: ${String(unknown)}`);
    }
  }
}

/**
 * Drop ids that are no longer in the list (deleted, filtered out). When the focus itself went away
 * and the previous order is given, the focus moves to the nearest survivor after it (else before
 * it), so culling with the keyboard carries on where the user was; if nothing selected survived, that
 * neighbour is selected too.
 */
export function pruneSelection(
  state: SelectionState,
  ids: readonly string[],
  previousIds?: readonly string[],
): SelectionState {
  const present = new Set(ids);
  let changed = false;
  const selected = new Set<string>();
  for (const id of state.selected) {
    if (present.has(id)) selected.add(id);
    else changed = true;
  }
  let focus = state.focus;
  if (focus !== null && !present.has(focus)) {
    focus = previousIds ? nearestSurvivor(previousIds, focus, present) : null;
    changed = true;
  }
  let anchor = state.anchor;
  if (anchor !== null && !present.has(anchor)) {
    anchor = focus;
    changed = true;
  }
  if (!changed) return state;
  // Everything selected went away (a reject hidden, a delete): select where the focus landed, as
  // Lightroom does, so the next key acts on the next photo.
  if (selected.size === 0 && state.selected.size > 0 && focus !== null && focus !== state.focus) {
    selected.add(focus);
    anchor = focus;
  }
  return { selected, anchor, focus };
}

function nearestSurvivor(previousIds: readonly string[], gone: string, present: ReadonlySet<string>): string | null {
  const at = previousIds.indexOf(gone);
  if (at < 0) return null;
  for (let i = at + 1; i < previousIds.length; i++) {
    const id = previousIds[i] as string;
    if (present.has(id)) return id;
  }
  for (let i = at - 1; i >= 0; i--) {
    const id = previousIds[i] as string;
    if (present.has(id)) return id;
  }
  return null;
}

function resolveAnchor(state: SelectionState, ids: readonly string[]): string | null {
  if (state.anchor !== null && ids.includes(state.anchor)) return state.anchor;
  if (state.focus !== null && ids.includes(state.focus)) return state.focus;
  return null;
}

function sameState(a: SelectionState, b: SelectionState): boolean {
  if (a.anchor !== b.anchor || a.focus !== b.focus || a.selected.size !== b.selected.size) return false;
  for (const id of b.selected) if (!a.selected.has(id)) return false;
  return true;
}
