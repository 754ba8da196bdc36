/**
 * Pure geometry of the virtualised thumbnail grid: how many columns fit, how big a cell is, how tall
 * the whole grid would be, which rows the viewport shows, and where to scroll to reveal an item.
 * Cells are square images (plus an optional fixed caption strip) laid out row by row; cells grow to
 * fill the width, never below the minimum size. Whole pixels throughout, so thumbnails stay sharp.
 */

export interface GridMetricsInput {
  /** Inner width of the scroll container (without its scrollbar), in CSS pixels. */
  readonly containerWidth: number;
  readonly itemCount: number;
  /** Smallest width a cell may have; cells grow from it to fill the row. */
  readonly minCellSize: number;
  /** Space between cells, both ways. */
  readonly gap: number;
  /** Inset of the grid inside the container, on all four sides. */
  readonly padding?: number;
  /** A fixed strip under each square image (name, stars), part of the cell. */
  readonly captionHeight?: number;
}

export interface GridMetrics {
  readonly itemCount: number;
  readonly columns: number;
  /** Width of a cell and height of its square image. */
  readonly cellSize: number;
  /** `cellSize` plus the caption strip. */
  readonly cellHeight: number;
  /** Distance from one row's top to the next: `cellHeight + gap`. */
  readonly rowPitch: number;
  readonly rowCount: number;
  /** Height of the spacer that gives the scrollbar its range (0 with no items). */
  readonly totalHeight: number;
  readonly gap: number;
  readonly padding: number;
}

export interface VisibleRange {
  /** Rows actually inside the viewport (partly counts). `lastVisibleRow` < `firstVisibleRow` when there are no rows. */
  readonly firstVisibleRow: number;
  readonly lastVisibleRow: number;
  /** The rows to render: the visible ones plus overscan, clamped to the grid. */
  readonly firstRow: number;
  readonly lastRow: number;
  /** Item indexes to render: `startIndex` inclusive, `endIndex` exclusive. */
  readonly startIndex: number;
  readonly endIndex: number;
}

export interface GridLayoutInput extends GridMetricsInput {
  readonly scrollTop: number;
  readonly viewportHeight: number;
  /** Extra rows rendered above and below the viewport so fast scrolling never shows holes. */
  readonly overscanRows?: number;
}

export type GridLayout = GridMetrics & VisibleRange;

export const DEFAULT_OVERSCAN_ROWS = 2;

