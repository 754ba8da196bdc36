import { matchCommand, type KeyPress } from '../../../../shared/commands';
import { useWindowGridKeys } from './use-window-grid-keys';
import { useThumbnailsShown } from './use-thumbnails-shown';
import {
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import { flushSync } from 'react-dom';
import './grid.css';
import { GridCell } from './GridCell';
import type { GridItem, RenderBadge } from './grid-item';
import {
  DEFAULT_OVERSCAN_ROWS,
  cellPosition,
  gridMetrics,
  rowTop,
  rowsPerPage,
  scrollOffsetToReveal,
  scrollTopAfterResize,
  visibleRange,
  type GridMetrics,
  type GridMetricsInput,
} from './layout';
import {
  clearSelection,
  clickSelect,
  moveFocus,
  pruneSelection,
  selectAll,
  selectRange,
  toggleFocused,
  type FocusMove,
  type MoveMode,
  type SelectionState,
} from './selection';

// The grid's public face: callers import the item types and the default chip from here.
export type { GridBadge, GridBadgeKind, GridItem, RenderBadge } from './grid-item';
export { GridBadgeChip } from './GridCell';

export interface ThumbnailGridProps {
  /** In display order. Keep item objects stable (same object while unchanged): cells are memoised on them. */
  items: readonly GridItem[];
  selection: SelectionState;
  onSelectionChange: (next: SelectionState) => void;
  onOpen: (id: string) => void;
  /** Keys the grid does not handle itself (P/X/1–5…). Return true if handled. */
  onKey?: (event: KeyPress, focusedId: string | null) => boolean;
  thumbnailUrl: (id: string) => string;
  /**
   * Replaces the default badge chip. Return `undefined` to keep the default, `null` for none. It must
   * depend on the item only: a cell re-renders when its item changes, not when this function does.
   */
  renderBadge?: RenderBadge;
  /**
   * Called once, when the thumbnails first in view have loaded (or failed): work that would compete
   * with them (loading the rest of a shoot) can wait for this.
   */
  onThumbnailsShown?: () => void;
  minCellSize?: number;
  gap?: number;
  overscanRows?: number;
  'aria-label'?: string;
}

const DEFAULT_MIN_CELL = 160;
const DEFAULT_GAP = 8;
const PADDING = 8;
/** Height of the strip under each image with the file name and stars (matches grid.css). */
const CAPTION_HEIGHT = 24;

const MOVE_KEYS: Readonly<Record<string, FocusMove>> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  Home: 'home',
  End: 'end',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
};

interface ViewState {
  width: number;
  height: number;
  /** The scrollTop the rendered rows were computed from; updated only when the rows change. */
  scrollTop: number;
}

const INITIAL_VIEW: ViewState = { width: 0, height: 0, scrollTop: 0 };

function sameRows(metrics: GridMetrics, height: number, overscan: number, a: number, b: number): boolean {
  const ra = visibleRange(metrics, a, height, overscan);
  const rb = visibleRange(metrics, b, height, overscan);
  return ra.firstRow === rb.firstRow && ra.lastRow === rb.lastRow && ra.firstVisibleRow === rb.firstVisibleRow;
}

/** The cell element an event came from (or null), within any grid. */
function cellOf(target: EventTarget | null): HTMLElement | null {
  return target instanceof Element ? target.closest<HTMLElement>('[data-grid-cell]') : null;
}

