import { useEffect, useState } from 'react';
import type { Asset } from '../../../../shared/domain';
import { PRODUCT_TYPE_WORDS, ProductTypeSchema } from '../../../../shared/garments';
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
  const garment = usePicture(job.inputs.garment);
  const source = usePicture(job.inputs.source);
  // The person as the job pinned them: a turn made since does not move the mask off them.
  const personUrl = source.url ?? photoMedia(mediaUrl, 'preview', person);
  const sentType = ProductTypeSchema.safeParse(job.params.productType);
  const garmentType = sentType.success ? sentType.data : garment.type;
  const mask = job.inputs.mask;
  const personName = person.relativePath.split('/').pop() ?? 'Person';

  return (
    <section className="threeup" aria-label="Person, garment and result" data-testid="three-up">
      <figure className="threeup-pane">
        <div className="threeup-picture">
          <img src={personUrl} alt={`Person ${personName}`} />
          {mask && showMask ? (
            <MaskOverlay
              key={`${mask.maskId}:${mask.version}`}
              mask={mask}
              label="Mask sent with the try-on (the garment area)"
            />
          ) : null}
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
          {garmentType ? <span className="muted"> · {PRODUCT_TYPE_WORDS[garmentType]}</span> : null}
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

/**
 * A picture a job was given (its person or garment), as pinned: a photo at its turn, or an earlier
 * result by its media file; with its name and product type (it may be in another shoot).
 */
function usePicture(ref: InputRef | undefined): {
  url: string | null;
  name: string;
  type: Asset['garment'];
} {
  const client = useClient();
  const mediaUrl = useMediaUrl();
  const [found, setFound] = useState<{ key: string; asset: Asset | null; variant: Variant | null } | null>(null);
  const key = ref ? (ref.kind === 'asset' ? `asset:${ref.assetId}` : `variant:${ref.variantId}`) : '';
  useEffect(() => {
    if (!key) return;
    let current = true;
    const [kind, id = ''] = key.split(/:(.*)/s);
    const read = async () => {
      if (kind === 'asset') return { key, asset: await client.call('assets.get', { id }), variant: null };
      const variant = await client.call('variants.get', { id });
      const asset = variant.assetId ? await client.call('assets.get', { id: variant.assetId }).catch(() => null) : null;
      return { key, asset, variant };
    };
    read()
      .then((answer) => current && setFound(answer))
      .catch(() => current && setFound({ key, asset: null, variant: null }));
    return () => {
      current = false;
    };
  }, [client, key]);
  if (!ref) return { url: null, name: 'Not given', type: null };
  const known = found?.key === key ? found : null;
  const fileName = known?.asset?.relativePath.split('/').pop();
  if (ref.kind === 'variant') {
    return {
      url: known?.variant ? mediaUrl('variant', known.variant.mediaId) : null,
      name: fileName ? `A result of ${fileName}` : 'An earlier result',
      type: known?.asset?.garment ?? null,
    };
  }
  return {
    url: photoMedia(mediaUrl, 'preview', { id: ref.assetId, turn: ref.turn ?? 0 }),
    name: fileName ?? 'A photo',
    type: known?.asset?.garment ?? null,
  };
}
