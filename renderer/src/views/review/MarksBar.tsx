import type { Asset } from '../../../../shared/domain';
import type { Variant } from '../../../../shared/jobs';
import { PickBadge, RatingStars } from './marks';

/**
 * The photo view's two sets of marks side by side, always in the same place: the photo's own flag
 * and stars (set in the grid), and those of what P, X, U and 1–5 mark here — the variant in view,
 * or the photo itself while it has no variants.
 */
export function MarksBar({
  asset,
  variant,
  variantTitle,
}: {
  asset: Asset;
  variant: Variant | null;
  variantTitle: string;
}): React.JSX.Element {
  return (
    <div className="marks-bar">
      <span className="marks-group" data-testid="photo-marks" aria-label="The photo's marks">
        <span className="marks-label">Photo</span>
        <PickBadge pick={asset.pick} />
        <RatingStars rating={asset.rating} />
        {asset.pick === 'none' && asset.rating === 0 ? <span className="muted">unmarked</span> : null}
      </span>
      <span className="marks-group marks-target" data-testid="key-target" aria-label="What the keys mark">
        <span className="marks-label">Keys mark</span>
        {variant ? (
          <>
            <span className="marks-name" title={variantTitle}>
              {variantTitle}
            </span>
            <span data-testid="variant-marks" className="marks-group">
              <PickBadge pick={variant.pick} />
              <RatingStars rating={variant.rating} />
              {variant.approved ? <span className="approved-badge">Approved</span> : null}
            </span>
          </>
        ) : (
          <span className="marks-name">the photo (it has no variants yet)</span>
        )}
      </span>
    </div>
  );
}
