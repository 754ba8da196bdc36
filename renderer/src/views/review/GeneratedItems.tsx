import { generatedName } from '../../../../shared/job-inputs';
import type { Variant } from '../../../../shared/jobs';
import { gridCullingChange } from './culling-keys';
import { useApp, useMediaUrl } from '../../store/context';

/**
 * Results a shoot made from a prompt (no photo of their own): shown beside the shoot's photos
 * under the stable name export's `{name}` gives them, and culled with the grid's keys (P, X, U, 0–5)
 * or the buttons, and approved, the way variants are.
 */
export function GeneratedItems({
  variants,
  onFocusItem,
}: {
  variants: readonly Variant[];
  /** An item took the keyboard focus (the info panel shows it). */
  onFocusItem?: (variant: Variant) => void;
}): React.JSX.Element | null {
  const mediaUrl = useMediaUrl();
  const updateVariant = useApp((state) => state.updateVariant);
  if (variants.length === 0) return null;
  return (
    <section className="generated-items" aria-label="Generated in this shoot">
      <h3>Generated in this shoot ({variants.length})</h3>
      <ul>
        {variants.map((variant) => {
          const name = generatedName(variant);
          return (
            <li
              key={variant.id}
              data-pick={variant.pick}
              data-testid="generated-item"
              tabIndex={0}
              aria-label={name}
              onFocus={() => onFocusItem?.(variant)}
              onKeyDown={(event) => {
                const change = gridCullingChange(event);
                if (!change) return;
                event.preventDefault();
                void updateVariant(variant.id, change, name);
              }}
            >
              {variant.kind === 'image' ? (
                <img src={mediaUrl('variant', variant.mediaId)} alt={name} loading="lazy" />
              ) : null}
              <span className="generated-name">
                {name}
                {variant.rating > 0 ? ` · ${'★'.repeat(variant.rating)}` : ''}
              </span>
              <span className="generated-actions">
                <button
                  type="button"
                  aria-pressed={variant.pick === 'picked'}
                  onClick={() =>
                    void updateVariant(variant.id, { pick: variant.pick === 'picked' ? 'none' : 'picked' }, name)
                  }
                >
                  Pick
                </button>
                <button
                  type="button"
                  aria-pressed={variant.pick === 'rejected'}
                  onClick={() =>
                    void updateVariant(variant.id, { pick: variant.pick === 'rejected' ? 'none' : 'rejected' }, name)
                  }
                >
                  Reject
                </button>
                <button
                  type="button"
                  aria-pressed={variant.approved}
                  onClick={() => void updateVariant(variant.id, { approved: !variant.approved }, name)}
                >
                  {variant.approved ? 'Approved' : 'Approve'}
                </button>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
