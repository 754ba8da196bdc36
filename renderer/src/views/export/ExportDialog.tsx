import { useEffect, useRef, useState } from 'react';
import type { EventPayload } from '../../../../shared/api';
import type { ExportPresetEntry, ExportRun } from '../../../../shared/exports';
import { useClient, useDesktop } from '../../store/context';
import { presetName } from './export-model';
import {
  baseName,
  folderRevealer,
  handled,
  messageOf,
  plural,
  previewWarnings,
  progressWords,
  readRememberedPreset,
  rememberPreset,
  RUN_STATE_LABELS,
} from './export-words';
import { ExportProblems, ExportWarnings, FolderField, PreviewText } from './ExportParts';
import { type PreviewArgs, useExportPreview, useRememberedFolder } from './use-export';
import './export.css';

type Progress = EventPayload<'export.progress'>;

/**
 * Exports a shoot (or some of its photos) with a preset: the user sees the first file it would
 * write and how many, confirms, then follows the run here (N of M, failures) or closes the dialog
 * and lets it finish in the background.
 */
export function ExportDialog(props: {
  shootId: string;
  assetIds?: readonly string[];
  onClose: () => void;
}): React.JSX.Element {
  const { shootId, assetIds, onClose } = props;
  const client = useClient();
  const desktop = useDesktop();
  const dialog = useRef<HTMLDialogElement>(null);
  const [presets, setPresets] = useState<ExportPresetEntry[] | null>(null);
  // The preset used last time, kept across a reload (and the next dialog).
  const [presetId, setPresetId] = useState(readRememberedPreset);
  const [skipRepeats, setSkipRepeats] = useState(true);
  const [folder, setFolder] = useRememberedFolder();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [run, setRun] = useState<ExportRun | null>(null);
  const [events, setEvents] = useState<Readonly<Record<string, Progress>>>({});

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  // Listen before starting: the first events of a small export can arrive before `exports.start` answers.
  useEffect(
    () => client.on('export.progress', (progress) => setEvents((known) => ({ ...known, [progress.runId]: progress }))),
    [client],
  );

  useEffect(() => {
    let live = true;
    client
      .call('exports.presets', {})
      .then((list) => live && setPresets(list))
      .catch((caught: unknown) => live && setError(messageOf(caught)));
    return () => {
      live = false;
    };
  }, [client]);

  const chosen = presets?.find((entry) => entry.id === presetId) ?? presets?.[0] ?? null;
  const targetRoot = folder.trim();
  const selection = assetIds && assetIds.length > 0 ? assetIds : null;
  const args: PreviewArgs | null =
    chosen && targetRoot && !run
      ? { shootId, presetId: chosen.id, targetRoot, ...(selection ? { assetIds: [...selection] } : {}) }
      : null;
  const preview = useExportPreview(client, args);
  const ready = preview.status === 'ready' ? preview.preview : null;
  const warnings = ready && chosen ? previewWarnings(ready, chosen.preset) : [];
  const leaveOut = skipRepeats && (ready?.repeats ?? 0) > 0;

  const start = async (): Promise<void> => {
    if (!args) return;
    setBusy(true);
    setError(null);
    try {
      setRun(await client.call('exports.start', { ...args, ...(leaveOut ? { skipRepeats: true } : {}) }));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const act = async (action: 'exports.cancel' | 'exports.resume'): Promise<void> => {
    if (!run) return;
    setBusy(true);
    setError(null);
    try {
      const updated = await client.call(action, { id: run.id });
      setRun(updated);
      // The answer is newer than any event seen so far; drop the old one so the counts do not go back.
      setEvents((known) => {
        const next = { ...known };
        delete next[updated.id];
        return next;
      });
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const progress = run ? (events[run.id] ?? { ...run, runId: run.id, current: null }) : null;
  const reveal = folderRevealer(desktop);
  const startLabel = ready ? `Export ${plural(ready.total - (leaveOut ? ready.repeats : 0), 'file')}` : 'Export';

  return (
    <dialog ref={dialog} className="export-dialog" aria-label="Export" onCancel={() => onClose()}>
      <h2>{selection ? `Export ${plural(selection.length, 'selected photo')}` : 'Export'}</h2>
      {progress && run ? (
        <>
          <p className="muted">
            {run.presetName || 'Export'} → {run.targetRoot}
          </p>
          <progress
            className="export-dialog-progress"
            max={Math.max(1, progress.total)}
            value={handled(progress)}
            aria-label="Export progress"
          />
          <p role="status" className="export-dialog-status">
            {RUN_STATE_LABELS[progress.state]}: {progressWords(progress)}
          </p>
          {progress.state === 'running' && progress.current ? (
            <p className="muted export-dialog-current" title={progress.current}>
              {baseName(progress.current)}
            </p>
          ) : null}
          {progress.state === 'running' ? (
            <p className="muted">Closing this leaves the export running; follow it in Export.</p>
          ) : progress.failed + progress.skipped > 0 ? (
            <ExportProblems runId={run.id} count={progress.failed + progress.skipped} />
          ) : null}
        </>
      ) : (
        <>
          <div className="export-field">
            <label htmlFor="export-dialog-preset">Preset</label>
            <select
              id="export-dialog-preset"
              value={chosen?.id ?? ''}
              disabled={!presets || presets.length === 0}
              onChange={(event) => {
                setPresetId(event.target.value);
                rememberPreset(event.target.value);
              }}
            >
              {(presets ?? []).map((entry) => (
                <option key={entry.id} value={entry.id}>
                  {presetName(entry)}
                  {entry.builtIn ? ' (built-in)' : ''}
                </option>
              ))}
            </select>
          </div>
          <FolderField folder={folder} onChange={setFolder} pickFolder={desktop?.pickFolder ?? null} />
          <p role="status" className="export-preview-line">
            {presets === null && !error ? (
              <span className="muted">Loading presets…</span>
            ) : (
              <PreviewText state={preview} />
            )}
          </p>
          <ExportWarnings
            warnings={warnings}
            preview={ready}
            skipRepeats={skipRepeats}
            onSkipRepeats={setSkipRepeats}
          />
        </>
      )}
      {error ? (
        <p role="alert" className="export-error">
          {error}
        </p>
      ) : null}
      <div className="export-actions">
        {progress ? (
          <>
            {reveal && run && progress.state !== 'running' ? (
              <button type="button" onClick={() => reveal(run.targetRoot)}>
                Show in folder
              </button>
            ) : null}
            {progress.state === 'running' ? (
              <button type="button" disabled={busy} onClick={() => void act('exports.cancel')}>
                {/* A cancel answers once the files being written are dropped: say so meanwhile. */}
                {busy ? 'Canceling…' : 'Cancel export'}
              </button>
            ) : null}
            {progress.state === 'canceled' || progress.state === 'failed' ? (
              <button type="button" disabled={busy} onClick={() => void act('exports.resume')}>
                Resume
              </button>
            ) : null}
            <button type="button" className="primary" onClick={() => onClose()}>
              Close
            </button>
          </>
        ) : (
          <>
            <button type="button" onClick={() => onClose()}>
              Cancel
            </button>
            <button type="button" className="primary" disabled={!ready || !args || busy} onClick={() => void start()}>
              {startLabel}
            </button>
          </>
        )}
      </div>
    </dialog>
  );
}
