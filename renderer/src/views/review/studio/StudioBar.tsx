import { useState } from 'react';
import type { Asset } from '../../../../../shared/domain';
import { useApp, useMediaUrl } from '../../../store/context';
import { useProviderList } from '../../../store/use-provider-units';
import { AnimateDialog, type AnimateTarget } from './AnimateDialog';
import { GenerateImagesDialog } from './GenerateImagesDialog';
import { studioOperations } from './studio-operations';

/**
 * Images and video for a shoot: pictures from a prompt (they join the shoot as generated items),
 * and the one selected photo brought to life as a video. A result is animated from its own tile
 * under "Generated in this shoot".
 */
export function StudioBar({
  shootId,
  selected,
}: {
  shootId: string;
  selected: readonly Asset[];
}): React.JSX.Element | null {
  const say = useApp((state) => state.say);
  const mediaUrl = useMediaUrl();
  const operations = studioOperations(useProviderList());
  const [open, setOpen] = useState<'images' | AnimateTarget | null>(null);
  if (!operations.images && !operations.animate) return null;
  const [photo] = selected;
  const closed = (ran: boolean, words: string): void => {
    setOpen(null);
    if (ran) say(words);
  };
  return (
    <div className="fashion-bar" role="toolbar" aria-label="Images and video">
      {operations.images ? (
        <button type="button" onClick={() => setOpen('images')}>
          Generate images…
        </button>
      ) : null}
      {operations.animate ? (
        <button
          type="button"
          disabled={selected.length !== 1 || !photo}
          title={selected.length !== 1 ? 'Select one photo to animate' : undefined}
          onClick={() =>
            photo &&
            setOpen({
              kind: 'asset',
              id: photo.id,
              name: photo.relativePath.split('/').pop() ?? 'the photo',
              imageUrl: mediaUrl('thumbnail', photo.id),
            })
          }
        >
          Animate…
        </button>
      ) : null}
      {open === 'images' && operations.images ? (
        <GenerateImagesDialog
          shootId={shootId}
          operation={operations.images}
          onClose={(ran) => closed(ran, 'Images queued: they appear under “Generated in this shoot”.')}
        />
      ) : null}
      {open !== null && open !== 'images' && operations.animate ? (
        <AnimateDialog
          target={open}
          operation={operations.animate}
          onClose={(ran) => closed(ran, 'Video queued: it appears with the picture’s results when it is ready.')}
        />
      ) : null}
    </div>
  );
}
