import { describe, expect, it } from 'vitest';
import * as sel from '../../renderer/src/components/grid/selection';

const {
  EMPTY_SELECTION,
  clearSelection,
  clickSelect,
  isSelected,
  moveFocus,
  moveIndex,
  pruneSelection,
  selectAll,
  selectOnly,
  selectRange,
  selectedInOrder,
  toggleFocused,
  toggleOne,
} = sel;
type SelectionState = sel.SelectionState;

/** a0 … a11: a 4-column grid of 12 is 3 full rows; of 10 it has a short last row (a8, a9). */
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `a${i}`);
const IDS = ids(12);

const state = (selected: string[], anchor: string | null, focus: string | null): SelectionState => ({
  selected: new Set(selected),
  anchor,
  focus,
});

/** The state as plain data, selection sorted by list position, for readable equality checks. */
const plain = (s: SelectionState, list: readonly string[] = IDS) => ({
  selected: selectedInOrder(s, list),
  anchor: s.anchor,
  focus: s.focus,
});

describe('clicks', () => {
  it('a plain click selects only that item and makes it anchor and focus', () => {
    const s = clickSelect(state(['a1', 'a2'], 'a1', 'a2'), IDS, 'a5');
    expect(plain(s)).toEqual({ selected: ['a5'], anchor: 'a5', focus: 'a5' });
  });

  it('a plain click on the only selected item changes nothing (same object)', () => {
    const s = state(['a5'], 'a5', 'a5');
    expect(clickSelect(s, IDS, 'a5')).toBe(s);
    expect(selectOnly(s, 'a5')).toBe(s);
  });

  it('ctrl/cmd-click toggles one item in and out, moving the anchor to it', () => {
    let s = clickSelect(EMPTY_SELECTION, IDS, 'a2');
    s = clickSelect(s, IDS, 'a7', { toggle: true });
    expect(plain(s)).toEqual({ selected: ['a2', 'a7'], anchor: 'a7', focus: 'a7' });
    s = clickSelect(s, IDS, 'a2', { toggle: true });
    expect(plain(s)).toEqual({ selected: ['a7'], anchor: 'a2', focus: 'a2' });
  });

  it('toggling never mutates the previous state', () => {
    const before = state(['a1'], 'a1', 'a1');
    const after = toggleOne(before, 'a3');
    expect([...before.selected]).toEqual(['a1']);
    expect([...after.selected].sort()).toEqual(['a1', 'a3']);
  });

  it('shift-click selects the range from the anchor, in either direction, replacing the selection', () => {
    const start = state(['a0', 'a4'], 'a4', 'a4');
    const down = clickSelect(start, IDS, 'a7', { range: true });
    expect(plain(down)).toEqual({ selected: ['a4', 'a5', 'a6', 'a7'], anchor: 'a4', focus: 'a7' });
    const up = clickSelect(start, IDS, 'a2', { range: true });
    expect(plain(up)).toEqual({ selected: ['a2', 'a3', 'a4'], anchor: 'a4', focus: 'a2' });
  });

  it('repeated shift-clicks reshape the range around the same anchor', () => {
    let s = clickSelect(EMPTY_SELECTION, IDS, 'a5');
    s = clickSelect(s, IDS, 'a9', { range: true });
    s = clickSelect(s, IDS, 'a3', { range: true });
    expect(plain(s)).toEqual({ selected: ['a3', 'a4', 'a5'], anchor: 'a5', focus: 'a3' });
  });

  it('ctrl+shift-click adds the range to what is already selected', () => {
    let s = clickSelect(EMPTY_SELECTION, IDS, 'a0');
    s = clickSelect(s, IDS, 'a6', { toggle: true });
    s = clickSelect(s, IDS, 'a8', { toggle: true, range: true });
    expect(plain(s)).toEqual({ selected: ['a0', 'a6', 'a7', 'a8'], anchor: 'a6', focus: 'a8' });
  });

  it('a shift-click with no anchor falls back to the focus, then to the item itself', () => {
    const fromFocus = selectRange(state([], null, 'a3'), IDS, 'a5');
    expect(plain(fromFocus)).toEqual({ selected: ['a3', 'a4', 'a5'], anchor: 'a3', focus: 'a5' });
    const fromNothing = selectRange(EMPTY_SELECTION, IDS, 'a5');
    expect(plain(fromNothing)).toEqual({ selected: ['a5'], anchor: 'a5', focus: 'a5' });
  });

  it('an anchor no longer in the list is ignored for a range', () => {
    const s = selectRange(state(['gone'], 'gone', 'a2'), IDS, 'a4');
    expect(plain(s)).toEqual({ selected: ['a2', 'a3', 'a4'], anchor: 'a2', focus: 'a4' });
  });

  it('a range to an id that is not in the list changes nothing', () => {
    const s = state(['a1'], 'a1', 'a1');
    expect(selectRange(s, IDS, 'zzz')).toBe(s);
  });

  it('the range follows the list order, not id order', () => {
    const order = ['c', 'a', 'd', 'b'];
    const s = clickSelect(clickSelect(EMPTY_SELECTION, order, 'a'), order, 'b', { range: true });
    expect(selectedInOrder(s, order)).toEqual(['a', 'd', 'b']);
    expect(isSelected(s, 'c')).toBe(false);
  });
});

