import { describe, expect, it } from 'vitest';
import * as layout from '../../renderer/src/components/grid/layout';

const {
  cellPosition,
  computeGridLayout,
  gridMetrics,
  maxScrollTop,
  rowTop,
  rowsPerPage,
  scrollOffsetToReveal,
  scrollTopAfterResize,
  visibleRange,
} = layout;

/** 1000 px wide, 160 px cells, 8 px gaps, no padding or caption: exactly 6 columns of 160. */
const PLAIN = { containerWidth: 1000, itemCount: 100, minCellSize: 160, gap: 8 };
/** The shape the component uses: padding and a caption strip, 5,000 photos. */
const SHOOT = { containerWidth: 1000, itemCount: 5000, minCellSize: 150, gap: 10, padding: 8, captionHeight: 24 };

describe('gridMetrics', () => {
  it('fits as many columns as the minimum size allows and fills the width', () => {
    expect(gridMetrics(PLAIN)).toEqual({
      itemCount: 100,
      columns: 6,
      cellSize: 160,
      cellHeight: 160,
      rowPitch: 168,
      rowCount: 17,
      totalHeight: 17 * 168 - 8,
      gap: 8,
      padding: 0,
    });
  });

  it('one pixel short of six columns gives five wider ones (whole pixels)', () => {
    const m = gridMetrics({ ...PLAIN, containerWidth: 999 });
    expect(m.columns).toBe(5);
    expect(m.cellSize).toBe(193); // (999 − 4·8) / 5 = 193.4
  });

  it('accounts for padding and the caption strip', () => {
    const m = gridMetrics(SHOOT);
    // Available 984: 6 columns of (984 − 50) / 6 = 155.67 → 155.
    expect(m.columns).toBe(6);
    expect(m.cellSize).toBe(155);
    expect(m.cellHeight).toBe(179);
    expect(m.rowPitch).toBe(189);
    expect(m.rowCount).toBe(834);
    expect(m.totalHeight).toBe(8 + 834 * 189 - 10 + 8);
  });

  it('keeps one column, shrunk to the width, when even one minimum cell does not fit', () => {
    const m = gridMetrics({ containerWidth: 100, itemCount: 3, minCellSize: 160, gap: 8, padding: 8 });
    expect(m.columns).toBe(1);
    expect(m.cellSize).toBe(84);
    expect(m.rowCount).toBe(3);
    expect(m.totalHeight).toBe(8 + 3 * 92 - 8 + 8);
  });

  it('has no height without items, and survives an unmeasured or nonsense width', () => {
    expect(gridMetrics({ ...PLAIN, itemCount: 0 })).toMatchObject({ rowCount: 0, totalHeight: 0, columns: 6 });
    const unmeasured = gridMetrics({ ...PLAIN, containerWidth: 0 });
    expect(unmeasured).toMatchObject({ columns: 1, cellSize: 1, rowCount: 100 });
    const nonsense = gridMetrics({ containerWidth: Number.NaN, itemCount: 5, minCellSize: -3, gap: -8 });
    expect(nonsense).toMatchObject({ columns: 1, cellSize: 1, gap: 0, rowCount: 5, totalHeight: 5 });
  });

  it('counts a partial last row', () => {
    expect(gridMetrics({ ...PLAIN, itemCount: 6 }).rowCount).toBe(1);
    expect(gridMetrics({ ...PLAIN, itemCount: 7 }).rowCount).toBe(2);
  });
});

describe('positions', () => {
  it('places a cell by row and column, after the padding', () => {
    const m = gridMetrics(SHOOT);
    expect(cellPosition(m, 0)).toEqual({ row: 0, column: 0, x: 8, y: 8 });
    expect(cellPosition(m, 13)).toEqual({ row: 2, column: 1, x: 8 + 165, y: 8 + 2 * 189 });
    expect(cellPosition(m, 4999)).toEqual({ row: 833, column: 1, x: 173, y: 8 + 833 * 189 });
    expect(rowTop(m, 10)).toBe(1898);
  });
});

