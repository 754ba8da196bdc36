import { VariantVideo } from '../../components/video/VariantVideo';
import { AnimateButton } from './studio/AnimateButton';
import { useCallback, useMemo, useState } from 'react';
import { hintFor } from '../../shortcut-sheet';
import { isTerminal } from '../../../../shared/job-model';
import type { Asset } from '../../../../shared/domain';
import type { Variant } from '../../../../shared/jobs';
import { CompareView, type CompareImage } from '../../components/compare/CompareView';
import { MaskEditor } from '../../components/mask/MaskEditor';
import { PURPOSE_WORDS } from '../../components/mask/purpose-words';
import { MaskPurposeSchema } from '../../../../shared/mask';
import { photoMedia, useApp, useMediaUrl } from '../../store/context';
import { visibleAssets } from '../../store/review-slice';
import { useWorkNames } from '../../store/use-work-names';
import { CropPlacer } from './CropPlacer';
import { Filmstrip } from './Filmstrip';
import { InfoPanel } from './info/InfoPanel';
import { MarksBar } from './MarksBar';
import { usePhotoKeys } from './use-photo-keys';
import { photoProblem } from './photo-problem';
import { SamePhotoNote } from './SamePhotoNote';
import { TryOnThreeUp } from './TryOnThreeUp';
import { ExteriorDialog } from './exterior/ExteriorDialog';
import { useExterior } from './exterior/use-exterior';
import './review.css';

/** Formats a browser can draw at full resolution; others (HEIC, RAW, TIFF) are shown through their preview. */
const DRAWABLE = new Set(['jpeg', 'png', 'webp', 'avif', 'gif']);

/**
 * One photo and its variants: compare the source with a variant (or two variants), and cull the
 * variants with the keys editors already know. ←/→ move between variants, ↑/↓ between photos; the
 * compare mode and the zoom stay as they are from one photo to the next.
 */
export function AssetView(): React.JSX.Element {
  const assetId = useApp((state) => state.openAssetId);
  // The three-up stays on from one photo to the next, as the compare mode does.
  const [threeUp, setThreeUp] = useState(false);
  // Keyed by photo: a new photo starts on its first variant, compared with its source.
  return <AssetPanel key={assetId ?? ''} assetId={assetId} threeUp={threeUp} onThreeUp={setThreeUp} />;
}

