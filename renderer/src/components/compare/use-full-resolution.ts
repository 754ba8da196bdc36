import { useCallback, useEffect, useRef, useState } from 'react';

/** Full images kept decoded for instant swaps; older ones fall back to their previews. */
const MAX_FULL_IMAGES = 6;

export interface FullResolution {
  /** Full-image URLs decoded and ready to show in place of their previews. */
  fullReady: readonly string[];
  /** Decode a full image off-screen; the preview stays until it is ready, so nothing flashes. */
  requestFull: (url: string) => void;
}

export function useFullResolution(): FullResolution {
  const [fullReady, setFullReady] = useState<readonly string[]>([]);
  const fullRequested = useRef(new Set<string>());
  const mounted = useRef(false);

  const requestFull = useCallback((url: string): void => {
    if (fullRequested.current.has(url)) return;
    fullRequested.current.add(url);
    const loader = new Image();
    loader.decoding = 'async';
    loader.src = url;
    loader.decode().then(
      () => {
        if (!mounted.current) return;
        setFullReady((ready) => (ready.includes(url) ? ready : [...ready, url].slice(-MAX_FULL_IMAGES)));
      },
      () => {
        // Unreadable: keep the preview, and allow a later attempt.
        fullRequested.current.delete(url);
      },
    );
  }, []);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  return { fullReady, requestFull };
}
