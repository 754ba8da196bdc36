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
  groupOf,
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
  /**
   * The family a variant belongs to ("Concept 2": a first generation and its variations), shown
   * together, the family named on its first; null for one of no family.
   */
  groupOf?: (variant: Variant) => string | null;
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
      {grouped(variants, groupOf).map(({ variant: made, group }) => {
        const title = titleOf(made);
        const marks = `${made.pick === 'picked' ? ', picked' : made.pick === 'rejected' ? ', rejected' : ''}${made.approved ? ', approved' : ''}`;
        return (
          <li
            key={made.id}
            role="option"
            aria-selected={made.id === current?.id}
            // "Variant 2": the number the title gives, wherever its family puts it in the strip.
            aria-label={`${title.split(' · ')[0] ?? title}${marks}`}
            className={`filmstrip-item${made.id === current?.id ? ' selected' : ''}${made.pick === 'rejected' ? ' rejected' : ''}${group ? ' filmstrip-group-start' : ''}`}
            onClick={() => onSelect(made.id)}
          >
            {group ? (
              <span className="filmstrip-group" data-testid="filmstrip-group">
                {group}
              </span>
            ) : null}
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

/** Variants with each family together, in the order its first member came; the family named on its first. */
function grouped(
  variants: readonly Variant[],
  groupOf: ((variant: Variant) => string | null) | undefined,
): { variant: Variant; group: string | null }[] {
  if (!groupOf) return variants.map((variant) => ({ variant, group: null }));
  const families = new Map<string, Variant[]>();
  const order: (Variant | string)[] = [];
  for (const variant of variants) {
    const family = groupOf(variant);
    if (family === null) {
      order.push(variant);
      continue;
    }
    const members = families.get(family);
    if (members) members.push(variant);
    else {
      families.set(family, [variant]);
      order.push(family);
    }
  }
  return order.flatMap((entry) =>
    typeof entry === 'string'
      ? (families.get(entry) ?? []).map((variant, at) => ({ variant, group: at === 0 ? entry : null }))
      : [{ variant: entry, group: null }],
  );
}
