import { useState } from 'react';
import { generatedName } from '../../../../shared/job-inputs';
import type { Variant } from '../../../../shared/jobs';
import { matchCommand } from '../../../../shared/commands';
import { gridCullingChange } from './culling-keys';
import { GeneratedViewer } from './GeneratedViewer';
import { AnimateDialog, type AnimateTarget } from './studio/AnimateDialog';
import { studioOperations } from './studio/studio-operations';
import { useApp, useMediaUrl } from '../../store/context';
import { useProviderList } from '../../store/use-provider-units';
import './generated.css';

/**
 * Results a shoot made from a prompt (no photo of their own): shown beside the shoot's photos
 * under the stable name export's `{name}` gives them, and culled with the grid's keys (P, X, U, 0–5)
 * or the buttons, and approved, the way variants are. Each opens large (Enter or Open: a video
 * plays there), and a picture can be animated into a video.
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
  const say = useApp((state) => state.say);
  const animate = studioOperations(useProviderList()).animate;
  const [viewing, setViewing] = useState<Variant | null>(null);
  const [animating, setAnimating] = useState<AnimateTarget | null>(null);
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
              data-kind={variant.kind}
              data-testid="generated-item"
              tabIndex={0}
              aria-label={name}
              onFocus={() => onFocusItem?.(variant)}
              onKeyDown={(event) => {
                if (matchCommand('grid', event)?.id === 'grid.open' && event.target === event.currentTarget) {
                  event.preventDefault();
                  setViewing(variant);
                  return;
                }
                const change = gridCullingChange(event);
                if (!change) return;
                event.preventDefault();
                void updateVariant(variant.id, change, name);
              }}
            >
              {variant.kind === 'image' ? (
                <img src={mediaUrl('variant', variant.mediaId)} alt={name} loading="lazy" />
              ) : variant.kind === 'video' ? (
                <video src={mediaUrl('variant', variant.mediaId)} preload="metadata" muted aria-label={name} />
              ) : null}
              <span className="generated-name">
                {name}
                {variant.rating > 0 ? ` · ${'★'.repeat(variant.rating)}` : ''}
              </span>
              <span className="generated-actions">
                <button type="button" onClick={() => setViewing(variant)}>
                  {variant.kind === 'video' ? 'Play' : 'Open'}
                </button>
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
                {animate && variant.kind === 'image' ? (
                  <button
                    type="button"
                    onClick={() =>
                      setAnimating({
                        kind: 'variant',
                        id: variant.id,
                        name,
                        imageUrl: mediaUrl('variant', variant.mediaId),
                      })
                    }
                  >
                    Animate…
                  </button>
                ) : null}
              </span>
            </li>
          );
        })}
      </ul>
      {viewing ? <GeneratedViewer variant={viewing} onClose={() => setViewing(null)} /> : null}
      {animating && animate ? (
        <AnimateDialog
          target={animating}
          operation={animate}
          onClose={(ran) => {
            setAnimating(null);
            if (ran) say('Video queued: it appears under “Generated in this shoot” when it is ready.');
          }}
        />
      ) : null}
    </section>
  );
}