describe('select all and clear', () => {
  it('selects every id, keeping focus and anchor', () => {
    const s = selectAll(state(['a3'], 'a3', 'a4'), IDS);
    expect(plain(s)).toEqual({ selected: IDS, anchor: 'a3', focus: 'a4' });
  });

  it('gives the first item focus when there was none, and is a no-op the second time', () => {
    const s = selectAll(EMPTY_SELECTION, IDS);
    expect(plain(s)).toEqual({ selected: IDS, anchor: 'a0', focus: 'a0' });
    expect(selectAll(s, IDS)).toBe(s);
  });

  it('does nothing on an empty list', () => {
    expect(selectAll(EMPTY_SELECTION, [])).toBe(EMPTY_SELECTION);
  });

  it('clear empties the selection, keeps the focus and re-anchors there', () => {
    const s = clearSelection(state(['a1', 'a2'], 'a1', 'a2'));
    expect(plain(s)).toEqual({ selected: [], anchor: 'a2', focus: 'a2' });
    expect(clearSelection(s)).toBe(s);
  });

  it('ctrl+space toggles the focused item, and does nothing without focus', () => {
    const s = toggleFocused(state(['a1'], 'a1', 'a3'));
    expect(plain(s)).toEqual({ selected: ['a1', 'a3'], anchor: 'a3', focus: 'a3' });
    expect(toggleFocused(EMPTY_SELECTION)).toBe(EMPTY_SELECTION);
  });
});

