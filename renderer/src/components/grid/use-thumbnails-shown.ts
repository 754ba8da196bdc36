import { useEffect, useRef, type RefObject } from 'react';
import type { GridItem } from './grid-item';

/** Calls `onShown` once, when every thumbnail in the grid's box has loaded or failed (at once for none). */
export function useThumbnailsShown(
  scrollRef: RefObject<HTMLDivElement | null>,
  measured: boolean,
  items: readonly GridItem[],
  onShown: (() => void) | undefined,
): void {
  const reported = useRef(false);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || !measured || !onShown || reported.current) return;
    const check = (): void => {
      if (reported.current) return;
      const box = el.getBoundingClientRect();
      const inView = [...el.querySelectorAll('img')].filter((image) => {
        const rect = image.getBoundingClientRect();
        return rect.bottom > box.top && rect.top < box.bottom;
      });
      // `complete` is true for an image that failed too: nothing more will come for it.
      if (!inView.every((image) => image.complete)) return;
      reported.current = true;
      onShown();
    };
    check();
    // Load and error do not bubble, but can be caught on their way down.
    el.addEventListener('load', check, true);
    el.addEventListener('error', check, true);
    return () => {
      el.removeEventListener('load', check, true);
      el.removeEventListener('error', check, true);
    };
  }, [scrollRef, measured, items, onShown]);
}
