import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import type { KeyPress } from '../../../../shared/commands';
import { isTyping } from '../../views/review/keys';

/** What a focused button does with these keys is its own: they are not the grid's. */
const PRESSES_A_BUTTON = new Set(['Enter', ' ']);

/**
 * Keys pressed while nothing has the focus (the page just opened, a click on empty space) or while a
 * toolbar button keeps it after a click: the grid answers them as if it had the focus, so arrows
 * start a selection, Ctrl/⌘+A selects the photos (not the page's text) and P flags what is
 * selected. Enter and Space stay with the button that has them; fields and dialogs keep theirs.
 */
export function useWindowGridKeys(grid: RefObject<HTMLElement | null>, handle: (press: KeyPress) => boolean): void {
  const latest = useRef(handle);
  useLayoutEffect(() => {
    latest.current = handle;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || isTyping(event)) return;
      const target = event.target;
      const idle = target === document.body || target === document.documentElement || target === null;
      const button =
        target instanceof HTMLButtonElement && !grid.current?.contains(target) && !PRESSES_A_BUTTON.has(event.key);
      if (!idle && !button) return;
      if (!latest.current(event)) return;
      event.preventDefault();
      // The grid takes the focus from the button, so the next key goes straight to it.
      if (button) target.blur();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [grid]);
}
