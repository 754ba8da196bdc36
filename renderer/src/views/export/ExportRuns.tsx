import { useEffect, useMemo, useState } from 'react';
import type { ExportRun } from '../../../../shared/exports';
import { useApp, useClient, useDesktop } from '../../store/context';
import { ExportProblems } from './ExportParts';
import { baseName, folderRevealer, handled, messageOf, progressWords, RUN_STATE_LABELS } from './export-words';

/** How long the list waits after a progress event before it asks for the runs again (events come per file). */
const REFRESH_MS = 300;

/**
 * Every export run, newest first: what it exports where, how far it got, and Cancel or Resume.
 * Progress events move the counts at once; the list is then read again from the engine (at most
 * every few hundred milliseconds), which also brings in runs started elsewhere.
 */
export function ExportRuns(): React.JSX.Element {
  const client = useClient();
  const desktop = useDesktop();
  const shoots = useApp((state) => state.shoots);
  const [runs, setRuns] = useState<ExportRun[] | null>(null);
  const [current, setCurrent] = useState<Readonly<Record<string, string | null>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [rowError, setRowError] = useState<{ id: string; message: string } | null>(null);

  useEffect(() => {
    let live = true;
    let timer: number | null = null;
    const load = (): void => {
      client
        .call('exports.list', {})
        .then((list) => {
          if (!live) return;
          setRuns(list);
          setError(null);
        })
        .catch((caught: unknown) => live && setError(messageOf(caught)));
    };
    // Follow events first, then load: a run that moves while the list loads is not missed.
    const off = client.on('export.progress', (progress) => {
      setRuns(
        (list) =>
          list?.map((run) =>
            run.id === progress.runId
              ? {
                  ...run,
                  state: progress.state,
                  total: progress.total,
                  done: progress.done,
                  skipped: progress.skipped,
                  failed: progress.failed,
                }
              : run,
          ) ?? list,
      );
      setCurrent((known) => ({ ...known, [progress.runId]: progress.current }));
      if (timer === null) {
        timer = window.setTimeout(() => {
          timer = null;
          load();
        }, REFRESH_MS);
      }
    });
    load();
    return () => {
      live = false;
      off();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [client]);

  const sorted = useMemo(() => [...(runs ?? [])].sort((a, b) => b.createdAt - a.createdAt), [runs]);
  const shootName = useMemo(() => new Map(shoots.map((shoot) => [shoot.id, shoot.name])), [shoots]);
  const reveal = folderRevealer(desktop);

  const act = async (run: ExportRun, action: 'cancel' | 'resume'): Promise<void> => {
    setBusy((ids) => new Set(ids).add(run.id));
    setRowError(null);
    try {
      const updated = await client.call(action === 'cancel' ? 'exports.cancel' : 'exports.resume', { id: run.id });
      setRuns((list) => list?.map((candidate) => (candidate.id === updated.id ? updated : candidate)) ?? list);
    } catch (caught) {
      setRowError({ id: run.id, message: messageOf(caught) });
    } finally {
      setBusy((ids) => {
        const next = new Set(ids);
        next.delete(run.id);
        return next;
      });
    }
  };

  return (
    <section className="export-runs" aria-labelledby="export-runs-title">
      <h2 id="export-runs-title">Exports</h2>
      {error ? (
        <p role="alert" className="export-error">
          {error}
        </p>
      ) : null}
      {runs === null ? (
        error ? null : (
          <p className="empty">Loading exports…</p>
        )
      ) : sorted.length === 0 ? (
        <p className="empty">No exports yet. Export from a shoot, or with the preview above.</p>
      ) : (
        <ul className="export-run-list" aria-label="Export runs">
          {sorted.map((run) => {
            const file = run.state === 'running' ? current[run.id] : null;
            const label = run.presetName || 'Export';
            return (
              <li key={run.id} className={`export-run export-run-${run.state}`} aria-label={`${label} export`}>
                <div className="export-run-main">
                  <span className="export-run-title">
                    {label}
                    {run.shootId && shootName.has(run.shootId) ? (
                      <span className="muted"> · {shootName.get(run.shootId)}</span>
                    ) : null}
                  </span>
                  <span className="muted export-run-target" title={run.targetRoot}>
                    → {run.targetRoot}
                  </span>
                  <span className="export-run-counts">
                    <span className={`export-state export-state-${run.state}`}>{RUN_STATE_LABELS[run.state]}</span> ·{' '}
                    {progressWords(run)}
                    {file ? <span className="muted"> · {baseName(file)}</span> : null}
                  </span>
                  {run.state === 'running' ? (
                    <progress max={Math.max(1, run.total)} value={handled(run)} aria-label={`${label} progress`} />
                  ) : run.failed + run.skipped > 0 ? (
                    <ExportProblems runId={run.id} count={run.failed + run.skipped} />
                  ) : null}
                  {rowError?.id === run.id ? (
                    <span role="alert" className="export-error">
                      {rowError.message}
                    </span>
                  ) : null}
                </div>
                <span className="export-run-actions">
                  {run.state === 'running' ? (
                    <button type="button" disabled={busy.has(run.id)} onClick={() => void act(run, 'cancel')}>
                      {/* A cancel answers once the files being written are dropped: say so meanwhile. */}
                      {busy.has(run.id) ? 'Canceling…' : 'Cancel'}
                    </button>
                  ) : null}
                  {run.state === 'canceled' || run.state === 'failed' ? (
                    <button type="button" disabled={busy.has(run.id)} onClick={() => void act(run, 'resume')}>
                      Resume
                    </button>
                  ) : null}
                  {reveal ? (
                    <button type="button" onClick={() => reveal(run.targetRoot)}>
                      Show in folder
                    </button>
                  ) : null}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
