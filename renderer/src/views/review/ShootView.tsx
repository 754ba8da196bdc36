import { useCallback, useEffect, useMemo, useState } from 'react';
import type { KeyPress } from '../../../../shared/commands';
import type { Asset, HotFolder, ShootListItem } from '../../../../shared/domain';
import type { Job, Variant } from '../../../../shared/jobs';
import { generatedName } from '../../../../shared/job-inputs';
import {
  EMPTY_SELECTION,
  selectAll,
  selectOnly,
  selectedInOrder,
  type SelectionState,
} from '../../components/grid/selection';
import { ThumbnailGrid, type GridItem } from '../../components/grid/ThumbnailGrid';
import { photoMedia, useApp, useMediaUrl } from '../../store/context';
import { approvedCount, visibleAssets, type AssetFilter, type AssetSort } from '../../store/review-slice';
import { gridCullingChange } from './culling-keys';
import { isWorkable, photoProblem } from './photo-problem';
import { InfoPanel } from './info/InfoPanel';
import { assetBadge } from './badges';
import { useMaskPurposeOf } from '../../store/use-provider-units';
import { RunRecipeDialog } from './RunRecipeDialog';
import { BudgetStrip } from './BudgetStrip';
import { GeneratedItems } from './GeneratedItems';
import { ExportDialog } from '../export/ExportDialog';
import { AddPhotos } from './AddPhotos';
import { FashionBar } from './fashion/FashionBar';
import { StudioBar } from './studio/StudioBar';
import { PRODUCT_TYPE_WORDS } from '../../../../shared/garments';
import { useSelectAllWhileLoading } from './use-select-all-while-loading';
import './review.css';

/** Grid items by asset object (replaced whenever the asset changes), with the jobs and variants they were made from. */
const ITEM_CACHE = new WeakMap<Asset, { jobs: Job[] | undefined; variants: Variant[] | undefined; item: GridItem }>();

const EMPTY_VARIANTS: Variant[] = [];

const FILTERS: { value: AssetFilter; label: string }[] = [
  { value: 'all', label: 'All photos' },
  { value: 'picked', label: 'Picks' },
  { value: 'unflagged', label: 'Unflagged' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'rated', label: 'Rated' },
  { value: 'approved', label: 'Approved' },
  { value: 'with-variants', label: 'With variants' },
  { value: 'errors', label: 'Problems' },
];

/**
 * A shoot's photos as a grid: cull before paying for anything (P, X, 1–5), select, and run a
 * recipe on the selection or on the picks. Badges follow each photo's jobs as they move.
 */
