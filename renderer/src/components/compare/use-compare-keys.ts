import { useEffect, useEffectEvent } from 'react';
import { isKeyOf, matchCommand } from '../../../../shared/commands';
import { type CompareMode, nextCompareMode } from './viewport';

export interface CompareKeyActions {
  mode: CompareMode;
  onModeChange: (mode: CompareMode) => void;
  /** `\`: flip between the before and after image. */
  onToggle: () => void;
  /** Z: toggle fit / 100% about the pointer. */
  onZoomToggle: () => void;
  /** L is a hold key: true while it is down. */
  onLoupeHeld: (held: boolean) => void;
}

function isTypingTarget(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

/**
 * The compare commands on the window, answered only for what the command table's `compare` scope
 * matches, and never while the user types in a field.
 */
export function useCompareKeys(actions: CompareKeyActions): void {
  const { mode, onModeChange, onToggle, onZoomToggle, onLoupeHeld } = actions;

  const onWindowKeyDown = useEffectEvent((event: KeyboardEvent): void => {
    if (event.defaultPrevented) return;
    if (isTypingTarget(event.target)) return;
    const command = matchCommand('compare', event)?.id;
    if (command === 'compare.loupe') {
      event.preventDefault();
      onLoupeHeld(true);
      return;
    }
    // The hold key above repeats harmlessly; the toggles below would flip back and forth.
    if (event.repeat) return;
    if (command === 'compare.mode') {
      event.preventDefault();
      onModeChange(nextCompareMode(mode));
    } else if (command === 'compare.beforeAfter') {
      event.preventDefault();
      onToggle();
    } else if (command === 'compare.zoom') {
      event.preventDefault();
      onZoomToggle();
    }
  });

  const onWindowKeyUp = useEffectEvent((event: KeyboardEvent): void => {
    // Released with or without a modifier: the loupe is let go either way.
    if (isKeyOf('compare.loupe', event.key)) onLoupeHeld(false);
  });

  const onWindowBlur = useEffectEvent((): void => onLoupeHeld(false));

  useEffect(() => {
    const down = (event: KeyboardEvent): void => onWindowKeyDown(event);
    const up = (event: KeyboardEvent): void => onWindowKeyUp(event);
    // A key released while the window is in the background never reports its keyup.
    const release = (): void => onWindowBlur();
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', release);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', release);
    };
  }, []);
}
