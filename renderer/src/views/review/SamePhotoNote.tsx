import { useState } from 'react';
import type { Asset } from '../../../../shared/domain';
import { useApp } from '../../store/context';
import { RunRecipeDialog } from './RunRecipeDialog';
import { sameAsWords } from './badges';

/**
 * Says that a photo is a byte copy of one already in the library, which is why no automatic recipe
 * ran on it, and offers both ways on: open the first, or run a recipe on this copy anyway.
 */
export function SamePhotoNote({ asset }: { asset: Asset }): React.JSX.Element | null {
  const openShoot = useApp((state) => state.openShoot);
  const openAsset = useApp((state) => state.openAsset);
  const say = useApp((state) => state.say);
  const [running, setRunning] = useState(false);
  const same = asset.sameAs;
  if (!same) return null;
  return (
    <p className="same-photo" role="note" data-testid="same-photo">
      <span>{sameAsWords(asset)}. Automatic recipes run once per photo, so none ran on this copy.</span>
      <button
        type="button"
        onClick={() => {
          if (same.shootId !== asset.shootId) openShoot(same.shootId);
          openAsset(same.assetId);
        }}
      >
        Open the first
      </button>
      <button type="button" onClick={() => setRunning(true)}>
        Run here anyway…
      </button>
      {running ? (
        <RunRecipeDialog
          assetIds={[asset.id]}
          title="Run a recipe on this copy"
          onClose={(ran) => {
            setRunning(false);
            if (ran) say('Queued on this copy. Its variants appear here.');
          }}
        />
      ) : null}
    </p>
  );
}
