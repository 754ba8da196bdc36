import { useState } from 'react';
import { useApp } from '../../../store/context';
import { useProviderList } from '../../../store/use-provider-units';
import { AnimateDialog, type AnimateTarget } from './AnimateDialog';
import { studioOperations } from './studio-operations';

/**
 * "Animate…" for the picture on screen in the photo view (the variant shown, else the photo): its
 * video lands among the photo's results. Nothing when no provider can animate a picture.
 */
export function AnimateButton({ target }: { target: AnimateTarget }): React.JSX.Element | null {
  const say = useApp((state) => state.say);
  const animate = studioOperations(useProviderList()).animate;
  const [open, setOpen] = useState(false);
  if (!animate) return null;
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Animate…
      </button>
      {open ? (
        <AnimateDialog
          target={target}
          operation={animate}
          onClose={(ran) => {
            setOpen(false);
            if (ran) say('Video queued: it appears among this photo’s results when it is ready.');
          }}
        />
      ) : null}
    </>
  );
}
