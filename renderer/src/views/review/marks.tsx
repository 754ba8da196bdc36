import type { Pick } from './pick';

/** The pick flag as a small badge (nothing for unflagged). */
export function PickBadge({ pick }: { pick: Pick }): React.JSX.Element | null {
  if (pick === 'picked') return <span className="pick-badge picked">Pick</span>;
  if (pick === 'rejected') return <span className="pick-badge rejected">Rejected</span>;
  return null;
}

/** 0–5 stars; nothing for unrated. */
export function RatingStars({ rating }: { rating: number }): React.JSX.Element | null {
  if (rating <= 0) return null;
  return (
    <span className="rating" aria-label={`${rating} star${rating > 1 ? 's' : ''}`}>
      {'★'.repeat(rating)}
    </span>
  );
}
