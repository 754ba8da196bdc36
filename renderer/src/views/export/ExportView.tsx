import { useEffect, useMemo, useState } from 'react';
import type { ExportPresetEntry } from '../../../../shared/exports';
import { useApp, useClient, useDesktop } from '../../store/context';
import { buildPreset, presetName, type PresetDraft, toDraft } from './export-model';
import { messageOf, plural, previewWarnings, readRememberedPreset, rememberPreset, copyName } from './export-words';
import { ExportRuns } from './ExportRuns';
import { PresetEditor } from './PresetEditor';
import { ExportWarnings, FolderField, PreviewText } from './ExportParts';
import { type PreviewArgs, useExportPreview, useRememberedFolder } from './use-export';
import './export.css';

/**
 * The Export section: the presets (built-in ones read-only, saved ones editable), a live preview of
 * the first file the edited preset would write, and every export run with its progress.
 */
export function ExportView(): React.JSX.Element {
  const client = useClient();
  const [presets, setPresets] = useState<ExportPresetEntry[] | null>(null);
  // The preset chosen last (here or in the dialog), kept across a reload.
  const [selectedId, setSelectedIdState] = useState<string | null>(() => readRememberedPreset() || null);
  const setSelectedId = (id: string | null): void => {
    setSelectedIdState(id);
    if (id) rememberPreset(id);
  };
  /** Unsaved edits by preset id: switching presets keeps them until they are saved or discarded. */
  const [edits, setEdits] = useState<Readonly<Record<string, PresetDraft>>>({});
  const [listError, setListError] = useState<string | null>(null);
  const [save, setSave] = useState<{ id: string; busy: boolean; error: string | null; saved: boolean } | null>(null);
  const [listBusy, setListBusy] = useState(false);

  useEffect(() => {
    let live = true;
    client
      .call('exports.presets', {})
      .then((list) => live && setPresets(list))
      .catch((caught: unknown) => live && setListError(messageOf(caught)));
    return () => {
      live = false;
    };
  }, [client]);

  const selected = presets?.find((entry) => entry.id === selectedId) ?? presets?.[0] ?? null;
  const saved = useMemo(() => (selected ? toDraft(selected.preset) : null), [selected]);
  const draft = selected ? (edits[selected.id] ?? saved) : null;
  const dirty = selected !== null && edits[selected.id] !== undefined;
  const saveState = save && selected && save.id === selected.id ? save : null;

  const change = (patch: Partial<PresetDraft>): void => {
    if (!selected || selected.builtIn || !draft) return;
    setEdits((current) => ({ ...current, [selected.id]: { ...draft, ...patch } }));
    setSave(null);
  };

  const discard = (id: string): void =>
    setEdits((current) => {
      const next = { ...current };
      delete next[id];
      return next;
    });

  const duplicate = async (entry: ExportPresetEntry): Promise<void> => {
    setListBusy(true);
    setListError(null);
    try {
      const names = (presets ?? []).map(presetName);
      // A copy of what the list shows (the saved preset, not unsaved edits), under a free name.
      const copy = await client.call('exports.savePreset', {
        preset: { ...entry.preset, name: copyName(presetName(entry), names) },
      });
      setPresets((list) => [...(list ?? []), copy]);
      setSelectedId(copy.id);
    } catch (caught) {
      setListError(messageOf(caught));
    } finally {
      setListBusy(false);
    }
  };

  const remove = async (entry: ExportPresetEntry): Promise<void> => {
    setListBusy(true);
    setListError(null);
    try {
      await client.call('exports.deletePreset', { id: entry.id });
      setPresets((list) => list?.filter((candidate) => candidate.id !== entry.id) ?? list);
      discard(entry.id);
      if (selectedId === entry.id) setSelectedId(null);
    } catch (caught) {
      setListError(messageOf(caught));
    } finally {
      setListBusy(false);
    }
  };

  const submit = async (): Promise<void> => {
    if (!selected || selected.builtIn || !draft) return;
    const built = buildPreset(draft);
    if (!built.ok) {
      setSave({ id: selected.id, busy: false, error: built.error, saved: false });
      return;
    }
    setSave({ id: selected.id, busy: true, error: null, saved: false });
    try {
      const stored = await client.call('exports.savePreset', { id: selected.id, preset: built.preset });
      setPresets((list) => list?.map((entry) => (entry.id === stored.id ? stored : entry)) ?? list);
      discard(stored.id);
      setSave({ id: stored.id, busy: false, error: null, saved: true });
    } catch (caught) {
      setSave({ id: selected.id, busy: false, error: messageOf(caught), saved: false });
    }
  };

  return (
    <section className="view export-view" aria-labelledby="export-title">
      <header className="view-header">
        <h1 id="export-title">Export</h1>
      </header>
      {listError ? (
        <p role="alert" className="export-error">
          {listError}
        </p>
      ) : null}
      <div className="export-layout">
        <div className="export-side">
          <nav className="export-presets" aria-label="Export presets">
            {presets === null ? (
              listError ? null : (
                <p className="empty">Loading presets…</p>
              )
            ) : (
              <ul>
                {presets.map((entry) => {
                  const name = presetName(entry);
                  const active = entry.id === selected?.id;
                  return (
                    <li key={entry.id} className={active ? 'export-preset active' : 'export-preset'}>
                      <button
                        type="button"
                        className="export-preset-open"
                        aria-current={active ? 'true' : undefined}
                        onClick={() => setSelectedId(entry.id)}
                      >
                        {name}
                        {edits[entry.id] ? <span className="muted"> (unsaved)</span> : null}
                      </button>
                      {entry.builtIn ? <span className="export-tag">Built-in</span> : null}
                      <span className="export-preset-actions">
                        <button
                          type="button"
                          className="link-button"
                          aria-label={`Duplicate ${name}`}
                          disabled={listBusy}
                          onClick={() => void duplicate(entry)}
                        >
                          Duplicate
                        </button>
                        {entry.builtIn ? null : (
                          <button
                            type="button"
                            className="link-button"
                            aria-label={`Delete ${name}`}
                            disabled={listBusy}
                            onClick={() => void remove(entry)}
                          >
                            Delete
                          </button>
                        )}
                      </span>
                    </li>
                  );
                })}
              </ul>
            )}
          </nav>
          {selected && draft ? <PreviewBox entry={selected} draft={draft} /> : null}
        </div>

        <div className="export-pane">
          {selected && draft ? (
            <form
              className="export-editor"
              aria-label="Preset editor"
              // The engine's rules, in words next to the button, rather than the browser's bubbles.
              noValidate
              onSubmit={(event) => {
                event.preventDefault();
                void submit();
              }}
            >
              <div className="export-editor-header">
                <h2>{presetName(selected)}</h2>
                {selected.builtIn ? (
                  <p className="muted">
                    Built-in presets cannot be changed.{' '}
                    <button
                      type="button"
                      className="link-button"
                      disabled={listBusy}
                      onClick={() => void duplicate(selected)}
                    >
                      Duplicate it to edit a copy
                    </button>
                    .
                  </p>
                ) : null}
              </div>
              <PresetEditor draft={draft} readOnly={selected.builtIn} onChange={change} />
              {selected.builtIn ? null : (
                <div className="export-actions">
                  {saveState?.error ? (
                    <p role="alert" className="export-error">
                      {saveState.error}
                    </p>
                  ) : saveState?.saved ? (
                    <p role="status" className="muted">
                      Saved.
                    </p>
                  ) : null}
                  <button type="button" disabled={!dirty || saveState?.busy} onClick={() => discard(selected.id)}>
                    Discard changes
                  </button>
                  <button type="submit" className="primary" disabled={!dirty || saveState?.busy}>
                    Save preset
                  </button>
                </div>
              )}
            </form>
          ) : presets !== null ? (
            <p className="empty">No presets.</p>
          ) : null}
        </div>
      </div>
      <ExportRuns />
    </section>
  );
}

