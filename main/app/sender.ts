/**
 * Who may call the engine over IPC: only the top frame of our own window, showing our own page.
 * A frame inside the page, a window someone managed to open, or our window after a navigation to
 * anything else is refused.
 */
export interface SenderFacts {
  /** webContents id of the sender. */
  senderId: number;
  /** The frame that sent the message; null when it is already gone. */
  frame: { url: string; isTopFrame: boolean } | null;
}

export function isTrustedSender(
  facts: SenderFacts,
  trustedWebContentsIds: ReadonlySet<number>,
  entryUrl: string,
): boolean {
  if (!trustedWebContentsIds.has(facts.senderId)) return false;
  if (!facts.frame || !facts.frame.isTopFrame) return false;
  return isAppUrl(facts.frame.url, entryUrl);
}

/**
 * True when `url` is the app's own page: the same scheme and host (the app's own scheme, or the
 * dev server), and for file:// the same file. Compared part by part, not by `origin`: a URL parser
 * gives every non-web scheme the same opaque origin "null", which would make any scheme match.
 */
export function isAppUrl(url: string, entryUrl: string): boolean {
  let actual: URL;
  let entry: URL;
  try {
    actual = new URL(url);
    entry = new URL(entryUrl);
  } catch {
    return false;
  }
  // For file: the host matters too: file://server/share/… is a network path on Windows.
  if (entry.protocol === 'file:') {
    return actual.protocol === 'file:' && actual.host === entry.host && actual.pathname === entry.pathname;
  }
  return actual.protocol === entry.protocol && actual.host === entry.host;
}
