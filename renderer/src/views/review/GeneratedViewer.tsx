import { useEffect, useRef } from 'react';
import { generatedName } from '../../../../shared/job-inputs';
import type { Variant } from '../../../../shared/jobs';
import { VariantVideo } from '../../components/video/VariantVideo';
import { useMediaUrl } from '../../store/context';

/** A generated item seen large: a picture, or a video in the player (Esc closes). */
export function GeneratedViewer({ variant, onClose }: { variant: Variant; onClose: () => void }): React.JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null);
  const mediaUrl = useMediaUrl();
  const name = generatedName(variant);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="run-dialog generated-viewer" aria-label={name} onCancel={onClose}>
      <h2>{name}</h2>
      {variant.kind === 'video' ? (
        <VariantVideo variant={variant} label={name} />
      ) : (
        <img src={mediaUrl('variant', variant.mediaId)} alt={name} className="generated-viewer-image" />
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
