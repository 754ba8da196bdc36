import type { Variant } from '../../../../shared/jobs';
import { PickBadge, RatingStars } from './marks';

/**
 * The photo's variants in a strip of fixed height (it is there, empty, before the first arrives,
 * so nothing moves when it does), each named by the work that made it.
 */
export function Filmstrip({
  variants,
  current,
  titleOf,
  mediaUrl,
  onSelect,
  onApprove,
  waiting,
}: {
  variants: readonly Variant[];
  current: Variant | null;
  /** "Variant 2 · Bright interior". */
  titleOf: (variant: Variant) => string;
  mediaUrl: (id: string) => string;
  onSelect: (id: string) => void;
  onApprove: (variant: Variant) => void;
  /** Said in the empty strip: jobs running, or how to make a variant. */
  waiting: string;
}): React.JSX.Element {
  if (variants.length === 0) {
    return (
      <div className="filmstrip filmstrip-empty" aria-label="Variants">
        <p className="muted">{waiting}</p>
      </div>
    );
  }
  return (
    <ul className="filmstrip" role="listbox" aria-label="Variants" aria-orientation="horizontal">
      {variants.map((made, at) => {
        const title = titleOf(made);
        const marks = `${made.pick === 'picked' ? ', picked' : made.pick === 'rejected' ? ', rejected' : ''}${made.approved ? ', approved' : ''}`;
        return (
          <li
            key={made.id}
            role="option"
            aria-selected={made.id === current?.id}
            aria-label={`Variant ${at + 1}${marks}`}
            className={`filmstrip-item${made.id === current?.id ? ' selected' : ''}${made.pick === 'rejected' ? ' rejected' : ''}`}
            onClick={() => onSelect(made.id)}
          >
            {made.kind === 'video' ? (
              <span className="filmstrip-video">Video</span>
            ) : (
              <img src={mediaUrl(made.mediaId)} alt="" loading="lazy" decoding="async" />
            )}
            <span className="filmstrip-name" title={title}>
              {title}
            </span>
            <span className="filmstrip-meta">
              <PickBadge pick={made.pick} />
              <RatingStars rating={made.rating} />
              {made.approved ? <span className="approved-badge">Approved</span> : null}
            </span>
            <span className="filmstrip-meta muted">
              {made.width}×{made.height}
              {made.remote?.version !== null && made.remote?.version !== undefined
                ? ` · v${made.remote.version}.${made.remote.subversion ?? 0}`
                : ''}
            </span>
            <button
              type="button"
              className="link-button"
              onClick={(event) => {
                event.stopPropagation();
                onApprove(made);
              }}
            >
              {made.approved ? 'Unapprove' : 'Approve'}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
