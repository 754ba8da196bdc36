import { useEffect } from 'react';
import { matchCommand } from '../../../../shared/commands';
import { useApp } from '../../store/context';
import { isTyping } from './keys';

/**
 * The keys the grid and the photo view share: Ctrl/⌘+Z and Ctrl/⌘+Shift+Z undo and redo the last
 * flag, rating or approval (a whole selection at once), I shows the info panel. A field keeps its
 * own text undo; the mask editor keeps its stroke undo.
 */
export function useReviewKeys(): void {
  const undo = useApp((state) => state.undoMarks);
  const redo = useApp((state) => state.redoMarks);
  const toggleInfo = useApp((state) => state.toggleInfo);
  const painting = useApp((state) => state.maskEditor !== null);
  useEffect(() => {
    if (painting) return undefined;
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || isTyping(event)) return;
      const command = matchCommand('review', event)?.id;
      if (command === 'review.undo') void undo();
      else if (command === 'review.redo') void redo();
      else if (command === 'review.info') toggleInfo();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [painting, undo, redo, toggleInfo]);
}
