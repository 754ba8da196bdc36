import { createContext, useContext } from 'react';

/**
 * Where messages go: one stack laid over the window's corner, so a banner appearing or leaving
 * never moves the grid, the photo or a button under the pointer.
 */
export const BannerHostContext = createContext<HTMLElement | null>(null);

export function useBannerHost(): HTMLElement | null {
  return useContext(BannerHostContext);
}
