import { useEffect, useState } from 'react';
import type { Asset } from '../../../../shared/domain';
import { PRODUCT_TYPE_WORDS } from '../../../../shared/garments';
import type { InputRef } from '../../../../shared/job-inputs';
import type { Job, Variant } from '../../../../shared/jobs';
import { MaskOverlay } from '../../components/mask/MaskOverlay';
import { photoMedia, useClient, useMediaUrl } from '../../store/context';

/**
 * A try-on result reviewed the way fashion teams review one: the person as sent (with the garment
 * area that was sent, when one was painted), the garment, and the result, side by side.
 */
export function TryOnThreeUp({
  person,
  job,
  result,
  resultTitle,
}: {
  person: Asset;
  /** The try-on job that made the result (its pinned person, garment and mask). */
  job: Job;
  result: Variant;
  resultTitle: string;
}): React.JSX.Element {
  const mediaUrl = useMediaUrl();
  const [showMask, setShowMask] = useState(true);
  const garment = useGarment(job.inputs.garment);
  const source = job.inputs.source;
  // The person as the job pinned them: a turn made since does not move the mask off them.
  const personUrl =
    source?.kind === 'asset'
      ? photoMedia(mediaUrl, 'preview', { id: source.assetId, turn: source.turn ?? 0 })
      : source?.kind === 'variant'
        ? mediaUrl('variant', source.variantId)
        : photoMedia(mediaUrl, 'preview', person);
  const mask = job.inputs.mask;
  const personName = person.relativePath.split('/').pop() ?? 'Person';

  return (
    <section className="threeup" aria-label="Person, garment and result" data-testid="three-up">
      <figure className="threeup-pane">
        <div className="threeup-picture">
          <img src={personUrl} alt={`Person ${personName}`} />
          {mask && showMask ? <MaskOverlay mask={mask} label="Mask sent with the try-on (the garment area)" /> : null}
        </div>
        <figcaption>
          <strong>Person</strong> · {personName}
          <br />
          {mask ? (
            <label>
              <input type="checkbox" checked={showMask} onChange={(event) => setShowMask(event.target.checked)} />{' '}
              Garment area painted (mask version {mask.version})
            </label>
          ) : (
            <span className="muted">Automatic garment area (no mask painted)</span>
          )}
        </figcaption>
      </figure>
      <figure className="threeup-pane">
        <div className="threeup-picture">
          {garment.url ? <img src={garment.url} alt={`Garment ${garment.name}`} /> : null}
        </div>
        <figcaption>
          <strong>Garment</strong> · {garment.name}
          {garment.type ? <span className="muted"> · {PRODUCT_TYPE_WORDS[garment.type]}</span> : null}
        </figcaption>
      </figure>
      <figure className="threeup-pane">
        <div className="threeup-picture">
          <img src={mediaUrl('variant', result.mediaId)} alt={`Result ${resultTitle}`} />
        </div>
        <figcaption>
          <strong>Result</strong> · {resultTitle}
          {result.approved ? <span className="threeup-approved"> · Approved</span> : null}
        </figcaption>
      </figure>
    </section>
  );
}

/** The garment a job was given: its picture (as pinned), name and product type; it may be in another shoot. */
function useGarment(ref: InputRef | undefined): {
  url: string | null;
  name: string;
  type: Asset['garment'];
} {
  const client = useClient();
  const mediaUrl = useMediaUrl();
  const [asset, setAsset] = useState<Asset | null>(null);
  const assetId = ref?.kind === 'asset' ? ref.assetId : null;
  useEffect(() => {
    if (!assetId) return;
    let current = true;
    client
      .call('assets.get', { id: assetId })
      .then((found) => current && setAsset(found))
      .catch(() => current && setAsset(null));
    return () => {
      current = false;
    };
  }, [client, assetId]);
  if (!ref) return { url: null, name: 'No garment', type: null };
  if (ref.kind === 'variant') return { url: mediaUrl('variant', ref.variantId), name: 'An earlier result', type: null };
  const known = asset?.id === ref.assetId ? asset : null;
  return {
    url: photoMedia(mediaUrl, 'preview', { id: ref.assetId, turn: ref.turn ?? 0 }),
    name: known?.relativePath.split('/').pop() ?? 'Garment photo',
    type: known?.garment ?? null,
  };
}
