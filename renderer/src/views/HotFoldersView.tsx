import { formatAmount, type CostUnit } from '../../../shared/providers';
import { useProviderUnits } from '../store/use-provider-units';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { HotFolder } from '../../../shared/domain';
import type { MethodResult } from '../../../shared/api';
import type { Recipe } from '../../../shared/jobs';
import { useApp, useClient, useDesktop } from '../store/context';

type Progress = { done: number; total: number; current: string | null; perSecond: number | null };
type FolderStatus = MethodResult<'hotFolders.status'>[number];

/**
 * Watched folders: what each runs on new photos (its default recipe, or ingest only), how much a
 * new shoot may spend, and what ingest is doing right now. In a browser the folder is typed as a
 * path on the engine's machine.
 */
export function HotFoldersView(): React.JSX.Element {
  const client = useClient();
  const desktop = useDesktop();
  const folders = useApp((state) => state.hotFolders);
  const loaded = useApp((state) => state.hotFoldersLoaded);
  const add = useApp((state) => state.addHotFolder);
  const update = useApp((state) => state.updateHotFolder);
  const remove = useApp((state) => state.removeHotFolder);
  const [folderPath, setFolderPath] = useState('');
  const [recipeId, setRecipeId] = useState<string>('local-auto-enhance');
  const [cap, setCap] = useState('');
  const [autoApprove, setAutoApprove] = useState(false);
  const [busy, setBusy] = useState(false);
  const [recipes, setRecipes] = useState<Recipe[]>([]);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [statuses, setStatuses] = useState<FolderStatus[]>([]);
  const [presets, setPresets] = useState<{ id: string; name: string }[]>([]);
  const unitAt = useProviderUnits();
  const loadStatus = useCallback((): void => {
    client
      .call('hotFolders.status', {})
      .then(setStatuses)
      .catch(() => undefined);
  }, [client]);

  useEffect(() => {
    client
      .call('recipes.list', {})
      .then(setRecipes)
      .catch(() => setRecipes([]));
    client
      .call('exports.presets', {})
      .then((list) => setPresets(list.map((entry) => ({ id: entry.id, name: String(entry.preset.name) }))))
      .catch(() => setPresets([]));
    loadStatus();
    // Counts follow ingest, at most once a second.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = client.on('ingest.progress', (next) => {
      setProgress(next);
      timer ??= setTimeout(() => {
        timer = undefined;
        loadStatus();
      }, 1000);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [client, folders.length, loadStatus]);

  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!folderPath.trim() || busy) return;
    setBusy(true);
    const spendingCap = cap.trim() === '' ? null : Number(cap);
    const added = await add(folderPath.trim(), {
      defaultRecipeId: recipeId === '' ? null : recipeId,
      spendingCap: spendingCap !== null && Number.isFinite(spendingCap) && spendingCap >= 0 ? spendingCap : null,
      autoApprove,
    });
    if (added) setFolderPath('');
    setBusy(false);
  };

  /** A cap counts in the unit of the provider its default recipe runs at (AIXpose credits, ProductAI tokens). */
  const unitOf = (id: string | null): CostUnit => {
    const provider = recipes.find((recipe) => recipe.id === id)?.provider;
    return unitAt(provider);
  };
  const recipeName = (id: string | null): string =>
    id === null ? 'Ingest only' : (recipes.find((recipe) => recipe.id === id)?.name ?? id);
  const ingesting = progress && progress.total > 0 && progress.done < progress.total;

  return (
    <section className="view" aria-labelledby="hot-folders-title">
      <header className="view-header">
        <h1 id="hot-folders-title">Hot folders</h1>
      </header>
      <form className="hot-folder-form" onSubmit={(event) => void onSubmit(event)}>
        <input
          aria-label="Folder path"
          placeholder="/path/to/incoming shoots"
          value={folderPath}
          size={40}
          onChange={(event) => setFolderPath(event.target.value)}
        />
        {desktop ? (
          <button
            type="button"
            onClick={() =>
              void desktop.pickFolder().then((picked) => {
                if (picked) setFolderPath(picked);
              })
            }
          >
            Choose folder…
          </button>
        ) : null}
        <label>
          New photos{' '}
          <select aria-label="Default recipe" value={recipeId} onChange={(event) => setRecipeId(event.target.value)}>
            <RecipeOptions recipes={recipes} />
          </select>
        </label>
        <label>
          Spending cap per shoot and provider, in each provider&apos;s unit ({unitOf(recipeId).many} for this recipe){' '}
          <input
            aria-label="Spending cap per shoot"
            inputMode="decimal"
            placeholder="no cap"
            size={8}
            value={cap}
            onChange={(event) => setCap(event.target.value)}
          />
        </label>
        <label>
          <input type="checkbox" checked={autoApprove} onChange={(event) => setAutoApprove(event.target.checked)} />{' '}
          Spend up to the cap without asking
        </label>
        <button type="submit" className="primary" disabled={!folderPath.trim() || busy}>
          Watch folder
        </button>
      </form>
      {ingesting ? (
        <p className="banner" role="status" aria-label="Ingest progress">
          Taking in photos: {progress.done} of {progress.total}
          {progress.current ? ` · ${progress.current}` : ''}
          {progress.perSecond ? ` · ${progress.perSecond.toFixed(1)} photos/s` : ''}
        </p>
      ) : null}
      {!loaded ? (
        <p className="empty">Loading hot folders…</p>
      ) : folders.length === 0 ? (
        <p className="empty">
          No hot folders yet. Add a folder, and every shoot dropped into it (one subfolder per shoot) is taken in by
          itself.
        </p>
      ) : (
        <ul className="shoot-list" aria-label="Hot folders">
          {folders.map((folder: HotFolder) => {
            const status = statuses.find((entry) => entry.id === folder.id);
            return (
              <li key={folder.id} className="shoot-row hot-folder-row">
                <span>
                  <span className="shoot-name">{folder.name}</span> <span className="muted">{folder.path}</span>
                  <br />
                  <small className="muted" data-testid="folder-status">
                    {statusLine(status, ingesting ? progress : null)} · new photos: {recipeName(folder.defaultRecipeId)}{' '}
                    · cap{' '}
                    {folder.spendingCap === null
                      ? 'none'
                      : formatAmount(folder.spendingCap, unitOf(folder.defaultRecipeId))}
                    {folder.autoApprove ? ' (auto-approved)' : ''}
                  </small>
                  {status?.lastProblem ? (
                    <small className="folder-problem" role="note">
                      Latest problem: {status.lastProblem}
                    </small>
                  ) : null}
                  {status && status.skipped > 0 ? (
                    <details className="folder-problem" data-testid="folder-skipped">
                      <summary>
                        {status.skipped === 1 ? '1 file skipped' : `${status.skipped} files skipped`}: not photo files
                      </summary>
                      <ul>
                        {status.skippedFiles.map((entry) => (
                          <li key={entry.path}>{entry.reason}</li>
                        ))}
                      </ul>
                    </details>
                  ) : null}
                  {status?.ignoredFolders.map((ignored) => (
                    <small key={ignored.folder} className="folder-problem" data-testid="folder-ignored">
                      Ignored: “{ignored.folder || 'loose files'}” (shoot “{ignored.shootName}” was deleted).{' '}
                      <button
                        type="button"
                        className="link-button"
                        onClick={() =>
                          void client
                            .call('hotFolders.restoreFolder', { id: folder.id, folder: ignored.folder })
                            .then(loadStatus)
                            .catch(() => undefined)
                        }
                      >
                        Restore
                      </button>
                    </small>
                  ))}
                </span>
                <span className="toolbar">
                  <select
                    aria-label={`Default recipe for ${folder.name}`}
                    value={folder.defaultRecipeId ?? ''}
                    onChange={(event) =>
                      void update(folder.id, { defaultRecipeId: event.target.value === '' ? null : event.target.value })
                    }
                  >
                    <RecipeOptions recipes={recipes} />
                  </select>
                  <select
                    aria-label={`Auto-export for ${folder.name}`}
                    title="Exports each variant when it is approved"
                    value={folder.exportPresetId ?? ''}
                    onChange={(event) =>
                      void update(folder.id, { exportPresetId: event.target.value === '' ? null : event.target.value })
                    }
                  >
                    <option value="">No auto-export</option>
                    {presets.map((preset) => (
                      <option key={preset.id} value={preset.id}>
                        Export approved: {preset.name}
                      </option>
                    ))}
                  </select>
                  {folder.exportPresetId ? (
                    <input
                      aria-label={`Export folder for ${folder.name}`}
                      placeholder="/path/to/client delivery"
                      defaultValue={folder.exportFolder ?? ''}
                      onBlur={(event) => {
                        const value = event.target.value.trim();
                        if (value !== (folder.exportFolder ?? ''))
                          void update(folder.id, { exportFolder: value || null });
                      }}
                    />
                  ) : null}
                  <button type="button" className="link-button" onClick={() => void remove(folder.id)}>
                    Stop watching
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** "Ingest only" and every recipe, as the choices of a hot folder's default recipe. */
function RecipeOptions({ recipes }: { recipes: readonly Recipe[] }): React.JSX.Element {
  return (
    <>
      <option value="">Ingest only</option>
      {recipes.map((recipe) => (
        <option key={recipe.id} value={recipe.id}>
          {recipe.name}
        </option>
      ))}
    </>
  );
}

/** "Watching · 120 photos · 3 with problems", or "Scanning 40 of 120" while ingest works. */
function statusLine(status: FolderStatus | undefined, progress: Progress | null): string {
  const parts = [progress ? `Scanning ${progress.done} of ${progress.total}` : 'Watching'];
  if (status) {
    parts.push(`${status.photos} photo${status.photos === 1 ? '' : 's'}`);
    if (status.pending > 0) parts.push(`${status.pending} decoding`);
    if (status.problems > 0) parts.push(`${status.problems} with problems`);
  }
  return parts.join(' · ');
}