export function ThumbnailGrid(props: ThumbnailGridProps): React.JSX.Element {
  const { items, selection, onSelectionChange, onOpen, onKey, thumbnailUrl, renderBadge, onThumbnailsShown } = props;
  const minCellSize = props.minCellSize ?? DEFAULT_MIN_CELL;
  const gap = props.gap ?? DEFAULT_GAP;
  const overscan = props.overscanRows ?? DEFAULT_OVERSCAN_ROWS;

  const scrollRef = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<ViewState>(INITIAL_VIEW);

  const ids = useMemo(() => items.map((item) => item.id), [items]);
  const indexById = useMemo(() => new Map(ids.map((id, index) => [id, index])), [ids]);

  const config: Omit<GridMetricsInput, 'containerWidth'> = useMemo(
    () => ({ itemCount: items.length, minCellSize, gap, padding: PADDING, captionHeight: CAPTION_HEIGHT }),
    [items.length, minCellSize, gap],
  );
  const metrics = useMemo(() => gridMetrics({ ...config, containerWidth: view.width }), [config, view.width]);
  const range = useMemo(
    () => visibleRange(metrics, view.scrollTop, view.height, overscan),
    [metrics, view.scrollTop, view.height, overscan],
  );

  const focusIndex = selection.focus === null ? -1 : (indexById.get(selection.focus) ?? -1);
  const focusId = focusIndex >= 0 ? (ids[focusIndex] ?? null) : null;
  // Roving tabindex: the focused cell, else the first visible one, so Tab always lands in view.
  const tabbableIndex =
    items.length === 0
      ? -1
      : focusIndex >= 0
        ? focusIndex
        : Math.min(items.length - 1, range.firstVisibleRow * metrics.columns);

  // Latest values for the ResizeObserver and the scroll frame, which live outside React's render.
  const live = useRef({ metrics, config, overscan, width: view.width });
  const pendingScrollTop = useRef<number | null>(null);
  const frame = useRef<number | null>(null);
  const hadFocus = useRef(false);

  useLayoutEffect(() => {
    live.current = { metrics, config, overscan, width: view.width };
    // A scroll position decided before this render (a resize re-anchoring) can only be applied now
    // that the spacer has its new height; set earlier, the browser would clamp it.
    const el = scrollRef.current;
    if (el && pendingScrollTop.current !== null) {
      el.scrollTop = pendingScrollTop.current;
      pendingScrollTop.current = null;
    }
  });

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      const width = el.clientWidth;
      const height = el.clientHeight;
      const previous = live.current.metrics;
      const next = gridMetrics({ ...live.current.config, containerWidth: width });
      // Keep the photo at the top of the viewport in place when the columns change.
      const scrollTop =
        live.current.width > 0 && (previous.columns !== next.columns || previous.rowPitch !== next.rowPitch)
          ? scrollTopAfterResize(previous, next, el.scrollTop, height)
          : el.scrollTop;
      if (scrollTop !== el.scrollTop) pendingScrollTop.current = scrollTop;
      flushSync(() =>
        setView((prev) =>
          prev.width === width && prev.height === height && prev.scrollTop === scrollTop
            ? prev
            : { width, height, scrollTop },
        ),
      );
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    },
    [],
  );

  const onScroll = (): void => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const el = scrollRef.current;
      if (!el) return;
      const scrollTop = el.scrollTop;
      const { metrics: current, overscan: rows } = live.current;
      // Render only when the set of rows changes, not on every pixel of scrolling.
      flushSync(() =>
        setView((prev) =>
          sameRows(current, prev.height, rows, prev.scrollTop, scrollTop) ? prev : { ...prev, scrollTop },
        ),
      );
    });
  };

  /** Scroll so item `index` is in view now, and render the rows there in the same pass. */
  const reveal = (index: number): void => {
    const el = scrollRef.current;
    if (!el || index < 0) return;
    const target = scrollOffsetToReveal(metrics, index, el.scrollTop, el.clientHeight);
    if (target === el.scrollTop) return;
    el.scrollTop = target;
    setView((prev) => ({ ...prev, scrollTop: target }));
  };

  // Items that disappeared (deleted, filtered out) leave the selection; a vanished focus moves to
  // its nearest neighbour so keyboard culling carries on.
  const previousIds = useRef(ids);
  useEffect(() => {
    const before = previousIds.current;
    previousIds.current = ids;
    const pruned = pruneSelection(selection, ids, before);
    if (pruned !== selection) onSelectionChange(pruned);
  }, [ids, selection, onSelectionChange]);

  useThumbnailsShown(scrollRef, view.width > 0, items, onThumbnailsShown);

  // When the focus moves (keyboard, or the parent advancing after a pick), bring it into view and
  // move DOM focus with it if the grid had focus.
  const lastFocus = useRef<string | null>(null);
  const measured = view.width > 0;
  useLayoutEffect(() => {
    // Before the first measurement the geometry is a placeholder: wait, and reveal afterwards.
    if (!measured || focusId === lastFocus.current) return;
    lastFocus.current = focusId;
    const el = scrollRef.current;
    if (!el || focusId === null || focusIndex < 0) return;
    const target = scrollOffsetToReveal(metrics, focusIndex, el.scrollTop, el.clientHeight);
    if (target !== el.scrollTop) el.scrollTop = target;
    const active = document.activeElement;
    const ownsFocus = el.contains(active) || (hadFocus.current && (active === null || active === document.body));
    if (!ownsFocus) return;
    const cell = el.querySelector<HTMLElement>(`[data-id="${CSS.escape(focusId)}"]`);
    if (cell && cell !== active) cell.focus({ preventScroll: true });
  }, [focusId, focusIndex, metrics, measured]);

  const change = (next: SelectionState): void => {
    if (next !== selection) onSelectionChange(next);
  };

  const onClick = (event: MouseEvent<HTMLDivElement>): void => {
    const cell = cellOf(event.target);
    const id = cell?.dataset.id;
    if (id === undefined) {
      // A plain click on the empty area between or below cells clears, as in file browsers.
      if (!event.shiftKey && !event.ctrlKey && !event.metaKey) change(clearSelection(selection));
      return;
    }
    change(clickSelect(selection, ids, id, { toggle: event.ctrlKey || event.metaKey, range: event.shiftKey }));
  };

  const onDoubleClick = (event: MouseEvent<HTMLDivElement>): void => {
    const id = cellOf(event.target)?.dataset.id;
    if (id !== undefined) onOpen(id);
  };

  /** Answers one key from cell `domId` (null: from outside the grid). True when it was the grid's. */
  const handleKey = (event: KeyPress, domId: string | null): boolean => {
    // Tabbing in lands on a cell without making it the focus yet: start from there.
    const base: SelectionState = focusId === null && domId !== null ? { ...selection, focus: domId } : selection;
    const focusedId = focusId ?? domId;
    const mod = event.ctrlKey || event.metaKey;
    const command = matchCommand('grid', event)?.id;

    let next: SelectionState;
    if (command === 'grid.move') {
      const mode: MoveMode = event.shiftKey ? (mod ? 'extendAdd' : 'extend') : mod ? 'focusOnly' : 'replace';
      const el = scrollRef.current;
      const pageRows = rowsPerPage(metrics, el ? el.clientHeight : view.height);
      next = moveFocus(base, ids, MOVE_KEYS[event.key] ?? 'down', { columns: metrics.columns, mode, pageRows });
    } else if (command === 'grid.selectAll') {
      next = selectAll(base, ids);
    } else if (command === 'grid.open' && focusedId !== null) {
      onOpen(focusedId);
      return true;
    } else if (command === 'grid.clear' && selection.selected.size > 0) {
      next = clearSelection(base);
    } else if (command === 'grid.toggle' && focusedId !== null) {
      next = toggleFocused(base);
    } else if (command === 'grid.range' && focusedId !== null) {
      next = selectRange(base, ids, focusedId);
    } else {
      return onKey?.(event, focusedId) ?? false;
    }
    if (next.focus !== null) reveal(indexById.get(next.focus) ?? -1);
    change(next);
    return true;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.defaultPrevented) return;
    const cell = cellOf(event.target);
    // Keys typed into a control a custom badge renders are that control's business.
    if (cell === null || cell !== event.target) return;
    if (!handleKey(event, cell.dataset.id ?? null)) return;
    event.preventDefault();
    event.stopPropagation();
  };

  useWindowGridKeys(scrollRef, (event) => {
    const handled = handleKey(event, null);
    // The cell the key lands on takes the DOM focus (see the layout effect above).
    if (handled) hadFocus.current = true;
    return handled;
  });

  const onFocus = (): void => {
    hadFocus.current = true;
  };
  const onBlur = (event: FocusEvent<HTMLDivElement>): void => {
    if (!scrollRef.current?.contains(event.relatedTarget)) hadFocus.current = false;
  };

  // The rows to render: the visible range plus overscan, plus the focused row wherever it is so DOM
  // focus survives scrolling it out of view.
  const rows: number[] = [];
  if (view.width > 0) {
    for (let row = range.firstRow; row <= range.lastRow; row++) rows.push(row);
    const focusRow = focusIndex >= 0 ? Math.floor(focusIndex / metrics.columns) : -1;
    if (focusRow >= 0 && (focusRow < range.firstRow || focusRow > range.lastRow)) rows.push(focusRow);
  }

  return (
    <div
      ref={scrollRef}
      className="thumb-grid"
      role="grid"
      aria-label={props['aria-label'] ?? 'Photos'}
      aria-multiselectable="true"
      aria-rowcount={metrics.rowCount}
      aria-colcount={metrics.columns}
      onScroll={onScroll}
      onClick={onClick}
      onDoubleClick={onDoubleClick}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
      onBlur={onBlur}
    >
      <div className="thumb-grid-spacer" role="presentation" style={{ height: metrics.totalHeight }}>
        {rows.map((row) => {
          const start = row * metrics.columns;
          const end = Math.min(items.length, start + metrics.columns);
          const cells: React.JSX.Element[] = [];
          for (let index = start; index < end; index++) {
            const item = items[index] as GridItem;
            const position = cellPosition(metrics, index);
            cells.push(
              <GridCell
                key={item.id}
                item={item}
                column={position.column}
                x={position.x}
                size={metrics.cellSize}
                height={metrics.cellHeight}
                src={thumbnailUrl(item.id)}
                selected={selection.selected.has(item.id)}
                current={index === focusIndex}
                tabbable={index === tabbableIndex}
                renderBadge={renderBadge}
              />,
            );
          }
          return (
            <div
              key={row}
              className="thumb-row"
              role="row"
              aria-rowindex={row + 1}
              style={{ top: rowTop(metrics, row), height: metrics.cellHeight }}
            >
              {cells}
            </div>
          );
        })}
      </div>
    </div>
  );
}
