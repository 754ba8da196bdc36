import { useEffect } from 'react';
import { matchCommand } from '../../../../shared/commands';
import type { Asset } from '../../../../shared/domain';
import type { Variant } from '../../../../shared/jobs';
import type { CullChange, VariantChange } from '../../store/culling-slice';
import { isTyping } from './keys';

export interface PhotoKeysContext {
  /** The mask editor is open: it answers its own keys. */
  painting: boolean;
  photos: readonly Asset[];
  index: number;
  asset: Asset | undefined;
  variants: readonly Variant[];
  variant: Variant | null;
  selectVariant: (id: string | null) => void;
  openAsset: (id: string | null) => void;
  /** Marks the variant in view. */
  markVariant: (variant: Variant, change: VariantChange) => void;
  /** Marks the photo (while it has no variants, the keys mark the photo itself). */
  markPhoto: (asset: Asset, change: CullChange) => void;
  /** After P or X on a photo with no variants, the next photo opens (the auto-advance setting). */
  autoAdvance: boolean;
  /** Turns the photo itself (whatever variant is in view). */
  turnPhoto: (asset: Asset, by: 1 | -1) => void;
  /** Shows or leaves the try-on three-up; absent when the variant in view is not a try-on. */
  toggleThreeUp?: (() => void) | undefined;
}

/**
 * The photo view's keys: ←/→ between variants, ↑/↓ between photos, and P, X, U, 0–5 and A on the
 * variant in view, or on the photo while it has no variants (A approves and takes approval back).
 */
export function usePhotoKeys(context: PhotoKeysContext): void {
  const { painting, photos, index, asset, variants, variant, selectVariant, openAsset } = context;
  const { markVariant, markPhoto, autoAdvance, turnPhoto, toggleThreeUp } = context;
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (painting || event.defaultPrevented || isTyping(event)) return;
      const at = variant ? variants.indexOf(variant) : -1;
      const command = matchCommand('photo', event)?.id;
      // The same keys as in the grid, meaning the same: P picks, X rejects (a second press changes nothing).
      const change: CullChange | null =
        command === 'photo.pick'
          ? { pick: 'picked' }
          : command === 'photo.reject'
            ? { pick: 'rejected' }
            : command === 'photo.unflag'
              ? { pick: 'none' }
              : command === 'photo.rate'
                ? { rating: Number(event.key) }
                : null;
      if (command === 'photo.back') openAsset(null);
      else if (asset && command === 'photo.turnLeft') turnPhoto(asset, -1);
      else if (asset && command === 'photo.turnRight') turnPhoto(asset, 1);
      else if (toggleThreeUp && command === 'photo.threeUp') toggleThreeUp();
      else if (command === 'photo.nextVariant' && at + 1 < variants.length) selectVariant(variants[at + 1]?.id ?? null);
      else if (command === 'photo.previousVariant' && at > 0) selectVariant(variants[at - 1]?.id ?? null);
      else if (command === 'photo.nextPhoto' && index + 1 < photos.length) openAsset(photos[index + 1]?.id ?? null);
      else if (command === 'photo.previousPhoto' && index > 0) openAsset(photos[index - 1]?.id ?? null);
      else if (variant && command === 'photo.approve') markVariant(variant, { approved: !variant.approved });
      else if (variant && change) markVariant(variant, change);
      else if (!variant && asset && change) {
        markPhoto(asset, change);
        const flagged = change.pick !== undefined && change.pick !== 'none';
        if (autoAdvance && flagged && index + 1 < photos.length) openAsset(photos[index + 1]?.id ?? null);
      } else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [
    painting,
    photos,
    index,
    asset,
    variants,
    variant,
    selectVariant,
    openAsset,
    markVariant,
    markPhoto,
    autoAdvance,
    turnPhoto,
    toggleThreeUp,
  ]);
}
