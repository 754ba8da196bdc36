import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { DesktopShell } from '../../../shared/api';
import type { ApiClient } from '../bridge/client';
import type { AppState, AppStore } from './store';

export const StoreContext = createContext<AppStore | null>(null);

export function useApp<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useApp must be used inside <StoreContext.Provider>.');
  return useStore(store, selector);
}

/** The store itself, for a handler that reads the state as it is after an await. */
export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore must be used inside <StoreContext.Provider>.');
  return store;
}

/** The typed API client, for views that load their own data (queue, settings panels). */
export const ClientContext = createContext<ApiClient | null>(null);

export function useClient(): ApiClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient must be used inside <ClientContext.Provider>.');
  return client;
}

/** Where the renderer loads a photo's or variant's pixels from (differs between Electron and a browser). */
export type MediaKind = 'thumbnail' | 'preview' | 'original' | 'variant';
export const MediaContext = createContext<(kind: MediaKind, id: string) => string>(() => '');

export function useMediaUrl(): (kind: MediaKind, id: string) => string {
  return useContext(MediaContext);
}

/**
 * A photo's thumbnail or preview address for its current turn: the address changes with the turn,
 * so the browser fetches the turned picture instead of showing the one it has cached.
 */
export function photoMedia(
  mediaUrl: (kind: MediaKind, id: string) => string,
  kind: 'thumbnail' | 'preview',
  photo: { id: string; turn: number },
): string {
  const url = mediaUrl(kind, photo.id);
  return photo.turn === 0 ? url : `${url}${url.includes('?') ? '&' : '?'}turn=${photo.turn}`;
}

/** The desktop shell's extras (native folder picker, paths of dropped files); null in a browser. */
export const DesktopContext = createContext<DesktopShell | null>(null);

export function useDesktop(): DesktopShell | null {
  return useContext(DesktopContext);
}
