import type { WebContents } from 'electron';
import { allowedExternalLink } from '../../shared/external-links';
import { isAppUrl } from './sender';

/**
 * The window never leaves the app: in-page navigation elsewhere is stopped, and new windows are
 * denied. Links to the app's home and the providers' sites (shared/external-links.ts) open in the
 * user's browser instead; every other link is dropped.
 */
export function lockNavigation(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  entryUrl: string,
  openExternal: (url: string) => void,
): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, entryUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, entryUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const link = allowedExternalLink(url);
    if (link) openExternal(link);
    return { action: 'deny' };
  });
}
