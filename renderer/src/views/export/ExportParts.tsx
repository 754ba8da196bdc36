import { useId, useState } from 'react';
import type { MethodResult } from '../../../../shared/api';
import { useClient } from '../../store/context';
import { baseName, messageOf, plural, previewLine } from './export-words';
import type { PreviewState } from './use-export';

/** The export folder: typed, or chosen with the native picker in the desktop app. Remembered by the caller. */
export function FolderField(props: {
  folder: string;
  onChange: (folder: string) => void;
  pickFolder: (() => Promise<string | null>) | null;
}): React.JSX.Element {
  const { pickFolder, onChange } = props;
  const id = useId();
  return (
    <div className="export-field export-field-wide">
      <label htmlFor={id}>Export folder</label>
      <span className="export-folder-row">
        <input
          id={id}
          type="text"
          spellCheck={false}
          placeholder="/path/to/exports"
          value={props.folder}
          onChange={(event) => onChange(event.target.value)}
        />
        {pickFolder ? (
          <button
            type="button"
            onClick={() =>
              void pickFolder()
                .then((picked) => {
                  if (picked) onChange(picked);
                })
                .catch(() => undefined)
            }
          >
            Choose…
          </button>
        ) : null}
      </span>
    </div>
  );
}

/** The preview line in words: "name.jpg · 2048×1365 · JPEG · 1.2 MB · 24 files", or why there is none. */
export function PreviewText(props: { state: PreviewState }): React.JSX.Element {
  const { state } = props;
  switch (state.status) {
    case 'idle':
      return <span className="muted">Choose a shoot and an export folder to see the first file.</span>;
    case 'loading':
      return state.last ? (
        <span className="export-stale" aria-busy="true">
          <PreviewText state={state.last} />
        </span>
      ) : (
        <span className="muted">Rendering a preview…</span>
      );
    case 'ready':
      return <span title={baseName(state.preview.path)}>{previewLine(state.preview)}</span>;
    case 'error':
      return <span className="export-error">{state.error}</span>;
  }
}

/**
 * What a finished run did not write, and why, in the words the engine recorded ("At 180 × 135
 * this picture is smaller than…"): loaded when the user opens it.
 */
export function ExportProblems(props: { runId: string; count: number }): React.JSX.Element {
  const client = useClient();
  const [problems, setProblems] = useState<MethodResult<'exports.problems'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (): void => {
    client
      .call('exports.problems', { id: props.runId })
      .then(setProblems)
      .catch((caught: unknown) => setError(messageOf(caught)));
  };
  return (
    <details
      className="export-problems"
      onToggle={(event) => {
        if (event.currentTarget.open && problems === null) load();
      }}
    >
      <summary>Show what was not exported ({plural(props.count, 'file')})</summary>
      {error ? <p className="export-error">{error}</p> : null}
      {problems ? (
        <ul aria-label="Not exported">
          {problems.map((problem, index) => (
            <li key={index}>
              <strong>{problem.name}</strong> {problem.state === 'skipped' ? '(skipped)' : ''}: {problem.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </details>
  );
}

/** What to know before an export starts, and the choice to write a repeated picture once (the dialog and the Export view alike). */
export function ExportWarnings(props: {
  warnings: readonly string[];
  preview: { repeats: number } | null;
  skipRepeats: boolean;
  onSkipRepeats: (skip: boolean) => void;
}): React.JSX.Element | null {
  const { warnings, preview } = props;
  if (warnings.length === 0 && !preview?.repeats) return null;
  return (
    <>
      {warnings.length > 0 ? (
        <ul className="export-warnings" aria-label="Before you export">
          {warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      ) : null}
      {preview && preview.repeats > 0 ? (
        <label className="export-check">
          <input
            type="checkbox"
            checked={props.skipRepeats}
            onChange={(event) => props.onSkipRepeats(event.target.checked)}
          />
          Export each picture once
        </label>
      ) : null}
    </>
  );
}
