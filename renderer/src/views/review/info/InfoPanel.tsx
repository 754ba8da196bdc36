import type { Asset } from '../../../../../shared/domain';
import type { Variant } from '../../../../../shared/jobs';
import { useApp } from '../../../store/context';
import { useWorkNames } from '../../../store/use-work-names';
import { Descriptions } from './Descriptions';
import { PhotoFacts } from './PhotoFacts';
import { VariantFacts } from './VariantFacts';
import './info.css';

export interface InfoPanelProps {
  /** The photo in focus (the grid's cursor, or the photo view's photo). */
  asset: Asset | null;
  /** The result in view (the photo view's variant, or a generated item in focus). */
  variant: Variant | null;
  /** The title the result goes by where it is shown ("Variant 2 · Bright interior", "Generated …"). */
  variantTitle?: string;
  /** The photo's variants, numbered as the photo view numbers them. */
  siblings?: readonly Variant[];
}

/** The info panel (I): what is known of the photo and of the result in view, beside the grid or the photo. */
export function InfoPanel({ asset, variant, variantTitle, siblings = [] }: InfoPanelProps): React.JSX.Element {
  const toggleInfo = useApp((state) => state.toggleInfo);
  const names = useWorkNames();
  return (
    <aside className="info-panel" aria-label="Info">
      <header className="info-header">
        <h2>Info</h2>
        <button type="button" className="link-button" onClick={toggleInfo} title="Hide the info panel (I)">
          Hide
        </button>
      </header>
      {variant ? (
        <section aria-label="Result info">
          <h3 className="info-title">{variantTitle ?? 'Result'}</h3>
          <VariantFacts variant={variant} siblings={siblings} names={names} />
        </section>
      ) : null}
      {asset ? (
        <section aria-label="Photo info">
          <h3 className="info-title">{variant ? 'Original photo' : 'Photo'}</h3>
          <PhotoFacts assetId={asset.id} />
          <Descriptions assetId={asset.id} />
        </section>
      ) : null}
      {!asset && !variant ? <p className="muted">Select a photo to see its details.</p> : null}
    </aside>
  );
}
