import { useEffect, useMemo, useState } from 'react';
import { hintFor, matchCommand } from '../../commands';
import { isTerminal } from '../../../../shared/job-model';
import type { Asset } from '../../../../shared/domain';
import type { Variant } from '../../../../shared/jobs';
import { CompareView, type CompareImage, type CompareMode } from '../../components/compare/CompareView';
import { MaskEditor } from '../../components/mask/MaskEditor';
import { PURPOSE_WORDS } from '../../components/mask/purpose-words';
import { MaskPurposeSchema } from '../../../../shared/mask';
import { useApp, useMediaUrl } from '../../store/context';
import { visibleAssets } from '../../store/review-slice';
import { isTyping } from './keys';
import { PickBadge, RatingStars } from './marks';
import './review.css';

/** Formats a browser can draw at full resolution; others (HEIC, RAW, TIFF) are shown through their preview. */
const DRAWABLE = new Set(['jpeg', 'png', 'webp', 'avif', 'gif']);

/**
 * One photo and its variants: compare the source with a variant (or two variants), and cull the
 * variants with the keys editors already know. ←/→ move between variants, ↑/↓ between photos.
 */
export function AssetView(): React.JSX.Element {
  const assetId = useApp((state) => state.openAssetId);
  // Keyed by photo: a new photo starts on its first variant, compared with its source.
  return <AssetPanel key={assetId ?? ''} assetId={assetId} />;
}