describe('visibleRange', () => {
  const m = gridMetrics(SHOOT);

  it('at the top, renders the visible rows plus overscan below only', () => {
    // Rows 0…4 show in 800 px (row 4 starts at 764); overscan 2 adds rows 5 and 6.
    expect(visibleRange(m, 0, 800, 2)).toEqual({
      firstVisibleRow: 0,
      lastVisibleRow: 4,
      firstRow: 0,
      lastRow: 6,
      startIndex: 0,
      endIndex: 42,
    });
  });

  it('in the middle, pads both sides with overscan', () => {
    // top 9992: row 52 starts at 9836 and ends at 10015; bottom 10792 falls in row 57.
    expect(visibleRange(m, 10000, 800, 2)).toEqual({
      firstVisibleRow: 52,
      lastVisibleRow: 57,
      firstRow: 50,
      lastRow: 59,
      startIndex: 300,
      endIndex: 360,
    });
  });

  it('does not count a row whose cells are already scrolled past (viewport starts in the gap)', () => {
    // Row 52's cells span 9836…10015 (end exclusive); scrolled to 10015 only its gap is left.
    expect(visibleRange(m, 10014, 800, 0).firstVisibleRow).toBe(52);
    expect(visibleRange(m, 10015, 800, 0).firstVisibleRow).toBe(53);
  });

  it('treats the bottom edge as exclusive', () => {
    // From scrollTop 8 the rows start at 8, 197, 386 (viewport coordinates 0, 189, 378).
    expect(visibleRange(m, 8, 378, 0).lastVisibleRow).toBe(1);
    expect(visibleRange(m, 8, 379, 0).lastVisibleRow).toBe(2);
  });

  it('at the very end, clamps to the last row and the item count', () => {
    const bottom = maxScrollTop(m, 800);
    expect(bottom).toBe(m.totalHeight - 800);
    expect(visibleRange(m, bottom, 800, 2)).toEqual({
      firstVisibleRow: 829,
      lastVisibleRow: 833,
      firstRow: 827,
      lastRow: 833,
      startIndex: 4962,
      endIndex: 5000,
    });
  });

  it('clamps a scrollTop past the end (the list just shrank) to the last row', () => {
    const r = visibleRange(gridMetrics({ ...SHOOT, itemCount: 12 }), 50_000, 800, 1);
    expect(r).toMatchObject({ firstVisibleRow: 1, lastVisibleRow: 1, firstRow: 0, lastRow: 1, endIndex: 12 });
  });

  it('renders about a screenful at 5,000 items, not thousands of cells', () => {
    const r = visibleRange(m, 40_000, 1200, 2);
    expect(r.endIndex - r.startIndex).toBeLessThanOrEqual((Math.ceil(1200 / 189) + 1 + 4) * 6);
    expect(r.endIndex - r.startIndex).toBeGreaterThanOrEqual(Math.floor(1200 / 189) * 6);
  });

  it('is empty with no items, and one row with a zero-height viewport', () => {
    expect(visibleRange(gridMetrics({ ...PLAIN, itemCount: 0 }), 0, 800)).toEqual({
      firstVisibleRow: 0,
      lastVisibleRow: -1,
      firstRow: 0,
      lastRow: -1,
      startIndex: 0,
      endIndex: 0,
    });
    expect(visibleRange(m, 0, 0, 0)).toMatchObject({ firstRow: 0, lastRow: 0, startIndex: 0, endIndex: 6 });
  });

  it('computeGridLayout combines metrics and range (default overscan 2)', () => {
    const layout = computeGridLayout({ ...SHOOT, scrollTop: 10000, viewportHeight: 800 });
    expect(layout).toMatchObject({ columns: 6, cellSize: 155, totalHeight: 157632, firstRow: 50, lastRow: 59 });
  });
});

describe('scrollOffsetToReveal', () => {
  const m = gridMetrics(SHOOT);
  // Viewport 10000…10800 shows rows 52…57 (row 52 partly).

  it('leaves the scroll alone when the cell is fully visible', () => {
    expect(scrollOffsetToReveal(m, 320, 10000, 800)).toBe(10000); // row 53: 10025…10204
  });

  it('scrolls up to a cell above, leaving the padding above it', () => {
    expect(scrollOffsetToReveal(m, 300, 10000, 800)).toBe(8 + 50 * 189 - 8);
    // Row 52 is only partly visible (starts at 9836): scrolled so it shows fully.
    expect(scrollOffsetToReveal(m, 312, 10000, 800)).toBe(9828);
  });

  it('scrolls down to a cell below, leaving the padding under it', () => {
    // Row 59: 11159…11338, so 11338 + 8 − 800.
    expect(scrollOffsetToReveal(m, 359, 10000, 800)).toBe(10546);
  });

  it('reaches exactly the top and the bottom of the grid', () => {
    expect(scrollOffsetToReveal(m, 0, 5000, 800)).toBe(0);
    expect(scrollOffsetToReveal(m, 4999, 0, 800)).toBe(maxScrollTop(m, 800));
  });

  it('aligns to the top when the cell is taller than the viewport', () => {
    expect(scrollOffsetToReveal(m, 320, 0, 100)).toBe(10025 - 8);
  });

  it('ignores an index out of range', () => {
    expect(scrollOffsetToReveal(m, 5000, 1234, 800)).toBe(1234);
    expect(scrollOffsetToReveal(m, -1, 1234, 800)).toBe(1234);
  });
});

describe('scrollTopAfterResize', () => {
  const wide = gridMetrics(PLAIN); // 6 columns, pitch 168, 17 rows
  const narrow = gridMetrics({ ...PLAIN, containerWidth: 664 }); // 4 columns of 160, 25 rows

  it('keeps the photo at the top of the viewport at the same place in its row', () => {
    expect(narrow.columns).toBe(4);
    // Halfway through row 5 (items 30…35) → item 30 is in row 7 of the narrow grid.
    expect(scrollTopAfterResize(wide, narrow, 5 * 168 + 84, 500)).toBe(7 * 168 + 84);
  });

  it('clamps to the new end of the grid', () => {
    const bottom = maxScrollTop(narrow, 500); // 25·168 − 8 − 500 = 3692
    expect(bottom).toBe(3692);
    // Item 84 is in row 14 of the wide grid, but the wide grid can only scroll to 2348.
    expect(scrollTopAfterResize(narrow, wide, bottom, 500)).toBe(2348);
  });

  it('stays at the top when at the top, and keeps the offset when the columns do not change', () => {
    expect(scrollTopAfterResize(wide, narrow, 0, 500)).toBe(0);
    const sameColumns = gridMetrics({ ...PLAIN, containerWidth: 1005 });
    expect(sameColumns.columns).toBe(6);
    expect(scrollTopAfterResize(wide, sameColumns, 777, 500)).toBe(777);
  });
});

describe('rowsPerPage', () => {
  it('counts whole rows that fit, at least one', () => {
    const m = gridMetrics(SHOOT);
    expect(rowsPerPage(m, 800)).toBe(4); // (800 + 10) / 189 = 4.29
    expect(rowsPerPage(m, 0)).toBe(1);
  });
});
