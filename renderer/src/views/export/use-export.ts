import { useCallback, useEffect, useState } from 'react';
import type { MethodArgs } from '../../../../shared/api';
import type { ApiClient } from '../../bridge/client';
import { type ExportPreview, messageOf, readRememberedFolder, rememberFolder } from './export-words';

/** The export folder, remembered between sessions and shared by the Export section and the dialog. */
export function useRememberedFolder(): [string, (path: string) => void] {
  const [folder, setFolder] = useState(readRememberedFolder);
  const update = useCallback((path: string) => {
    setFolder(path);
    rememberFolder(path);
  }, []);
  return [folder, update];
}

export type PreviewArgs = MethodArgs<'exports.preview'>;

export type PreviewState =
  | { status: 'idle' }
  /** Waiting for an answer; `last` is the previous request's, shown dimmed meanwhile. */
  | { status: 'loading'; last: PreviewState | null }
  | { status: 'ready'; preview: ExportPreview }
  | { status: 'error'; error: string };

/** How long the preview waits after the last edit before it asks the engine (it renders a real file). */
export const PREVIEW_DELAY_MS = 400;

/**
 * The first file `args` would write, asked again (after a pause in typing) whenever the request
 * changes. Answers to an older request are dropped, so the line never shows a stale preset.
 */
export function useExportPreview(client: ApiClient, args: PreviewArgs | null): PreviewState {
  // The request by value: a preset rebuilt on every render must not restart the timer.
  const key = args ? JSON.stringify(args) : null;
  const [answer, setAnswer] = useState<{ key: string; state: PreviewState } | null>(null);

  useEffect(() => {
    if (key === null) return;
    let current = true;
    const timer = window.setTimeout(() => {
      client
        .call('exports.preview', JSON.parse(key) as PreviewArgs)
        .then((preview) => current && setAnswer({ key, state: { status: 'ready', preview } }))
        .catch((error: unknown) => current && setAnswer({ key, state: { status: 'error', error: messageOf(error) } }));
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [client, key]);

  if (key === null) return { status: 'idle' };
  if (answer?.key === key) return answer.state;
  return { status: 'loading', last: answer ? answer.state : null };
}