describe('moveIndex in a grid', () => {
  it.each([
    // [from, count, move, columns, expected]
    [5, 12, 'left', 4, 4],
    [4, 12, 'left', 4, 3], // wraps to the end of the row above, like reading order
    [0, 12, 'left', 4, 0],
    [3, 12, 'right', 4, 4],
    [11, 12, 'right', 4, 11],
    [5, 12, 'up', 4, 1],
    [2, 12, 'up', 4, 2], // top row: stays
    [5, 12, 'down', 4, 9],
    [9, 12, 'down', 4, 9], // bottom row: stays
    [6, 10, 'down', 4, 9], // short last row (8, 9): lands on its last item
    [5, 10, 'down', 4, 9],
    [4, 10, 'down', 4, 8],
    [9, 10, 'up', 4, 5],
    [7, 12, 'home', 4, 0],
    [7, 12, 'end', 4, 11],
    [-1, 12, 'right', 4, 0], // no focus yet: start at the first item
    [-1, 12, 'down', 4, 0],
    [-1, 12, 'end', 4, 11],
    [3, 0, 'right', 4, -1], // empty list
    [2, 5, 'down', 1, 3], // a single column
    [2, 5, 'up', 1, 1],
  ] as const)('from %i of %i, %s with %i columns → %i', (from, count, move, columns, expected) => {
    expect(moveIndex(from, count, move, columns)).toBe(expected);
  });

  it('pages by whole rows and stops at the first or last row in the same column', () => {
    // 40 items, 4 columns (rows 0…9), 3 rows per page.
    expect(moveIndex(5, 40, 'pageDown', 4, 3)).toBe(17);
    expect(moveIndex(33, 40, 'pageDown', 4, 3)).toBe(37);
    expect(moveIndex(17, 40, 'pageUp', 4, 3)).toBe(5);
    expect(moveIndex(6, 40, 'pageUp', 4, 3)).toBe(2);
    // 38 items: the last row holds 36, 37; column 3 has no cell there, so the last item.
    expect(moveIndex(27, 38, 'pageDown', 4, 3)).toBe(37);
  });
});

describe('moveFocus', () => {
  const cols = { columns: 4 };

  it('a plain arrow moves focus and selects only the new item', () => {
    const s = moveFocus(state(['a1', 'a2'], 'a1', 'a5'), IDS, 'down', cols);
    expect(plain(s)).toEqual({ selected: ['a9'], anchor: 'a9', focus: 'a9' });
  });

  it('shift+arrows extend from the anchor and shrink back', () => {
    let s = clickSelect(EMPTY_SELECTION, IDS, 'a5');
    s = moveFocus(s, IDS, 'right', { ...cols, mode: 'extend' });
    s = moveFocus(s, IDS, 'down', { ...cols, mode: 'extend' });
    expect(plain(s)).toEqual({ selected: ['a5', 'a6', 'a7', 'a8', 'a9', 'a10'], anchor: 'a5', focus: 'a10' });
    s = moveFocus(s, IDS, 'up', { ...cols, mode: 'extend' });
    s = moveFocus(s, IDS, 'up', { ...cols, mode: 'extend' });
    expect(plain(s)).toEqual({ selected: ['a2', 'a3', 'a4', 'a5'], anchor: 'a5', focus: 'a2' });
  });

  it('shift+Home and shift+End select to the ends of the list', () => {
    const s = clickSelect(EMPTY_SELECTION, IDS, 'a9');
    expect(selectedInOrder(moveFocus(s, IDS, 'home', { ...cols, mode: 'extend' }), IDS)).toEqual(ids(10));
    expect(selectedInOrder(moveFocus(s, IDS, 'end', { ...cols, mode: 'extend' }), IDS)).toEqual(['a9', 'a10', 'a11']);
  });

  it('the first shift-move from a focus without anchor starts the range at the focus', () => {
    const s = moveFocus(state([], null, 'a2'), IDS, 'right', { ...cols, mode: 'extend' });
    expect(plain(s)).toEqual({ selected: ['a2', 'a3'], anchor: 'a2', focus: 'a3' });
  });

  it('ctrl+shift+arrows add the range to the existing selection', () => {
    const start = state(['a0', 'a6'], 'a6', 'a6');
    const s = moveFocus(start, IDS, 'right', { ...cols, mode: 'extendAdd' });
    expect(plain(s)).toEqual({ selected: ['a0', 'a6', 'a7'], anchor: 'a6', focus: 'a7' });
  });

  it('ctrl+arrows move only the focus, keeping selection and anchor', () => {
    const start = state(['a1'], 'a1', 'a1');
    const s = moveFocus(start, IDS, 'down', { ...cols, mode: 'focusOnly' });
    expect(plain(s)).toEqual({ selected: ['a1'], anchor: 'a1', focus: 'a5' });
    expect(s.selected).toBe(start.selected);
  });

  it('a move that goes nowhere returns the same state', () => {
    const s = state(['a0'], 'a0', 'a0');
    expect(moveFocus(s, IDS, 'left', cols)).toBe(s);
    expect(moveFocus(s, IDS, 'up', { ...cols, mode: 'focusOnly' })).toBe(s);
    expect(moveFocus(EMPTY_SELECTION, [], 'down', cols)).toBe(EMPTY_SELECTION);
  });

  it('with no focus, the first arrow selects the first item', () => {
    expect(plain(moveFocus(EMPTY_SELECTION, IDS, 'right', cols))).toEqual({
      selected: ['a0'],
      anchor: 'a0',
      focus: 'a0',
    });
  });

  it('pages with the given rows per page', () => {
    const many = ids(40);
    const s = moveFocus(state(['a5'], 'a5', 'a5'), many, 'pageDown', { columns: 4, pageRows: 3 });
    expect(plain(s, many)).toEqual({ selected: ['a17'], anchor: 'a17', focus: 'a17' });
  });

  it('stays fast enough at 5,000 items for a key repeat', () => {
    const big = ids(5000);
    let s = selectAll(EMPTY_SELECTION, big);
    const started = performance.now();
    for (let i = 0; i < 200; i++) s = moveFocus(s, big, 'right', { columns: 8, mode: 'extend' });
    // A generous bound: 200 shift-moves over 5,000 ids; the point is "not quadratic per key".
    expect(performance.now() - started).toBeLessThan(2000);
    expect(s.focus).toBe('a200');
  });
});