function AssetPanel({ assetId }: { assetId: string | null }): React.JSX.Element {
  const mediaUrl = useMediaUrl();
  const allAssets = useApp((state) => state.assets);
  const filter = useApp((state) => state.filter);
  const variantsByAsset = useApp((state) => state.variantsByAsset);
  const jobsByAsset = useApp((state) => state.jobsByAsset);
  const openAsset = useApp((state) => state.openAsset);
  const updateVariant = useApp((state) => state.updateVariant);
  const maskEditor = useApp((state) => state.maskEditor);
  const paintMask = useApp((state) => state.paintMask);
  const closeMaskEditor = useApp((state) => state.closeMaskEditor);
  const painting = maskEditor !== null && maskEditor.assetId === assetId;

  const assets = useMemo(() => visibleAssets(allAssets, filter, variantsByAsset), [allAssets, filter, variantsByAsset]);
  const index = assets.findIndex((asset) => asset.id === assetId);
  const asset: Asset | undefined = assets[index] ?? allAssets.find((candidate) => candidate.id === assetId);
  const variants = useMemo(
    () => (asset ? (variantsByAsset[asset.id] ?? []).filter((variant) => variant.kind !== 'text') : []),
    [asset, variantsByAsset],
  );
  const [variantId, setVariantId] = useState<string | null>(null);
  const [baseId, setBaseId] = useState<string>('source');
  const [mode, setMode] = useState<CompareMode>('slider');
  const [showingBefore, setShowingBefore] = useState(false);

  const variant = variants.find((candidate) => candidate.id === variantId) ?? variants[0] ?? null;
  const base = variants.find((candidate) => candidate.id === baseId) ?? null;
  const running = asset ? (jobsByAsset[asset.id] ?? []).filter((job) => !isTerminal(job.state)) : [];

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      // The mask editor answers its own keys.
      if (painting || isTyping(event)) return;
      const at = variant ? variants.indexOf(variant) : -1;
      const command = matchCommand('photo', event)?.id;
      if (command === 'photo.back') openAsset(null);
      else if (command === 'photo.nextVariant' && at + 1 < variants.length) setVariantId(variants[at + 1]?.id ?? null);
      else if (command === 'photo.previousVariant' && at > 0) setVariantId(variants[at - 1]?.id ?? null);
      else if (command === 'photo.nextPhoto' && index + 1 < assets.length) openAsset(assets[index + 1]?.id ?? null);
      else if (command === 'photo.previousPhoto' && index > 0) openAsset(assets[index - 1]?.id ?? null);
      else if (variant && command === 'photo.pick')
        void updateVariant(variant.id, { pick: variant.pick === 'picked' ? 'none' : 'picked' });
      else if (variant && command === 'photo.reject')
        void updateVariant(variant.id, { pick: variant.pick === 'rejected' ? 'none' : 'rejected' });
      else if (variant && command === 'photo.unflag') void updateVariant(variant.id, { pick: 'none' });
      else if (variant && command === 'photo.approve') void updateVariant(variant.id, { approved: !variant.approved });
      else if (variant && command === 'photo.rate') void updateVariant(variant.id, { rating: Number(event.key) });
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [assets, index, openAsset, painting, updateVariant, variant, variants]);

  if (!asset) {
    return (
      <section className="view" aria-label="Photo">
        <p className="empty">This photo is no longer in the shoot.</p>
        <button type="button" onClick={() => openAsset(null)}>
          Back to the shoot
        </button>
      </section>
    );
  }

  const sourceImage = (photo: Asset): CompareImage => ({
    previewUrl: mediaUrl('preview', photo.id),
    fullUrl: DRAWABLE.has(photo.format ?? '') ? mediaUrl('original', photo.id) : mediaUrl('preview', photo.id),
    width: photo.width ?? 1,
    height: photo.height ?? 1,
    label: 'Original',
  });
  const variantImage = (made: Variant, label: string): CompareImage => ({
    previewUrl: mediaUrl('variant', made.mediaId),
    fullUrl: mediaUrl('variant', made.mediaId),
    width: made.width ?? asset.width ?? 1,
    height: made.height ?? asset.height ?? 1,
    label,
  });
  const name = asset.relativePath.split('/').pop() ?? asset.relativePath;

  if (painting) {
    return (
      <section className="view asset-view" aria-label={`Photo ${name}`}>
        <MaskEditor
          key={`${maskEditor.maskId ?? maskEditor.purpose}:${maskEditor.opened}`}
          asset={asset}
          purpose={maskEditor.purpose}
          maskId={maskEditor.maskId ?? null}
          onClose={closeMaskEditor}
        />
      </section>
    );
  }

  const onToggle = (): void => {
    // `\` shows the before image full frame at once, from any mode, as Lightroom does.
    if (mode !== 'toggle') {
      setMode('toggle');
      setShowingBefore(true);
    } else setShowingBefore((before) => !before);
  };

  return (
    <section className="view asset-view" aria-label={`Photo ${name}`}>
      <header className="view-header asset-header">
        <button type="button" onClick={() => openAsset(null)} title="Back to the shoot (Esc)">
          ← Shoot
        </button>
        <h1 className="asset-title">{name}</h1>
        <span className="muted">
          {index >= 0 ? `${index + 1} of ${assets.length}` : ''} · {asset.width}×{asset.height}
          {asset.camera ? ` · ${asset.camera}` : ''}
        </span>
        <label className="paint-mask">
          <select
            aria-label="Paint a mask"
            value=""
            onChange={(event) => {
              const parsed = MaskPurposeSchema.safeParse(event.target.value);
              if (parsed.success) paintMask(asset.id, parsed.data);
            }}
          >
            <option value="">Paint a mask…</option>
            {MaskPurposeSchema.options.map((purpose) => (
              <option key={purpose} value={purpose}>
                {PURPOSE_WORDS[purpose]}
              </option>
            ))}
          </select>
        </label>
        {variant ? (
          <label className="compare-base">
            Compare with{' '}
            <select value={baseId} onChange={(event) => setBaseId(event.target.value)} aria-label="Compare with">
              <option value="source">the original</option>
              {variants
                .filter((candidate) => candidate.id !== variant.id && candidate.kind === 'image')
                .map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    variant {variants.indexOf(candidate) + 1}
                  </option>
                ))}
            </select>
          </label>
        ) : null}
      </header>

      <div className="asset-stage">
        {variant?.kind === 'video' ? (
          <video
            className="asset-video"
            controls
            src={mediaUrl('variant', variant.mediaId)}
            aria-label="Video variant"
          />
        ) : variant ? (
          <CompareView
            before={base ? variantImage(base, `Variant ${variants.indexOf(base) + 1}`) : sourceImage(asset)}
            after={variantImage(variant, `Variant ${variants.indexOf(variant) + 1}`)}
            mode={mode}
            onModeChange={(next) => {
              setMode(next);
              setShowingBefore(false);
            }}
            showingBefore={showingBefore}
            onToggle={onToggle}
          />
        ) : (
          <div className="asset-single">
            <img src={mediaUrl('preview', asset.id)} alt={name} data-testid="asset-preview" />
            <p className="muted">
              {running.length > 0
                ? `${running.length} job${running.length > 1 ? 's' : ''} running for this photo; variants appear here when done.`
                : 'No variants yet. Run a recipe on this photo from the shoot.'}
            </p>
          </div>
        )}
      </div>

      {variants.length > 0 ? (
        <ul className="filmstrip" role="listbox" aria-label="Variants" aria-orientation="horizontal">
          {variants.map((made, at) => (
            <li
              key={made.id}
              role="option"
              aria-selected={made.id === variant?.id}
              aria-label={`Variant ${at + 1}${made.pick === 'picked' ? ', picked' : made.pick === 'rejected' ? ', rejected' : ''}${made.approved ? ', approved' : ''}`}
              className={`filmstrip-item${made.id === variant?.id ? ' selected' : ''}${made.pick === 'rejected' ? ' rejected' : ''}`}
              onClick={() => setVariantId(made.id)}
            >
              {made.kind === 'video' ? (
                <span className="filmstrip-video">Video</span>
              ) : (
                <img src={mediaUrl('variant', made.mediaId)} alt="" loading="lazy" decoding="async" />
              )}
              <span className="filmstrip-meta">
                <PickBadge pick={made.pick} />
                <RatingStars rating={made.rating} />
                {made.approved ? <span className="approved-badge">Approved</span> : null}
                {made.remote?.version !== null && made.remote?.version !== undefined ? (
                  <span className="muted">
                    v{made.remote.version}.{made.remote.subversion ?? 0}
                  </span>
                ) : null}
                <span className="muted">
                  {made.width}×{made.height}
                </span>
              </span>
              <button
                type="button"
                className="link-button"
                onClick={(event) => {
                  event.stopPropagation();
                  void updateVariant(made.id, { approved: !made.approved });
                }}
              >
                {made.approved ? 'Unapprove' : 'Approve'}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="hint muted">
        {hintFor([
          'photo.pick',
          'photo.reject',
          'photo.rate',
          'photo.approve',
          'photo.nextVariant',
          'photo.nextPhoto',
          'compare.beforeAfter',
          'compare.mode',
          'compare.zoom',
          'compare.loupe',
          'photo.back',
        ])}
      </p>
    </section>
  );
}