/** A finite, non-negative number, or 0. */
function nonNegative(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

export function gridMetrics(input: GridMetricsInput): GridMetrics {
  const gap = Math.floor(nonNegative(input.gap));
  const padding = Math.floor(nonNegative(input.padding));
  const captionHeight = Math.floor(nonNegative(input.captionHeight));
  const minCellSize = Math.max(1, Math.floor(nonNegative(input.minCellSize)));
  const itemCount = Math.floor(nonNegative(input.itemCount));
  const available = Math.max(0, Math.floor(nonNegative(input.containerWidth)) - 2 * padding);

  // n cells need n·min + (n−1)·gap ≤ available  ⇔  n ≤ (available + gap) / (min + gap).
  const columns = Math.max(1, Math.floor((available + gap) / (minCellSize + gap)));
  const cellSize = Math.max(1, Math.floor((available - gap * (columns - 1)) / columns));
  const cellHeight = cellSize + captionHeight;
  const rowPitch = cellHeight + gap;
  const rowCount = Math.ceil(itemCount / columns);
  const totalHeight = rowCount === 0 ? 0 : 2 * padding + rowCount * rowPitch - gap;
  return { itemCount, columns, cellSize, cellHeight, rowPitch, rowCount, totalHeight, gap, padding };
}

/** Top edge of a row, in the spacer's coordinates. */
export function rowTop(metrics: GridMetrics, row: number): number {
  return metrics.padding + row * metrics.rowPitch;
}

/** Where item `index` sits: its row and column and its top-left corner in the spacer. */
export function cellPosition(
  metrics: GridMetrics,
  index: number,
): { row: number; column: number; x: number; y: number } {
  const row = Math.floor(index / metrics.columns);
  const column = index % metrics.columns;
  return {
    row,
    column,
    x: metrics.padding + column * (metrics.cellSize + metrics.gap),
    y: rowTop(metrics, row),
  };
}

export function visibleRange(
  metrics: GridMetrics,
  scrollTop: number,
  viewportHeight: number,
  overscanRows = DEFAULT_OVERSCAN_ROWS,
): VisibleRange {
  const { rowCount, rowPitch, cellHeight, padding, columns, itemCount } = metrics;
  if (rowCount === 0) {
    return { firstVisibleRow: 0, lastVisibleRow: -1, firstRow: 0, lastRow: -1, startIndex: 0, endIndex: 0 };
  }
  const top = nonNegative(scrollTop) - padding;
  const bottom = top + nonNegative(viewportHeight);

  let firstVisibleRow = Math.floor(top / rowPitch);
  // The viewport starts inside the gap under a row: that row is already out of sight.
  if (top - firstVisibleRow * rowPitch >= cellHeight) firstVisibleRow += 1;
  firstVisibleRow = clamp(firstVisibleRow, 0, rowCount - 1);
  // The bottom edge is exclusive: a row starting exactly there is not visible.
  const lastVisibleRow = clamp(Math.ceil(bottom / rowPitch) - 1, firstVisibleRow, rowCount - 1);

  const overscan = Math.floor(nonNegative(overscanRows));
  const firstRow = Math.max(0, firstVisibleRow - overscan);
  const lastRow = Math.min(rowCount - 1, lastVisibleRow + overscan);
  return {
    firstVisibleRow,
    lastVisibleRow,
    firstRow,
    lastRow,
    startIndex: firstRow * columns,
    endIndex: Math.min(itemCount, (lastRow + 1) * columns),
  };
}

/** Metrics and the rows to render in one call. */
export function computeGridLayout(input: GridLayoutInput): GridLayout {
  const metrics = gridMetrics(input);
  return { ...metrics, ...visibleRange(metrics, input.scrollTop, input.viewportHeight, input.overscanRows) };
}

/** The largest useful scrollTop. */
export function maxScrollTop(metrics: GridMetrics, viewportHeight: number): number {
  return Math.max(0, metrics.totalHeight - nonNegative(viewportHeight));
}

/**
 * The scrollTop that brings item `index` fully into view, moving as little as possible; the current
 * scrollTop when it is already in view (or the index is out of range). Scrolling leaves `padding`
 * above or below the cell, so the first and last rows line up with the grid's edges.
 */
export function scrollOffsetToReveal(
  metrics: GridMetrics,
  index: number,
  scrollTop: number,
  viewportHeight: number,
): number {
  if (!Number.isInteger(index) || index < 0 || index >= metrics.itemCount) return scrollTop;
  const height = nonNegative(viewportHeight);
  const top = rowTop(metrics, Math.floor(index / metrics.columns));
  const bottom = top + metrics.cellHeight;
  if (top >= scrollTop && bottom <= scrollTop + height) return scrollTop;
  const margin = metrics.padding;
  let target: number;
  if (top < scrollTop || metrics.cellHeight + 2 * margin > height) target = top - margin;
  else target = bottom + margin - height;
  return clamp(target, 0, maxScrollTop(metrics, height));
}

/**
 * After a resize changes the columns (or cell size), the scrollTop that keeps the item that was at
 * the top of the viewport there, at the same fraction of its row, instead of jumping elsewhere.
 */
export function scrollTopAfterResize(
  previous: GridMetrics,
  next: GridMetrics,
  scrollTop: number,
  viewportHeight: number,
): number {
  if (previous.rowCount === 0 || next.rowCount === 0) return 0;
  // Still above the first row: nothing to anchor to yet.
  if (scrollTop <= previous.padding) return clamp(scrollTop, 0, maxScrollTop(next, viewportHeight));
  if (previous.columns === next.columns && previous.rowPitch === next.rowPitch && previous.padding === next.padding) {
    return clamp(scrollTop, 0, maxScrollTop(next, viewportHeight));
  }
  const offset = scrollTop - previous.padding;
  const row = Math.min(previous.rowCount - 1, Math.floor(offset / previous.rowPitch));
  const fraction = Math.min(1, (offset - row * previous.rowPitch) / previous.rowPitch);
  const topIndex = Math.min(row * previous.columns, Math.max(0, next.itemCount - 1));
  const nextRow = Math.floor(topIndex / next.columns);
  const target = Math.round(rowTop(next, nextRow) + fraction * next.rowPitch);
  return clamp(target, 0, maxScrollTop(next, viewportHeight));
}

/** Whole rows that fit in the viewport (at least 1): how far PageUp/PageDown jump. */
export function rowsPerPage(metrics: GridMetrics, viewportHeight: number): number {
  return Math.max(1, Math.floor((nonNegative(viewportHeight) + metrics.gap) / metrics.rowPitch));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