describe('pruneSelection', () => {
  it('returns the same state when every id is still there', () => {
    const s = state(['a1', 'a2'], 'a1', 'a2');
    expect(pruneSelection(s, IDS)).toBe(s);
  });

  it('drops vanished ids from the selection, anchor and focus', () => {
    const s = pruneSelection(state(['a1', 'x', 'a3'], 'x', 'y'), IDS);
    expect(plain(s)).toEqual({ selected: ['a1', 'a3'], anchor: null, focus: null });
  });

  it('moves a vanished focus to the next survivor in the previous order, else the one before', () => {
    const before = ['a', 'b', 'c', 'd', 'e'];
    const next = pruneSelection(state(['a'], 'a', 'c'), ['a', 'b', 'd', 'e'], before);
    expect(next).toEqual(state(['a'], 'a', 'd'));
    const lastGone = pruneSelection(state(['a'], 'd', 'e'), ['a', 'b', 'c'], before);
    expect(lastGone).toEqual(state(['a'], 'c', 'c'));
    const runGone = pruneSelection(state([], 'b', 'b'), ['a', 'e'], before);
    expect(runGone).toEqual(state([], 'e', 'e'));
  });

  it('selects the new focus when everything selected vanished (delete or hide while culling)', () => {
    const before = ['a', 'b', 'c', 'd', 'e'];
    expect(pruneSelection(state(['c'], 'c', 'c'), ['a', 'b', 'd', 'e'], before)).toEqual(state(['d'], 'd', 'd'));
    expect(pruneSelection(state(['d', 'e'], 'd', 'e'), ['a', 'b', 'c'], before)).toEqual(state(['c'], 'c', 'c'));
    // Without the previous order the focus has nowhere to go, so nothing is selected.
    expect(pruneSelection(state(['c'], 'c', 'c'), ['a', 'b'])).toEqual(state([], null, null));
  });

  it('keeps a surviving anchor when only the focus went away', () => {
    const s = pruneSelection(state(['a', 'b'], 'a', 'c'), ['a', 'b', 'd'], ['a', 'b', 'c', 'd']);
    expect(s).toEqual(state(['a', 'b'], 'a', 'd'));
  });

  it('empties everything when the list is empty', () => {
    expect(pruneSelection(state(['a'], 'a', 'a'), [], ['a'])).toEqual(state([], null, null));
  });
});
