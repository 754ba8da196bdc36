import { useState } from 'react';
import { matchCommand } from '../../../../shared/commands';
import type { CompareViewport } from './use-compare-viewport';
import { dividerAfterKey, dividerFromPointer } from './divider';

type DividerPointerHandler = (event: React.PointerEvent<HTMLDivElement>) => void;

/** The slider's divider: its position for aria-valuenow, and the handle's pointer and key props. */
export interface DividerControl {
  /** Percent of the pane width; updated once per drag (the frame writes the live value). */
  percent: number;
  onPointerDown: DividerPointerHandler;
  onPointerMove: DividerPointerHandler;
  onPointerEnd: DividerPointerHandler;
  onKeyDown: (event: React.KeyboardEvent<HTMLDivElement>) => void;
}

/**
 * Lives with CompareView rather than the slider, so the divider keeps its place while another mode is shown.
 */
export function useDivider(viewport: CompareViewport): DividerControl {
  const { paneElementsRef, dragRef, dividerRef, schedule } = viewport;
  const [percent, setPercent] = useState(50);

  const onPointerDown = (event: React.PointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0) return;
    // The pane under the handle would start a pan otherwise.
    event.stopPropagation();
    const pane = paneElementsRef.current[0];
    if (!pane) return;
    const bounds = pane.getBoundingClientRect();
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.focus();
    dragRef.current = {
      kind: 'divider',
      pointerId: event.pointerId,
      lastX: event.clientX,
      lastY: event.clientY,
      left: bounds.left,
      width: bounds.width,
    };
  };

  const onPointerMove = (event: React.PointerEvent<HTMLDivElement>): void => {
    const current = dragRef.current;
    if (current?.kind !== 'divider' || current.pointerId !== event.pointerId) return;
    event.stopPropagation();
    dividerRef.current = dividerFromPointer(event.clientX, current.left, current.width);
    schedule();
  };

  const onPointerEnd = (event: React.PointerEvent<HTMLDivElement>): void => {
    const current = dragRef.current;
    if (current?.kind !== 'divider' || current.pointerId !== event.pointerId) return;
    event.stopPropagation();
    dragRef.current = null;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    // One state update per drag, so aria-valuenow survives later renders.
    setPercent(dividerRef.current);
  };

  // The keys come from the command table: only what it lists as slider.move reaches dividerAfterKey.
  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>): void => {
    if (matchCommand('slider', event)?.id !== 'slider.move') return;
    const next = dividerAfterKey(dividerRef.current, event.key, event.shiftKey);
    if (next === null) return;
    event.preventDefault();
    dividerRef.current = next;
    setPercent(next);
    schedule();
  };

  return { percent, onPointerDown, onPointerMove, onPointerEnd, onKeyDown };
}