/**
 * The first file the preset (with its unsaved edits) would write for a shoot, asked again a moment
 * after each edit; and a button to export the whole shoot with it.
 */
function PreviewBox(props: { entry: ExportPresetEntry; draft: PresetDraft }): React.JSX.Element {
  const client = useClient();
  const desktop = useDesktop();
  const shoots = useApp((state) => state.shoots);
  const openShootId = useApp((state) => state.openShootId);
  const [chosenShootId, setChosenShootId] = useState('');
  const [folder, setFolder] = useRememberedFolder();
  const [skipRepeats, setSkipRepeats] = useState(true);
  const [started, setStarted] = useState<{ busy: boolean; message: string | null; error: boolean }>({
    busy: false,
    message: null,
    error: false,
  });
  const { entry, draft } = props;

  const shootId = shoots.some((shoot) => shoot.id === chosenShootId)
    ? chosenShootId
    : startingShoot(shoots, openShootId);
  const targetRoot = folder.trim();
  // Built-in presets cannot be edited: ask by id. Saved ones are sent as edited, unsaved changes included.
  const built = entry.builtIn ? null : buildPreset(draft);
  const source: Pick<PreviewArgs, 'presetId' | 'preset'> | null = entry.builtIn
    ? { presetId: entry.id }
    : built?.ok
      ? { preset: built.preset }
      : null;
  const args: PreviewArgs | null = source && shootId && targetRoot ? { shootId, targetRoot, ...source } : null;
  const state = useExportPreview(client, args);

  const start = async (): Promise<void> => {
    if (!args) return;
    setStarted({ busy: true, message: null, error: false });
    try {
      const run = await client.call('exports.start', { ...args, ...(leaveOut ? { skipRepeats: true } : {}) });
      setStarted({
        busy: false,
        message: `Exporting ${plural(run.total, 'file')}. Progress shows under Exports.`,
        error: false,
      });
    } catch (caught) {
      setStarted({ busy: false, message: messageOf(caught), error: true });
    }
  };

  const ready = state.status === 'ready' ? state.preview : null;
  const warnings = ready
    ? previewWarnings(ready, entry.builtIn ? entry.preset : built?.ok ? built.preset : entry.preset)
    : [];
  const leaveOut = skipRepeats && (ready?.repeats ?? 0) > 0;
  // While a new preview renders, the path of the last one stays (dimmed) rather than flickering away.
  const shown = state.status === 'loading' ? state.last : state;
  const path = shown?.status === 'ready' ? shown.preview.path : null;
  return (
    <section className="export-preview" aria-labelledby="export-preview-title">
      <h2 id="export-preview-title">Preview</h2>
      <div className="export-preview-inputs">
        <div className="export-field">
          <label htmlFor="export-preview-shoot">Shoot</label>
          <select
            id="export-preview-shoot"
            value={shootId}
            disabled={shoots.length === 0}
            onChange={(event) => setChosenShootId(event.target.value)}
          >
            {shoots.length === 0 ? <option value="">No shoots yet</option> : null}
            {shoots.map((shoot) => (
              <option key={shoot.id} value={shoot.id}>
                {shoot.name}
              </option>
            ))}
          </select>
        </div>
        <FolderField folder={folder} onChange={setFolder} pickFolder={desktop?.pickFolder ?? null} />
      </div>
      <p role="status" aria-live="polite" className="export-preview-line" data-testid="export-preview">
        {built && !built.ok ? <span className="export-error">{built.error}</span> : <PreviewText state={state} />}
      </p>
      {path && !(built && !built.ok) ? (
        <p className={ready ? 'muted export-preview-path' : 'muted export-preview-path export-stale'} title={path}>
          Writes {path}
        </p>
      ) : null}
      <ExportWarnings warnings={warnings} preview={ready} skipRepeats={skipRepeats} onSkipRepeats={setSkipRepeats} />
      <div className="export-actions">
        {started.message ? (
          <p role={started.error ? 'alert' : 'status'} className={started.error ? 'export-error' : 'muted'}>
            {started.message}
          </p>
        ) : null}
        <button
          type="button"
          className="primary"
          disabled={!ready || !args || started.busy}
          onClick={() => void start()}
        >
          {ready ? `Export ${plural(ready.total - (leaveOut ? ready.repeats : 0), 'file')}` : 'Export'}
        </button>
      </div>
    </section>
  );
}

/**
 * The shoot the preview starts on: the one the user came from, else the newest with approved work
 * (what the usual presets export), else the newest.
 */
export function startingShoot(shoots: readonly { id: string; approved: number }[], openShootId: string | null): string {
  return (
    shoots.find((shoot) => shoot.id === openShootId)?.id ??
    shoots.find((shoot) => shoot.approved > 0)?.id ??
    shoots[0]?.id ??
    ''
  );
}
