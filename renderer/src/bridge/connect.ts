import type { ShootlineBridge } from '../../../shared/api';
import { TOKEN_PARAM, WS_PATH } from '../../../shared/ws-protocol';
import { createWebSocketBridge, type ConnectionState } from './ws-bridge';

declare global {
  interface Window {
    /** Present only in Electron, put there by the preload. */
    shootline?: ShootlineBridge;
  }
}

const TOKEN_STORAGE_KEY = 'shootline.token';

export interface Connection {
  bridge: ShootlineBridge;
  /** 'electron' needs no connection state; a browser tab follows its WebSocket. */
  kind: 'electron' | 'browser';
  onState(listener: (state: ConnectionState) => void): void;
  /** The address of a thumbnail, preview, original or variant by id. */
  mediaUrl: (kind: string, id: string) => string;
}

/**
 * Picks the bridge for this shell. In a browser, the token arrives in the address the server
 * printed; it is moved to sessionStorage and taken out of the address bar so it does not end up in
 * history, bookmarks or a screenshot, and a reload still works.
 */
export function connect(): Connection {
  if (window.shootline) {
    return {
      bridge: window.shootline,
      kind: 'electron',
      onState: () => undefined,
      mediaUrl: (kind, id) => `shootline-media://${kind}/${encodeURIComponent(id)}`,
    };
  }

  const page = new URL(window.location.href);
  const fromUrl = page.searchParams.get(TOKEN_PARAM);
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    page.searchParams.delete(TOKEN_PARAM);
    window.history.replaceState(null, '', page.pathname + page.search + page.hash);
  }
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? '';
  const query = `?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
  const wsProtocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const bridge = createWebSocketBridge({
    url: `${wsProtocol}//${page.host}${WS_PATH}${query}`,
    healthUrl: `${page.origin}/api/health${query}`,
    onState: (state) => stateListeners.forEach((listener) => listener(state)),
  });
  return {
    bridge,
    kind: 'browser',
    mediaUrl: (kind, id) => `${page.origin}/media/${kind}/${encodeURIComponent(id)}${query}`,
    onState: (listener) => {
      stateListeners.add(listener);
      listener(bridge.state);
    },
  };
}