function AssetPanel({
  assetId,
  threeUp,
  onThreeUp,
}: {
  assetId: string | null;
  /** Try-on results are shown as person, garment and result side by side. */
  threeUp: boolean;
  onThreeUp: (on: boolean) => void;
}): React.JSX.Element {
  const mediaUrl = useMediaUrl();
  const allAssets = useApp((state) => state.assets);
  // Every photo is in: a photo not found by then is gone (before, it may be on a page still to come).
  const complete = useApp((state) => state.assetsComplete && state.assetsShootId === state.openShootId);
  const filter = useApp((state) => state.filter);
  const variantsByAsset = useApp((state) => state.variantsByAsset);
  const jobsByAsset = useApp((state) => state.jobsByAsset);
  const openAsset = useApp((state) => state.openAsset);
  const updateVariant = useApp((state) => state.updateVariant);
  const cull = useApp((state) => state.cull);
  const maskEditor = useApp((state) => state.maskEditor);
  const paintMask = useApp((state) => state.paintMask);
  const closeMaskEditor = useApp((state) => state.closeMaskEditor);
  const mode = useApp((state) => state.compareMode);
  const setMode = useApp((state) => state.setCompareMode);
  const photoZoom = useApp((state) => state.photoZoom);
  const setPhotoZoom = useApp((state) => state.setPhotoZoom);
  const infoOpen = useApp((state) => state.infoOpen);
  const turnPhoto = useApp((state) => state.turnPhoto);
  const placeCrop = useApp((state) => state.placeCrop);
  const [placingCrop, setPlacingCrop] = useState(false);
  const autoAdvance = useApp((state) => state.settings?.autoAdvance ?? true);
  const names = useWorkNames();
  const painting = maskEditor !== null && maskEditor.assetId === assetId;

  // The open photo stays in the list while it is open, even when a mark takes it out of the filter
  // ("Picks", then U): ↑/↓ carry on from it and "3 of 12" still counts it.
  const assets = useMemo(() => {
    const shown = new Set(visibleAssets(allAssets, filter, variantsByAsset).map((asset) => asset.id));
    return allAssets.filter((asset) => asset.id === assetId || shown.has(asset.id));
  }, [allAssets, filter, variantsByAsset, assetId]);
  const index = assets.findIndex((asset) => asset.id === assetId);
  const asset: Asset | undefined = assets[index] ?? allAssets.find((candidate) => candidate.id === assetId);
  const variants = useMemo(
    () => (asset ? (variantsByAsset[asset.id] ?? []).filter((variant) => variant.kind !== 'text') : []),
    [asset, variantsByAsset],
  );
  const [variantId, setVariantId] = useState<string | null>(null);
  const [baseId, setBaseId] = useState<string>('source');
  const [showingBefore, setShowingBefore] = useState(false);

  const variant = variants.find((candidate) => candidate.id === variantId) ?? variants[0] ?? null;
  const base = variants.find((candidate) => candidate.id === baseId) ?? null;
  const jobs = asset ? (jobsByAsset[asset.id] ?? []) : [];
  const running = jobs.filter((job) => !isTerminal(job.state));
  const variantJob = variant ? jobs.find((job) => job.id === variant.jobId) : undefined;
  const tryOnJob = variantJob?.inputs.garment ? variantJob : undefined;
  const exterior = useExterior(variants, jobs);
  const [exteriorOpen, setExteriorOpen] = useState<'concept' | 'variation' | null>(null);
  const moreLikeThis = exterior.variationOf(variant);
  const concept = variant ? exterior.labelOf(variant) : null;
  /** "Variant 2 · Bright interior": its number in this photo, and the recipe (or operation) that made it. */
  const titleOf = (made: Variant): string =>
    `Variant ${variants.indexOf(made) + 1} · ${names.workOf(jobs.find((job) => job.id === made.jobId))}`;

  const markVariant = useCallback(
    (made: Variant, change: Parameters<typeof updateVariant>[1]) =>
      void updateVariant(made.id, change, `Variant ${variants.indexOf(made) + 1}`),
    [updateVariant, variants],
  );
  const markPhoto = useCallback(
    (photo: Asset, change: Parameters<typeof cull>[1]) => void cull([photo.id], change),
    [cull],
  );
  usePhotoKeys({
    painting,
    photos: assets,
    index,
    asset,
    variants,
    variant,
    selectVariant: setVariantId,
    openAsset,
    markVariant,
    markPhoto,
    autoAdvance,
    turnPhoto: useCallback((photo: Asset, by: 1 | -1) => void turnPhoto(photo.id, by), [turnPhoto]),
    toggleThreeUp: tryOnJob ? () => onThreeUp(!threeUp) : undefined,
  });

  if (!asset && !complete) return <p className="empty">Loading the photo…</p>;
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
    previewUrl: photoMedia(mediaUrl, 'preview', photo),
    // The original file is shown as its EXIF says: a photo the user turned is shown through its (turned) preview.
    fullUrl:
      DRAWABLE.has(photo.format ?? '') && photo.turn === 0
        ? mediaUrl('original', photo.id)
        : photoMedia(mediaUrl, 'preview', photo),
    width: photo.width ?? 1,
    height: photo.height ?? 1,
    label: 'Original',
  });
  const variantImage = (made: Variant): CompareImage => ({
    previewUrl: mediaUrl('variant', made.mediaId),
    fullUrl: mediaUrl('variant', made.mediaId),
    width: made.width ?? asset.width ?? 1,
    height: made.height ?? asset.height ?? 1,
    label: titleOf(made),
  });
  const name = asset.relativePath.split('/').pop() ?? asset.relativePath;
  const problem = photoProblem(asset);

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
        <h1 className="asset-title" title={name}>
          {name}
        </h1>
        <span className="muted">
          {[
            index >= 0 ? `${index + 1} of ${assets.length}` : null,
            asset.width && asset.height ? `${asset.width}×${asset.height}` : null,
            asset.camera,
          ]
            .filter(Boolean)
            .join(' · ')}
        </span>
        {problem ? null : (
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
        )}
        {problem ? null : (
          <span className="photo-tools" role="group" aria-label="The photo itself">
            <button type="button" title="Turn left (Ctrl/⌘ [)" onClick={() => void turnPhoto(asset.id, -1)}>
              ⟲ Turn left
            </button>
            <button type="button" title="Turn right (Ctrl/⌘ ])" onClick={() => void turnPhoto(asset.id, 1)}>
              ⟳ Turn right
            </button>
            <button type="button" aria-pressed={placingCrop} onClick={() => setPlacingCrop((on) => !on)}>
              {placingCrop ? 'Done placing crop' : 'Place export crop…'}
            </button>
          </span>
        )}
        {exterior.concept && !problem ? (
          <button type="button" onClick={() => setExteriorOpen('concept')}>
            Exterior concept…
          </button>
        ) : null}
        {moreLikeThis && variant ? (
          <button type="button" onClick={() => setExteriorOpen('variation')}>
            More like this…
          </button>
        ) : null}
        {!placingCrop && variant?.kind !== 'video' && variant?.kind !== 'text' ? (
          <AnimateButton
            target={
              variant
                ? {
                    kind: 'variant',
                    id: variant.id,
                    name: titleOf(variant),
                    imageUrl: mediaUrl('variant', variant.mediaId),
                  }
                : { kind: 'asset', id: asset.id, name: asset.relativePath, imageUrl: mediaUrl('thumbnail', asset.id) }
            }
          />
        ) : null}
        {tryOnJob && !placingCrop ? (
          <button
            type="button"
            aria-pressed={threeUp}
            title="Person, garment and result side by side (T)"
            onClick={() => onThreeUp(!threeUp)}
          >
            Person · garment · result
          </button>
        ) : null}
        {variant && !placingCrop && !(threeUp && tryOnJob) ? (
          <label className="compare-base">
            Compare with{' '}
            <select value={baseId} onChange={(event) => setBaseId(event.target.value)} aria-label="Compare with">
              <option value="source">the original</option>
              {variants
                .filter((candidate) => candidate.id !== variant.id && candidate.kind === 'image')
                .map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {titleOf(candidate)}
                  </option>
                ))}
            </select>
          </label>
        ) : null}
      </header>
      <MarksBar asset={asset} variant={variant} variantTitle={variant ? titleOf(variant) : ''} />
      {concept ? (
        <p className="concept-label" data-testid="concept-label">
          {concept}
        </p>
      ) : null}
      <SamePhotoNote asset={asset} />

      <div className="asset-body">
        <div className="asset-main">
          <div className="asset-stage">
            {placingCrop && !problem ? (
              <CropPlacer
                // A turn moves the frame's coordinates: start again from the engine's (turned) focus.
                key={`${asset.id}:${asset.turn}`}
                asset={asset}
                previewUrl={photoMedia(mediaUrl, 'preview', asset)}
                onPlace={(focus) => void placeCrop(asset.id, focus)}
              />
            ) : variant?.kind === 'video' ? (
              <VariantVideo variant={variant} label="Video variant" />
            ) : variant && tryOnJob && threeUp ? (
              <TryOnThreeUp person={asset} job={tryOnJob} result={variant} resultTitle={titleOf(variant)} />
            ) : variant ? (
              <CompareView
                before={base ? variantImage(base) : sourceImage(asset)}
                after={variantImage(variant)}
                mode={mode}
                onModeChange={(next) => {
                  setMode(next);
                  setShowingBefore(false);
                }}
                showingBefore={showingBefore}
                onToggle={onToggle}
                startZoom={photoZoom}
                onZoomChange={setPhotoZoom}
              />
            ) : problem ? (
              <div className="asset-single asset-problem" role="alert" data-testid="photo-problem">
                <h2>{problem.title}</h2>
                <p>{problem.reason}</p>
                <p className="asset-problem-remedy">{problem.remedy}</p>
              </div>
            ) : (
              <div className="asset-single">
                <img src={photoMedia(mediaUrl, 'preview', asset)} alt={name} data-testid="asset-preview" />
              </div>
            )}
          </div>
          <Filmstrip
            variants={variants}
            current={variant}
            titleOf={titleOf}
            mediaUrl={(id) => mediaUrl('variant', id)}
            onSelect={setVariantId}
            onApprove={(made) => markVariant(made, { approved: !made.approved })}
            groupOf={exterior.familyOf}
            waiting={
              running.length > 0
                ? `${running.length} job${running.length > 1 ? 's' : ''} running for this photo; variants appear here when done.`
                : problem
                  ? 'No variants: recipes run on this photo once it can be read.'
                  : 'No variants yet. Run a recipe on this photo from the shoot.'
            }
          />
        </div>
        {infoOpen ? (
          <InfoPanel
            asset={asset}
            variant={variant}
            {...(variant ? { variantTitle: titleOf(variant) } : {})}
            siblings={variants}
          />
        ) : null}
      </div>
      {exteriorOpen === 'concept' && exterior.concept ? (
        <ExteriorDialog asset={asset} exterior={exterior.concept} onClose={() => setExteriorOpen(null)} />
      ) : exteriorOpen === 'variation' && moreLikeThis && variant ? (
        <ExteriorDialog
          asset={asset}
          variant={variant}
          exterior={moreLikeThis}
          {...(typeof variantJob?.params.roomType === 'string' ? { kind: variantJob.params.roomType } : {})}
          onClose={() => setExteriorOpen(null)}
        />
      ) : null}
      <p className="hint muted">
        {hintFor([
          'photo.pick',
          'photo.reject',
          'photo.rate',
          'photo.approve',
          'review.undo',
          'review.info',
          'photo.nextVariant',
          'photo.nextPhoto',
          'compare.beforeAfter',
          'compare.mode',
          'compare.zoom',
          'compare.loupe',
          ...(tryOnJob ? (['photo.threeUp'] as const) : []),
          'photo.back',
        ])}
      </p>
    </section>
  );
}
