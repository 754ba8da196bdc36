import { memo, useState } from 'react';
import {
  BADGE_LABELS,
  clampProgress,
  describeItem,
  type GridBadge,
  type GridItem,
  type RenderBadge,
} from './grid-item';

export interface GridCellProps {
  item: GridItem;
  column: number;
  x: number;
  size: number;
  height: number;
  src: string;
  selected: boolean;
  /** The keyboard cursor (outlined while the grid has focus). */
  current: boolean;
  tabbable: boolean;
  renderBadge: RenderBadge | undefined;
}

/**
 * One photo. Memoised on everything but `renderBadge` (an inline function from the parent would
 * otherwise re-render every cell on each selection change); a selection change re-renders only the
 * cells whose flags changed.
 */
export const GridCell = memo(
  function GridCell(props: GridCellProps): React.JSX.Element {
    const { item, column, x, size, height, src, selected, current, tabbable, renderBadge } = props;
    const custom = renderBadge?.(item);
    const badge = custom !== undefined ? custom : item.badge ? <GridBadgeChip badge={item.badge} /> : null;
    const className = [
      'thumb-cell',
      selected ? 'is-selected' : '',
      current ? 'is-current' : '',
      item.pick === 'picked' ? 'is-picked' : '',
      item.pick === 'rejected' ? 'is-rejected' : '',
      item.state === 'missing' ? 'is-missing' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const rating = Math.max(0, Math.min(5, Math.round(item.rating)));
    return (
      <div
        className={className}
        role="gridcell"
        aria-colindex={column + 1}
        aria-selected={selected}
        aria-label={item.name}
        aria-description={describeItem(item, rating) || undefined}
        tabIndex={tabbable ? 0 : -1}
        data-grid-cell=""
        data-id={item.id}
        style={{ left: x, width: size, height }}
      >
        <div className="thumb-image" style={{ height: size }}>
          {item.state === 'pending' ? (
            <span className="thumb-placeholder">Decoding…</span>
          ) : item.state === 'error' ? (
            <span className="thumb-problem" data-testid="tile-problem">
              <strong>Unreadable</strong>
              <span>{item.problem?.reason}</span>
              <span className="thumb-problem-remedy">{item.problem?.remedy}</span>
            </span>
          ) : (
            <Thumbnail key={src} src={src} size={size} />
          )}
          {item.pick === 'picked' ? (
            <span className="thumb-flag thumb-flag-picked" data-testid="pick-flag" aria-hidden="true">
              ⚑
            </span>
          ) : item.pick === 'rejected' ? (
            <span className="thumb-flag thumb-flag-rejected" data-testid="reject-flag" aria-hidden="true">
              ✕
            </span>
          ) : null}
          {badge}
        </div>
        <div className="thumb-caption">
          <span className="thumb-name" title={item.name}>
            {item.name}
          </span>
          {item.tag ? (
            <span className="thumb-tag" data-testid="thumb-tag" aria-hidden="true">
              {item.tag}
            </span>
          ) : null}
          {item.approved ? (
            <span
              className="thumb-approved"
              data-testid="approved-mark"
              title={`${item.approved} approved variant${item.approved === 1 ? '' : 's'}`}
              aria-hidden="true"
            >
              ✓{item.approved > 1 ? item.approved : ''}
            </span>
          ) : null}
          {rating > 0 ? (
            <span className="thumb-stars" data-testid="rating" data-rating={rating} aria-hidden="true">
              {'★'.repeat(rating)}
            </span>
          ) : null}
        </div>
      </div>
    );
  },
  (a, b) =>
    a.item === b.item &&
    a.column === b.column &&
    a.x === b.x &&
    a.size === b.size &&
    a.height === b.height &&
    a.src === b.src &&
    a.selected === b.selected &&
    a.current === b.current &&
    a.tabbable === b.tabbable,
);

/** The image, with a placeholder if it fails to load (keyed by src, so a new URL tries again). */
function Thumbnail({ src, size }: { src: string; size: number }): React.JSX.Element {
  const [failed, setFailed] = useState(false);
  if (failed) return <span className="thumb-placeholder">No preview</span>;
  return (
    <img
      src={src}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      decoding="async"
      draggable={false}
      onError={() => setFailed(true)}
    />
  );
}

/** The default chip for a job's state on a photo; exported so a custom `renderBadge` can reuse it. */
export function GridBadgeChip({ badge }: { badge: GridBadge }): React.JSX.Element {
  const label =
    badge.kind === 'error' || badge.kind === 'missing'
      ? BADGE_LABELS[badge.kind]
      : badge.text || BADGE_LABELS[badge.kind];
  const progress = badge.kind === 'running' && badge.progress !== undefined ? clampProgress(badge.progress) : null;
  return (
    <span
      className={`thumb-badge thumb-badge-${badge.kind}`}
      data-testid={`badge-${badge.kind}`}
      title={badge.text || undefined}
    >
      <span className="thumb-badge-text">{label}</span>
      {progress !== null ? (
        <span
          className="thumb-progress"
          role="progressbar"
          aria-label="Progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(progress * 100)}
        >
          <span className="thumb-progress-bar" style={{ width: `${progress * 100}%` }} />
        </span>
      ) : null}
    </span>
  );
}
