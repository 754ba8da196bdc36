import type { WebContents } from 'electron';
import { isAppUrl } from './sender';

/**
 * The window never leaves the app: in-page navigation elsewhere is stopped, and new windows are
 * denied. Plain https links (e.g. a provider's pricing page) open in the user's browser instead.
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
    if (isExternalHttps(url)) openExternal(url);
    return { action: 'deny' };
  });
}

export function isExternalHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