export function ShootView(): React.JSX.Element {
  const mediaUrl = useMediaUrl();
  const shootId = useApp((state) => state.openShootId);
  const shoot = useApp((state) => state.shoots.find((candidate) => candidate.id === state.openShootId));
  const hotFolders = useApp((state) => state.hotFolders);
  const assets = useApp((state) => state.assets);
  const contentShootId = useApp((state) => state.assetsShootId);
  // The grid shows from the first page of photos on; `complete` once every photo is in.
  const loaded = useApp((state) => state.assetsLoaded && state.assetsShootId === state.openShootId);
  const complete = useApp((state) => state.assetsComplete && state.assetsShootId === state.openShootId);
  const workLoaded = useApp((state) => state.workLoaded && state.assetsShootId === state.openShootId);
  const jobsByAsset = useApp((state) => state.jobsByAsset);
  const variantsByAsset = useApp((state) => state.variantsByAsset);
  const sort = useApp((state) => state.sort);
  const filter = useApp((state) => state.filter);
  const setSort = useApp((state) => state.setSort);
  const setFilter = useApp((state) => state.setFilter);
  const openShoot = useApp((state) => state.openShoot);
  const openAsset = useApp((state) => state.openAsset);
  const cull = useApp((state) => state.cull);
  const loadShootContent = useApp((state) => state.loadShootContent);
  const thumbnailsShown = useApp((state) => state.thumbnailsShown);
  const selection = useApp((state) => (shootId ? state.selections[shootId] : undefined)) ?? EMPTY_SELECTION;
  const storeSelection = useApp((state) => state.setSelection);
  const setSelection = useCallback(
    (next: SelectionState | ((current: SelectionState) => SelectionState)) => {
      if (!shootId) return;
      storeSelection(shootId, typeof next === 'function' ? next(selection) : next);
    },
    [shootId, selection, storeSelection],
  );
  const say = useApp((state) => state.say);
  const autoAdvance = useApp((state) => state.settings?.autoAdvance ?? true);
  const infoOpen = useApp((state) => state.infoOpen);
  const [infoVariant, setInfoVariant] = useState<Variant | null>(null);
  const [running, setRunning] = useState<{ assetIds: string[]; title: string } | null>(null);
  const [exporting, setExporting] = useState(false);

  // Opening a shoot loads it (openShoot, or the start after a reload): this only covers a shoot shown
  // with nothing loaded or loading for it. Coming back from a photo loads nothing: events kept it current.
  useEffect(() => {
    if (shootId && contentShootId !== shootId) void loadShootContent(shootId);
  }, [shootId, contentShootId, loadShootContent]);

  // These filters need the variants, which come after the photos.
  const waitingForVariants = !workLoaded && (filter === 'approved' || filter === 'with-variants');
  const showsGrid = loaded && assets.length > 0 && !waitingForVariants;
  useEffect(() => {
    // With no grid to show thumbnails, nothing waits for them.
    if (loaded && !showsGrid) thumbnailsShown();
  }, [loaded, showsGrid, thumbnailsShown]);

  const shown = useMemo(() => visibleAssets(assets, filter, variantsByAsset), [assets, filter, variantsByAsset]);
  const ids = useMemo(() => shown.map((asset) => asset.id), [shown]);

  // Items keep their identity while their photo, jobs and variants do: the grid redraws only the
  // cells that changed when a job moves, not all 5,000.
  const items: GridItem[] = useMemo(() => {
    return shown.map((asset) => {
      const jobs = jobsByAsset[asset.id];
      const variants = variantsByAsset[asset.id];
      const known = ITEM_CACHE.get(asset);
      if (known && known.jobs === jobs && known.variants === variants) return known.item;
      const item: GridItem = {
        id: asset.id,
        name: asset.relativePath.split('/').pop() ?? asset.relativePath,
        width: asset.width,
        height: asset.height,
        pick: asset.pick,
        rating: asset.rating,
        approved: approvedCount(variants),
        state: asset.state,
        ...problemOf(asset),
        badge: assetBadge(asset, jobs ?? [], variants ?? []),
        ...(asset.garment ? { tag: PRODUCT_TYPE_WORDS[asset.garment] } : {}),
      };
      ITEM_CACHE.set(asset, { jobs, variants, item });
      return item;
    });
  }, [shown, jobsByAsset, variantsByAsset]);

  useSelectAllWhileLoading(ids, filter, complete, selection, setSelection);
  const selected = selectedInOrder(selection, ids);
  const turns = useMemo(() => new Map(shown.map((asset) => [asset.id, asset.turn])), [shown]);
  // Recipes are offered only on photos they can run on: an unreadable or missing photo is left out, and said so.
  const workable = new Set(shown.filter(isWorkable).map((asset) => asset.id));
  const runnable = selected.filter((id) => workable.has(id));
  const leftOut = selected.length - runnable.length;
  const byId = useMemo(() => new Map(shown.map((asset) => [asset.id, asset])), [shown]);
  const runnableAssets = runnable.flatMap((id) => byId.get(id) ?? []);
  const picks = shown.filter((asset) => asset.pick === 'picked' && isWorkable(asset)).map((asset) => asset.id);
  const counts = {
    picked: assets.filter((asset) => asset.pick === 'picked').length,
    rejected: assets.filter((asset) => asset.pick === 'rejected').length,
    approved: assets.filter((asset) => approvedCount(variantsByAsset[asset.id]) > 0).length,
    problems: assets.filter((asset) => asset.state === 'error' || asset.state === 'missing').length,
  };
  const shootJobs = useApp((state) => state.shootJobs);
  const generated = variantsByAsset[''] ?? EMPTY_VARIANTS;
  const awaitingApproval = [...Object.values(jobsByAsset).flat(), ...shootJobs].filter(
    (job) => job.state === 'awaiting_input' && job.waitingFor === 'approval',
  );

  /** "Needs a mask" opens the mask editor on that photo, for the purpose its waiting job needs. */
  const maskPurposeOf = useMaskPurposeOf();
  const paintMask = useApp((state) => state.paintMask);
  const renderBadge = (item: GridItem): React.ReactNode => {
    const waiting = (jobsByAsset[item.id] ?? []).find(
      (job) => job.state === 'awaiting_input' && job.waitingFor === 'mask',
    );
    const purpose = waiting && item.badge?.text === 'Needs a mask' ? maskPurposeOf(waiting) : null;
    if (!purpose) return undefined;
    return (
      <button
        type="button"
        className="thumb-badge thumb-badge-queued thumb-badge-action"
        data-testid="badge-needs-mask"
        title="Paint the mask this photo's job waits for"
        onClick={(event) => {
          event.stopPropagation();
          paintMask(item.id, purpose);
        }}
        onDoubleClick={(event) => event.stopPropagation()}
      >
        Needs a mask · Paint
      </button>
    );
  };

  /**
   * P, X, U and 0–5 act on the selection, or on the focused photo when nothing is selected; with
   * neither, the key says so. After P or X on one photo the next one is focused (auto-advance).
   */
  const onKey = useCallback(
    (event: KeyPress, focusedId: string | null): boolean => {
      const change = gridCullingChange(event);
      if (!change) return false;
      const targets = selected.length > 0 ? selected : focusedId ? [focusedId] : [];
      if (targets.length === 0) {
        say('No photo selected: click one, or press an arrow key to start.');
        return true;
      }
      void cull(targets, change);
      const only = targets.length === 1 ? targets[0] : undefined;
      if (autoAdvance && change.pick !== undefined && change.pick !== 'none' && only !== undefined) {
        const next = ids[ids.indexOf(only) + 1];
        if (next !== undefined) setSelection(selectOnly(selection, next));
      }
      return true;
    },
    [selected, cull, say, autoAdvance, ids, selection, setSelection],
  );

  const focusedAsset = selection.focus ? (assets.find((asset) => asset.id === selection.focus) ?? null) : null;

  if (!shootId) return <p className="empty">No shoot is open.</p>;

  return (
    <section className="view shoot-view" aria-labelledby="shoot-title">
      <header className="view-header shoot-header">
        <button type="button" onClick={() => openShoot(null)}>
          ← Shoots
        </button>
        <h1 id="shoot-title" className="shoot-title" title={shoot?.name}>
          {shoot?.name ?? 'Shoot'}
        </h1>
        <span className="muted" data-testid="shoot-counts">
          {!loaded ? null : !complete ? (
            // Counts of part of the shoot would be wrong: they come with the last page.
            `Loading photos… ${assets.length}${shoot && shoot.photos > assets.length ? ` of ${shoot.photos}` : ''}`
          ) : (
            <>
              {assets.length} photos · {counts.picked} picked · {counts.rejected} rejected
              {counts.approved > 0 ? ` · ${counts.approved} approved` : ''}
              {counts.problems > 0 ? ` · ${counts.problems} with problems` : ''}
            </>
          )}
        </span>
        <span className="toolbar">
          <select aria-label="Sort" value={sort} onChange={(event) => setSort(event.target.value as AssetSort)}>
            <option value="name">By name</option>
            <option value="captured">By capture time</option>
            <option value="added">By date added</option>
          </select>
          <select aria-label="Show" value={filter} onChange={(event) => setFilter(event.target.value as AssetFilter)}>
            {FILTERS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => setSelection((current) => selectAll(current, ids))}>
            Select all
          </button>
          <button
            type="button"
            className="primary"
            disabled={runnable.length === 0}
            title={
              leftOut > 0
                ? `${leftOut} selected photo${leftOut === 1 ? ' cannot' : 's cannot'} be read and ${leftOut === 1 ? 'is' : 'are'} left out.`
                : undefined
            }
            onClick={() =>
              setRunning({
                assetIds: runnable,
                title: `Run a recipe on ${runnable.length} photo${runnable.length === 1 ? '' : 's'}`,
              })
            }
          >
            {leftOut > 0 && runnable.length > 0 ? `Run recipe on ${runnable.length}…` : 'Run recipe…'}
          </button>
          <button
            type="button"
            // The picks of the photos still to come would be left out.
            disabled={!complete || picks.length === 0}
            title={complete ? undefined : 'Waiting for the rest of the photos'}
            onClick={() => setRunning({ assetIds: picks, title: `Run a recipe on ${picks.length} picks` })}
          >
            Run on picks
          </button>
          <button type="button" onClick={() => setExporting(true)}>
            {selected.length > 0 ? `Export ${selected.length} selected…` : 'Export…'}
          </button>
          {shoot && shoot.folder !== null && shoot.hotFolderId ? <AddPhotos shootId={shootId} /> : null}
        </span>
      </header>
      {shoot ? <FashionBar shoot={shoot} selected={runnableAssets} /> : null}
      {shoot ? <StudioBar shootId={shoot.id} selected={runnableAssets} /> : null}
      <BudgetStrip shootId={shootId} waiting={awaitingApproval.length} />
      <div className="shoot-body">
        <div className="shoot-main">
          {!loaded ? (
            <p className="empty">Loading photos…</p>
          ) : assets.length === 0 ? (
            <p className="empty">{emptyWords(shoot, hotFolders)}</p>
          ) : waitingForVariants ? (
            <p className="empty">Loading the variants…</p>
          ) : (
            <div className="grid-host">
              <ThumbnailGrid
                items={items}
                selection={selection}
                onSelectionChange={(next) => {
                  setInfoVariant(null);
                  setSelection(next);
                }}
                onOpen={(id) => openAsset(id)}
                onKey={onKey}
                thumbnailUrl={(id) => photoMedia(mediaUrl, 'thumbnail', { id, turn: turns.get(id) ?? 0 })}
                renderBadge={renderBadge}
                onThumbnailsShown={thumbnailsShown}
              />
            </div>
          )}
          <GeneratedItems variants={generated} onFocusItem={setInfoVariant} />
        </div>
        {infoOpen ? (
          <InfoPanel
            asset={infoVariant ? null : focusedAsset}
            variant={infoVariant}
            {...(infoVariant ? { variantTitle: generatedName(infoVariant) } : {})}
          />
        ) : null}
      </div>
      <p className="hint muted">
        Click, Shift-click or Ctrl/⌘-click to select · P pick · X reject · U unflag · 1–5 rate · Ctrl/⌘ Z undo · I info
        · Enter opens
      </p>
      {exporting ? (
        <ExportDialog
          shootId={shootId}
          {...(selected.length > 0 ? { assetIds: selected } : {})}
          onClose={() => setExporting(false)}
        />
      ) : null}
      {running ? (
        <RunRecipeDialog
          assetIds={running.assetIds}
          title={running.title}
          onClose={(ran) => {
            setRunning(null);
            if (ran) say('Queued. Progress shows on each photo and in Queue.');
          }}
        />
      ) : null}
    </section>
  );
}

/** Where this shoot's photos come from: its folder, or nowhere for a shoot that holds generated work. */
function emptyWords(shoot: ShootListItem | undefined, hotFolders: readonly HotFolder[]): string {
  const hotFolder = hotFolders.find((folder) => folder.id === shoot?.hotFolderId);
  if (shoot && hotFolder && shoot.folder !== null) {
    const where = shoot.folder === '' ? hotFolder.path : `${hotFolder.path}/${shoot.folder}`;
    return `No photos in this shoot yet. Copy photos into ${where}: they appear here by themselves.`;
  }
  return 'This shoot has no folder, so it holds no photos: it holds work made from a prompt. Photos go into shoots made in a hot folder.';
}

/** The tile's words for an unreadable photo (a missing one says "Missing" on its badge). */
function problemOf(asset: Asset): { problem?: { reason: string; remedy: string } } {
  const problem = asset.state === 'error' ? photoProblem(asset) : null;
  return problem ? { problem: { reason: problem.reason, remedy: problem.remedy } } : {};
}
